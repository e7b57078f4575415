package io.vcmctl.orchestrator;

import io.vcmctl.hsm.EnvStats;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.stats.StatsSettings;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.SignedRequest;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * Random histories against {@link RulesModel}: each sequence drives two fresh HSMs through the
 * Java facade with create (tenant requests and provider choices), start (with and without start
 * requests), stop, delete, property changes, enroll, unenroll, mode changes, tenant data writes,
 * polls of the stats poller, licences, setnetwork and resets, and after every step the product and
 * the model must agree on the reply (accepted, or which refusal) and on every view. Then the
 * process restarts on the same LevelDB directory, every HSM of every sequence is compared again,
 * and one more create on each shows that the address plan survived too.
 *
 * <p>{@code -Dmodel.seed}, {@code -Dmodel.sequences} and {@code -Dmodel.steps} choose the run;
 * {@code bench/model-run} makes a long one. A failure prints the seed and the steps that led to
 * it.
 */
class ModelBasedTest {

  static final Principal ADMIN = Principal.provider("admin");
  static final KeyPair VENDOR = PublicKeys.generateEd25519();
  static final int TENANTS = 3;
  /** Small ranges, so that addresses run out and network changes strand VCMs. */
  static final List<String> NETWORKS = List.of("10.9.0.0/29", "10.9.0.0/28", "10.9.0.0/30", "10.9.0.8/29",
      "10.9.0.0/24");
  static final List<String> PROPERTIES = List.of("autostart", "restrict_startup", "serial_cardreader", "ip_address",
      "name", "features", "k_tenant_req");
  /** Feature lists a licence names, and the features a tenant asks for. */
  static final List<List<String>> LICENSED = List.of(List.of(), List.of(), List.of("Extra"), List.of("Other"));
  static final List<String> FEATURES = List.of("StandardFeatures", "Extra", "Extra|StandardFeatures", "Other");

  final long seed = Long.getLong("model.seed", System.nanoTime());
  final int sequences = Integer.getInteger("model.sequences", 200);
  final int steps = Integer.getInteger("model.steps", 12);
  private int polls;
  /** How often each outcome came up, to show which rules a run reached. */
  private final Map<String, Integer> outcomes = new TreeMap<>();

  /** One sequence's two HSMs, its tenants, and the steps taken so far. */
  final class Run {
    final List<String> esns;
    final Map<String, RulesModel.Hsm> model;
    final List<TestTenant> tenants = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    /** Request-signing keys by their encoded public key: the tenants' own and two new ones. */
    final Map<String, KeyPair> keys = new LinkedHashMap<>();
    /** Each sequence has its own seed, so that a prefix of it can be replayed alone. */
    final long seed;
    final Random random;

    Run(String a, String b, long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      esns = List.of(a, b);
      model = Map.of(a, new RulesModel.Hsm(), b, new RulesModel.Hsm());
      for (int i = 0; i < TENANTS; i++) {
        tenants.add(new TestTenant());
        keys.put(tenants.get(i).requestKeyEncoded(), tenants.get(i).requestKey);
      }
      for (int i = 0; i < 2; i++) {
        KeyPair k = PublicKeys.generateEd25519();
        keys.put(PublicKeys.encode(k.getPublic()), k);
      }
    }

    /** Mostly the VCM's current key, so that the rules past the signature are reached. */
    String signer(Random random, RulesModel.Vcm v) {
      List<String> all = new ArrayList<>(keys.keySet());
      return random.nextInt(5) > 0 ? v.kTenantReq : all.get(random.nextInt(all.size()));
    }
  }

  @Test
  void theProductAgreesWithTheModelOnEveryStepAndAfterARestart() {
    Path dir = TestConfigs.freshDataDirectory("model").root();
    List<String> esns = new ArrayList<>();
    for (int i = 0; i < 2 * sequences; i++) {
      esns.add(String.format("5E4D-%04X-%04X", (int) (seed & 0xffff), i));
    }
    OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic()).withEsns(esns)
        .withStatsDelay(Duration.ofHours(1));
    Random random = new Random(seed);
    List<Run> runs = new ArrayList<>();
    int taken = 0;
    try (Orchestrator o = Orchestrator.start(config)) {
      for (int s = 0; s < sequences; s++) {
        Run run = new Run(esns.get(2 * s), esns.get(2 * s + 1), random.nextLong());
        runs.add(run);
        play(o, run, steps);
        taken += steps;
      }
    }
    try (Orchestrator o = Orchestrator.start(config)) {
      for (Run run : runs) {
        try {
          afterRestart(o, run);
        } catch (AssertionError e) {
          throw shrunk(run, e);
        }
      }
    }
    System.out.printf("model-based: seed %d, %d sequences, %d steps, all agreed, also after a restart"
        + " and a create on every HSM; outcomes %s%n",
        seed, sequences, taken, outcomes);
  }

  /** A sequence on its two fresh HSMs: their licences and networking, then its steps, each compared. */
  private void play(Orchestrator o, Run run, int count) {
    for (String esn : run.esns) {
      ready(o, run, esn, run.random.nextBoolean() ? SpeedRating.BASE : SpeedRating.MID, 1 + run.random.nextInt(3));
    }
    for (int i = 0; i < count; i++) {
      step(o, run, run.random);
      compare(o, run);
    }
    // The HSMs' own pollers run a cycle when the process starts again: leave none over the limit.
    for (String esn : run.esns) {
      if (run.model.get(esn).vcms.values().stream().anyMatch(
          v -> v.disk() > RulesModel.DISK_LIMIT && v.status != VcmStatus.DISK_LIMIT_STOPPED)) {
        poll(o, run, esn);
        compare(o, run);
      }
    }
  }

  /** After the restart: the same views, and what only the next create shows (freed addresses, pending networking). */
  private void afterRestart(Orchestrator o, Run run) {
    run.log.add("(restart)");
    compare(o, run);
    for (String esn : run.esns) {
      create(o, run, run.random, esn, run.model.get(esn), run.random.nextInt(TENANTS));
      compare(o, run);
    }
  }

  /**
   * A disagreement after the restart may need only part of the sequence: its prefixes are replayed,
   * shortest first, each on two fresh HSMs with a restart of its own, and the shortest that still
   * disagrees is reported with the original failure. (A disagreement before the restart is found
   * at its first step, so its prefix is already the shortest.)
   */
  private AssertionError shrunk(Run failed, AssertionError failure) {
    for (int count = 0; count < steps; count++) {
      Path dir = TestConfigs.freshDataDirectory("model-shrink").root();
      Run replay = new Run("5E4D-FFFF-0001", "5E4D-FFFF-0002", failed.seed);
      OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic()).withEsns(replay.esns)
          .withStatsDelay(Duration.ofHours(1));
      try {
        try (Orchestrator o = Orchestrator.start(config)) {
          play(o, replay, count);
        }
        try (Orchestrator o = Orchestrator.start(config)) {
          afterRestart(o, replay);
        }
      } catch (AssertionError shorter) {
        return new AssertionError(failure.getMessage() + "\nthe first " + count + " steps of this sequence are"
            + " enough to disagree after a restart:\n" + shorter.getMessage(), failure);
      }
    }
    return failure;
  }

  private void ready(Orchestrator o, Run run, String esn, SpeedRating speed, int maxActive) {
    await(o.applyLicence(esn, licence(esn, speed, maxActive), ADMIN));
    await(o.setNetwork(esn, Network.ipv4(NETWORKS.get(0)), ADMIN));
    await(o.reset(esn, ADMIN));
    RulesModel.Hsm hsm = run.model.get(esn);
    hsm.licence(true, speed, maxActive, List.of());
    hsm.setNetwork(NETWORKS.get(0));
    hsm.reset(true);
    run.log.add(esn + ": licence " + speed + " max-active " + maxActive + ", network " + NETWORKS.get(0) + ", reset");
  }

  private static byte[] licence(String esn, SpeedRating speed, int maxActive) {
    return licence(esn, speed, maxActive, List.of());
  }

  private static byte[] licence(String esn, SpeedRating speed, int maxActive, List<String> features) {
    return Licence.of(esn, true, speed, maxActive, features, Instant.now()).sign(VENDOR);
  }

  private void step(Orchestrator o, Run run, Random random) {
    String esn = run.esns.get(random.nextInt(2));
    RulesModel.Hsm hsm = run.model.get(esn);
    List<RulesModel.Vcm> vcms = hsm.inOrder();
    int op = vcms.isEmpty() ? (random.nextInt(4) == 0 ? random.nextInt(3) : 3)
        : random.nextInt(3) == 0 ? furthest(vcms) : random.nextInt(27);
    RulesModel.Vcm v = vcms.isEmpty() ? null : vcms.get(random.nextInt(vcms.size()));
    int tenant = random.nextInt(TENANTS);
    int actor = actorFor(random, v, tenant);
    switch (op) {
      case 0 -> {
        SpeedRating speed = random.nextInt(4) == 0 ? SpeedRating.MID : SpeedRating.BASE;
        int max = 1 + random.nextInt(4);
        List<String> features = LICENSED.get(random.nextInt(LICENSED.size()));
        check(run, esn + ": licence " + speed + " max-active " + max + " features " + features,
            hsm.licence(true, speed, max, features), () -> o.applyLicence(esn, licence(esn, speed, max, features), ADMIN));
      }
      case 1 -> {
        boolean force = random.nextBoolean();
        check(run, esn + ": reset" + (force ? " --force" : ""), hsm.reset(force), () -> o.reset(esn, force, ADMIN));
      }
      case 2 -> {
        String cidr = NETWORKS.get(random.nextInt(NETWORKS.size()));
        check(run, esn + ": setnetwork " + cidr, hsm.setNetwork(cidr),
            () -> o.setNetwork(esn, Network.ipv4(cidr), ADMIN));
      }
      case 3, 4, 5 -> create(o, run, random, esn, hsm, tenant);
      case 6, 7, 8, 9 -> {
        RulesModel.Vcm t = pick(random, vcms, x -> x.status == VcmStatus.INACTIVE, v);
        String signer = random.nextInt(3) == 0 ? run.signer(random, t) : null;
        check(run, "start " + t.uuid + (signer == null ? "" : " with a start request signed by " + id(signer)),
            hsm.start(t.uuid, signer), () -> o.startVcm(t.uuid, signer == null ? null : startRequest(run, t, signer),
                ADMIN));
      }
      case 10 -> {
        boolean force = random.nextInt(3) == 0;
        check(run, "stop " + v.uuid + (force ? " --force" : ""), hsm.stop(v.uuid, force),
            () -> o.stopVcm(v.uuid, force, ADMIN));
      }
      case 11 -> check(run, "delete " + v.uuid, hsm.delete(v.uuid), () -> o.deleteVcm(v.uuid, false, ADMIN));
      case 12, 13, 14 -> {
        RulesModel.Vcm t = pick(random, vcms, x -> x.status == VcmStatus.ACTIVE, v);
        int by = actorFor(random, t, tenant);
        check(run, "tenant " + by + " enrolls " + t.uuid, hsm.enroll(t.uuid, by),
            () -> o.tenantAction(t.uuid, run.tenants.get(by).principal(), VcmEntity.Action.ENROLL));
      }
      case 15 -> check(run, "tenant " + actor + " unenrolls " + v.uuid, hsm.unenroll(v.uuid, actor),
          () -> o.tenantAction(v.uuid, run.tenants.get(actor).principal(), VcmEntity.Action.UNENROLL));
      case 16 -> {
        boolean maintenance = random.nextBoolean();
        check(run, "tenant " + actor + " mode " + (maintenance ? "maintenance " : "operational ") + v.uuid,
            hsm.mode(v.uuid, actor, maintenance),
            () -> o.tenantAction(v.uuid, run.tenants.get(actor).principal(),
                maintenance ? VcmEntity.Action.MODE_MAINTENANCE : VcmEntity.Action.MODE_OPERATIONAL));
      }
      case 17, 18 -> setProperty(o, run, random, hsm, v);
      case 19, 20, 21, 22 -> {
        // Mostly into a VCM whose tenant can write, so that disk use grows past the limit.
        RulesModel.Vcm w = pick(random, vcms, x -> x.status == VcmStatus.ACTIVE && x.enrolled != null, v);
        int writer = actorFor(random, w, tenant);
        long room = RulesModel.DISK_LIMIT - w.disk();
        long[] sizes = {1, 1 << 20, 6 << 20, Math.max(1, room), room + 1, room + 1, 0};
        long bytes = sizes[random.nextInt(sizes.length)];
        check(run, "tenant " + writer + " writes " + bytes + " bytes into " + w.uuid,
            hsm.writeData(w.uuid, writer, bytes),
            () -> o.writeData(w.uuid, run.tenants.get(writer).principal(), bytes));
      }
      case 25 -> {
        RulesModel.Vcm w = pick(random, vcms, x -> x.status == VcmStatus.ACTIVE && x.enrolled != null, v);
        int by = actorFor(random, w, tenant);
        check(run, "tenant " + by + " loads the world of " + w.uuid, hsm.loadWorld(w.uuid, by),
            () -> o.tenantAction(w.uuid, run.tenants.get(by).principal(), VcmEntity.Action.LOAD_WORLD));
      }
      case 26 -> {
        RulesModel.Vcm w = pick(random, vcms, x -> x.restartRequired, v);
        int by = actorFor(random, w, tenant);
        check(run, "tenant " + by + " acknowledges the restart of " + w.uuid, hsm.acknowledgeRestart(w.uuid, by),
            () -> o.tenantAction(w.uuid, run.tenants.get(by).principal(), VcmEntity.Action.ACKNOWLEDGE_RESTART));
      }
      default -> poll(o, run, esn);
    }
  }

  /**
   * The step that takes some VCM one state further towards the disk limit (started, enrolled,
   * written past the limit, polled), so that short sequences reach R11 too.
   */
  private static int furthest(List<RulesModel.Vcm> vcms) {
    if (vcms.stream().anyMatch(x -> x.disk() > RulesModel.DISK_LIMIT && x.status != VcmStatus.DISK_LIMIT_STOPPED)) {
      return 23;
    }
    if (vcms.stream().anyMatch(x -> x.status == VcmStatus.ACTIVE && x.enrolled != null)) {
      return 19;
    }
    return vcms.stream().anyMatch(x -> x.status == VcmStatus.ACTIVE) ? 12 : 6;
  }

  /** Mostly a VCM that {@code wanted} accepts, so that the rules past the first refusal are reached. */
  private static RulesModel.Vcm pick(Random random, List<RulesModel.Vcm> vcms, Predicate<RulesModel.Vcm> wanted,
      RulesModel.Vcm fallback) {
    List<RulesModel.Vcm> fit = vcms.stream().filter(wanted).toList();
    return !fit.isEmpty() && random.nextInt(4) > 0 ? fit.get(random.nextInt(fit.size())) : fallback;
  }

  /** Mostly the VCM's own tenant, so that the rules past ownership are reached. */
  private static int actorFor(Random random, RulesModel.Vcm v, int tenant) {
    return v != null && random.nextInt(5) > 0 ? v.tenant : tenant;
  }

  private void create(Orchestrator o, Run run, Random random, String esn, RulesModel.Hsm hsm, int tenant) {
    RulesModel.CreateAsk ask = new RulesModel.CreateAsk(tenant, run.tenants.get(tenant).requestKeyEncoded(),
        "t" + tenant, random.nextInt(3) == 0, random.nextInt(4) == 0, random.nextInt(3) == 0,
        random.nextInt(5) == 0 ? FEATURES.get(random.nextInt(FEATURES.size())) : null, choice(random), choice(random),
        random.nextInt(4) == 0 ? address(random) : null);
    Map<String, String> requested = new HashMap<>(Map.of("name", ask.name()));
    if (ask.autostart()) {
      requested.put("autostart", "true");
    }
    if (ask.restrictStartup()) {
      requested.put("restrict_startup", "true");
    }
    if (ask.serialCardreader()) {
      requested.put("serial_cardreader", "true");
    }
    if (ask.features() != null) {
      requested.put("features", ask.features());
    }
    ProviderChoices choices = new ProviderChoices(null, ask.providerAutostart(), ask.providerSerialCardreader(),
        ask.providerIp(), null);
    Optional<Code> expected = hsm.create(ask);
    Object created = check(run, esn + ": create " + ask.toString().replace(ask.requestKey(), id(ask.requestKey())),
        expected,
        () -> o.createVcm(esn, run.tenants.get(tenant).createRequest(requested, Instant.now()), choices, ADMIN));
    if (expected.isEmpty()) {
      hsm.created(((HsmEntity.CreatedVcm) created).view().uuid());
    }
  }

  private void setProperty(Orchestrator o, Run run, Random random, RulesModel.Hsm hsm, RulesModel.Vcm v) {
    String property = PROPERTIES.get(random.nextInt(PROPERTIES.size()));
    String value = value(run, random, property, true);
    Map<String, String> requested = new HashMap<>();
    int shape = random.nextInt(8);
    if (shape == 0) {
      String other = PROPERTIES.get(random.nextInt(PROPERTIES.size()));
      requested.put(other, canonical(value(run, random, other, false)));
    } else {
      requested.put(property, canonical(shape == 1 ? value(run, random, property, false) : value));
    }
    if ((property.equals("ip_address") && RulesModel.Range.parse(value).isEmpty())
        || (property.equals("features") && RulesModel.Hsm.features(value).isEmpty())) {
      requested.put(property, value(run, random, property, false));
    }
    String signer = run.signer(random, v);
    RulesModel.PropertyAsk ask = new RulesModel.PropertyAsk(signer, requested, property, value);
    check(run, "properties set " + v.uuid + " " + property + " " + shortKeys(value) + " (request signed by "
            + id(signer) + ": " + shortKeys(requested.toString()) + ")", hsm.setProperty(v.uuid, ask),
        () -> o.setProperty(v.uuid, run.tenants.get(0).propertiesRequest(v.uuid, requested, Instant.now(),
            run.keys.get(signer)), property, value, ADMIN));
  }

  private static byte[] startRequest(Run run, RulesModel.Vcm v, String signer) {
    try {
      return SignedRequest.sign(RequestPayload.start(v.uuid, Instant.now(), Duration.ofHours(1)), run.keys.get(signer))
          .toFileBytes();
    } catch (RequestException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A short name for an encoded key in the printed steps. */
  private static String id(String encodedKey) {
    return "key-" + Integer.toHexString(encodedKey.hashCode());
  }

  private static String shortKeys(String text) {
    return java.util.regex.Pattern.compile("MC[A-Za-z0-9+/=]{40,}").matcher(text).replaceAll(m -> id(m.group()));
  }

  /** A value for the property; the provider may type one that is not valid, a request never holds one. */
  private static String value(Run run, Random random, String property, boolean mayBeInvalid) {
    return switch (property) {
      case "features" -> mayBeInvalid && random.nextInt(10) == 0 ? "no good" : FEATURES.get(random.nextInt(FEATURES.size()));
      case "k_tenant_req" -> new ArrayList<>(run.keys.keySet()).get(random.nextInt(run.keys.size()));
      case "ip_address" -> mayBeInvalid && random.nextInt(10) == 0 ? "10.9.0.256" : address(random);
      case "name" -> "n" + random.nextInt(3);
      default -> List.of("true", "false", "True", "False").get(random.nextInt(4));
    };
  }

  /** A request carries values in their canonical form. */
  private static String canonical(String value) {
    return value.equals("True") || value.equals("False") ? value.toLowerCase(Locale.ROOT) : value;
  }

  private static String address(Random random) {
    return "10.9.0." + (1 + random.nextInt(16));
  }

  private static Boolean choice(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> Boolean.TRUE;
      case 1, 2 -> Boolean.FALSE;
      default -> null;
    };
  }

  /**
   * One cycle of the product's stats poller over this HSM, run now instead of on its timer: the
   * HSM's own poller waits an hour between cycles here, so only this one measures and stops. The
   * figures it stored (stats, getenvstats) must then be the model's.
   */
  private void poll(Orchestrator o, Run run, String esn) {
    int stopped = run.model.get(esn).poll();
    run.log.add(esn + ": poll, stops " + stopped);
    outcomes.merge("stopped by a poll", stopped, Integer::sum);
    @SuppressWarnings("unchecked")
    ActorRef<HsmEntity.Command> hsm = (ActorRef<HsmEntity.Command>) o.hsmRef(esn);
    ActorSystem<?> system = o.system();
    TestProbe<StatsPoller.CycleCompleted> probe = TestProbe.create(system);
    system.eventStream().tell(new EventStream.Subscribe<>(StatsPoller.CycleCompleted.class, probe.ref()));
    StatsSettings settings = StatsSettings.fromConfig(system.settings().config()).withDelay(Duration.ofDays(1));
    ActorRef<String> cycle = system.systemActorOf(Behaviors.<String>setup(ctx -> {
      ctx.spawn(StatsPoller.create(hsm, settings, ModuleClock.system()), "poller");
      return Behaviors.receiveMessage(stop -> Behaviors.stopped());
    }), "model-poll-" + polls++, Props.empty());
    probe.fishForMessage(Duration.ofSeconds(30), c -> c.hsm().equals(hsm) ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    cycle.tell("stop");
    system.eventStream().tell(new EventStream.Unsubscribe<>(probe.ref()));
    RulesModel.Hsm model = run.model.get(esn);
    String expected = model.stats() + " " + model.envStats();
    EnvStats env = await(o.envStats(esn));
    String actual = await(o.stats(esn)).vcms().stream().map(f -> f.uuid() + " " + f.name() + " " + f.status().label()
        + " memory=" + f.memoryBytes() + " disk=" + f.diskBytes() + " approaching=" + f.approachingDiskLimit()).toList()
        + " mem_used=" + env.memUsed() + " disk_used=" + env.diskUsed();
    if (!expected.equals(actual)) {
      throw failure(run, esn + " stats differ after the poll:\n  model:   " + expected + "\n  product: " + actual);
    }
  }

  /** Runs the command; its outcome must be the model's. Returns the product's answer. */
  private Object check(Run run, String what, Optional<Code> expected, Supplier<CompletionStage<?>> command) {
    run.log.add(what + " -> " + expected.map(Code::name).orElse("accepted"));
    String verb = what.replaceFirst("^\\S+: ", "").replaceFirst("^tenant \\d+ ", "").split(" ")[0];
    outcomes.merge(verb + " " + expected.map(Code::name).orElse("accepted"), 1, Integer::sum);
    Object answer;
    Optional<Code> actual;
    try {
      answer = command.get().toCompletableFuture().join();
      actual = Optional.empty();
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof Refusal r)) {
        throw failure(run, "not a refusal: " + e.getCause());
      }
      answer = r;
      actual = Optional.of(r.code());
    }
    if (!expected.equals(actual)) {
      throw failure(run, "product answered " + actual.map(Code::name).orElse("accepted")
          + (answer instanceof Refusal r ? " (" + r.getMessage() + ")" : ""));
    }
    return answer;
  }

  private void compare(Orchestrator o, Run run) {
    for (String esn : run.esns) {
      RulesModel.Hsm hsm = run.model.get(esn);
      // Listing waits for every VCM to be back after a restart; info answers before.
      List<VcmView> views = await(o.vcms(esn));
      HsmInfo info = await(o.info(esn));
      String expected = describe(hsm.maxCreatable(), hsm.maxActive(), hsm.vcms.size(), hsm.active(),
          hsm.network.cidr(), hsm.pending == null ? null : hsm.pending.cidr(), List.copyOf(hsm.licensed),
          hsm.inOrder().stream().map(v -> v.uuid + " " + v.status.label() + " enrolled=" + (v.enrolled != null)
              + " maintenance=" + v.maintenance + " restart=" + v.restartRequired + " world=" + v.worldLoaded
              + " autostart=" + v.autostart
              + " restrict=" + v.restrictStartup + " serial=" + v.serialCardreader + " ip=" + v.ip
              + " name=" + v.name + " features=" + v.features + " k_tenant_req=" + id(v.kTenantReq)
              + " data=" + v.dataBytes).collect(Collectors.toList()));
      String actual = describe(info.maxCreatableVcms(), info.maxActiveVcms(), info.vcmsCreated(), info.vcmsActive(),
          cidr(info.network()), cidr(info.pendingNetwork()), info.features(),
          views.stream().map(v -> v.uuid() + " " + v.status().label() + " enrolled=" + (v.facts().enrolledBy() != null)
              + " maintenance=" + (v.facts().mode() == TenantFacts.Mode.MAINTENANCE)
              + " restart=" + v.facts().hardserverRestartRequired() + " world=" + v.facts().securityWorldLoaded()
              + " autostart=" + v.properties().autostart()
              + " restrict=" + v.properties().restrictStartup() + " serial=" + v.properties().serialCardreader()
              + " ip=" + v.properties().ipAddress() + " name=" + v.properties().name()
              + " features=" + String.join("|", v.properties().features())
              + " k_tenant_req=" + id(v.properties().kTenantReq())
              + " data=" + v.facts().dataBytes()).collect(Collectors.toList()));
      if (!expected.equals(actual)) {
        throw failure(run, esn + " differs:\n  model:   " + expected + "\n  product: " + actual);
      }
    }
  }

  private static String describe(int maxCreatable, int maxActive, long created, long active, String network,
      String pending, List<String> features, List<String> vcms) {
    return "max_creatable " + maxCreatable + ", max_active " + maxActive + ", created " + created + ", active "
        + active + ", network " + network + ", pending " + pending + ", features " + features + ", " + vcms;
  }

  private static String cidr(Network network) {
    return network == null ? null : network.prefix() + "/" + network.length();
  }

  private AssertionError failure(Run run, String what) {
    StringBuilder b = new StringBuilder("model and product disagree (seed " + seed + ", rerun with -Dmodel.seed="
        + seed + "): " + what + "\nsteps of this sequence, oldest first:\n");
    run.log.forEach(l -> b.append("  ").append(l).append('\n'));
    return new AssertionError(b.toString());
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }
}
