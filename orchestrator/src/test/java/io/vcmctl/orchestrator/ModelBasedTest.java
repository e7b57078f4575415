package io.vcmctl.orchestrator;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random histories against {@link RulesModel}: each sequence drives two fresh HSMs through the
 * Java facade with create, start, stop, delete, enroll, unenroll, mode changes, licences and
 * resets, and after every step the product and the model must agree on the reply (accepted, or
 * which refusal) and on every view. Then the process restarts on the same LevelDB directory and
 * every HSM of every sequence is compared again.
 *
 * <p>{@code -Dmodel.seed}, {@code -Dmodel.sequences} and {@code -Dmodel.steps} choose the run;
 * {@code bench/model-run} makes a long one. A failure prints the seed and the steps that led to
 * it.
 */
class ModelBasedTest {

  static final Principal ADMIN = Principal.provider("admin");
  static final KeyPair VENDOR = PublicKeys.generateEd25519();
  static final int TENANTS = 3;

  final long seed = Long.getLong("model.seed", System.nanoTime());
  final int sequences = Integer.getInteger("model.sequences", 200);
  final int steps = Integer.getInteger("model.steps", 12);

  /** One sequence's two HSMs, its tenants, and the steps taken so far. */
  final class Run {
    final List<String> esns;
    final Map<String, RulesModel.Hsm> model;
    final List<TestTenant> tenants = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    Run(String a, String b) {
      esns = List.of(a, b);
      model = Map.of(a, new RulesModel.Hsm(), b, new RulesModel.Hsm());
      for (int i = 0; i < TENANTS; i++) {
        tenants.add(new TestTenant());
      }
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
        Run run = new Run(esns.get(2 * s), esns.get(2 * s + 1));
        runs.add(run);
        for (String esn : run.esns) {
          ready(o, run, esn, random.nextBoolean() ? SpeedRating.BASE : SpeedRating.MID, 1 + random.nextInt(3));
        }
        for (int i = 0; i < steps; i++) {
          step(o, run, random);
          taken++;
          compare(o, run);
        }
      }
    }
    try (Orchestrator o = Orchestrator.start(config)) {
      for (Run run : runs) {
        run.log.add("(restart)");
        compare(o, run);
      }
    }
    System.out.printf("model-based: seed %d, %d sequences, %d steps, all agreed, also after a restart%n",
        seed, sequences, taken);
  }

  private void ready(Orchestrator o, Run run, String esn, SpeedRating speed, int maxActive) {
    await(o.applyLicence(esn, licence(esn, speed, maxActive), ADMIN));
    await(o.setNetwork(esn, Network.ipv4("10.9.0.0/24"), ADMIN));
    await(o.reset(esn, ADMIN));
    run.model.get(esn).licence(true, speed, maxActive);
    run.log.add(esn + ": licence " + speed + " max-active " + maxActive + ", network, reset");
  }

  private static byte[] licence(String esn, SpeedRating speed, int maxActive) {
    return Licence.of(esn, true, speed, maxActive, List.of(), Instant.now()).sign(VENDOR);
  }

  private void step(Orchestrator o, Run run, Random random) {
    String esn = run.esns.get(random.nextInt(2));
    RulesModel.Hsm hsm = run.model.get(esn);
    List<RulesModel.Vcm> vcms = hsm.inOrder();
    int op = random.nextInt(vcms.isEmpty() ? 3 : 12);
    RulesModel.Vcm v = vcms.isEmpty() ? null : vcms.get(random.nextInt(vcms.size()));
    int tenant = random.nextInt(TENANTS);
    switch (op) {
      case 0 -> {
        SpeedRating speed = random.nextInt(4) == 0 ? SpeedRating.MID : SpeedRating.BASE;
        int max = 1 + random.nextInt(4);
        check(run, esn + ": licence " + speed + " max-active " + max, hsm.licence(true, speed, max),
            () -> o.applyLicence(esn, licence(esn, speed, max), ADMIN));
      }
      case 1 -> check(run, esn + ": reset", hsm.reset(), () -> o.reset(esn, ADMIN));
      case 2, 3 -> {
        Optional<Code> expected = hsm.create();
        Object created = check(run, esn + ": create for tenant " + tenant, expected,
            () -> o.createVcm(esn, run.tenants.get(tenant).createRequest(Map.of("name", "t" + tenant), Instant.now()),
                ProviderChoices.NONE, ADMIN));
        if (expected.isEmpty()) {
          hsm.created(((HsmEntity.CreatedVcm) created).view().uuid(), tenant);
        }
      }
      case 4, 5 -> check(run, "start " + v.uuid, hsm.start(v.uuid), () -> o.startVcm(v.uuid, null, ADMIN));
      case 6 -> {
        boolean force = random.nextInt(3) == 0;
        check(run, "stop " + v.uuid + (force ? " --force" : ""), hsm.stop(v.uuid, force),
            () -> o.stopVcm(v.uuid, force, ADMIN));
      }
      case 7 -> check(run, "delete " + v.uuid, hsm.delete(v.uuid), () -> o.deleteVcm(v.uuid, false, ADMIN));
      case 8, 9 -> check(run, "tenant " + tenant + " enrolls " + v.uuid, hsm.enroll(v.uuid, tenant),
          () -> o.tenantAction(v.uuid, run.tenants.get(tenant).principal(), VcmEntity.Action.ENROLL));
      case 10 -> check(run, "tenant " + tenant + " unenrolls " + v.uuid, hsm.unenroll(v.uuid, tenant),
          () -> o.tenantAction(v.uuid, run.tenants.get(tenant).principal(), VcmEntity.Action.UNENROLL));
      default -> {
        boolean maintenance = random.nextBoolean();
        check(run, "tenant " + tenant + " mode " + (maintenance ? "maintenance " : "operational ") + v.uuid,
            hsm.mode(v.uuid, tenant, maintenance),
            () -> o.tenantAction(v.uuid, run.tenants.get(tenant).principal(),
                maintenance ? VcmEntity.Action.MODE_MAINTENANCE : VcmEntity.Action.MODE_OPERATIONAL));
      }
    }
  }

  /** Runs the command; its outcome must be the model's. Returns the product's answer. */
  private Object check(Run run, String what, Optional<Code> expected, Supplier<CompletionStage<?>> command) {
    run.log.add(what + " -> " + expected.map(Code::name).orElse("accepted"));
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
          hsm.inOrder().stream().map(v -> v.uuid + " " + v.status.label() + " enrolled=" + (v.enrolled != null)
              + " maintenance=" + v.maintenance + " restart=" + v.restartRequired).collect(Collectors.toList()));
      String actual = describe(info.maxCreatableVcms(), info.maxActiveVcms(), info.vcmsCreated(), info.vcmsActive(),
          views.stream().map(v -> v.uuid() + " " + v.status().label() + " enrolled=" + (v.facts().enrolledBy() != null)
              + " maintenance=" + (v.facts().mode() == TenantFacts.Mode.MAINTENANCE)
              + " restart=" + v.facts().hardserverRestartRequired()).collect(Collectors.toList()));
      if (!expected.equals(actual)) {
        throw failure(run, esn + " differs:\n  model:   " + expected + "\n  product: " + actual);
      }
    }
  }

  private static String describe(int maxCreatable, int maxActive, long created, long active, List<String> vcms) {
    return "max_creatable " + maxCreatable + ", max_active " + maxActive + ", created " + created + ", active "
        + active + ", " + vcms;
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
