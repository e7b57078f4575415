package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One HSM, event sourced, supervising one child {@link VcmEntity} per VCM. It owns every
 * rule that spans VCMs: licences and limits (R3), the serial cardreader (R2), one enrolment
 * per tenant (R9), networking and addresses, reset and autostart, and the module clock.
 *
 * <p>Consistency with the children: each VCM's own journal is the truth about that VCM. The
 * HSM persists only what is its own (identity, licences, networking, clock offset) and the
 * membership of each VCM, written <em>before</em> the child's create and removed
 * <em>after</em> the child's delete. What the HSM knows of each VCM's state (active or not,
 * enrolment, serial cardreader, address) is a mirror rebuilt from the children at every
 * recovery, so it can never count a VCM twice or miss one. Between asking a child and its
 * answer, the slot the command may take (an active slot, the serial cardreader, an address,
 * a tenant's enrolment) stays reserved, so concurrent commands cannot overshoot a limit.
 *
 * <p>Lifecycle phases: {@link Unborn} until the module identity exists, then {@link Running}.
 * While it reconciles after recovery, or while a reset runs, commands wait in the stash.
 */
public final class HsmEntity
    extends EventSourcedBehaviorWithEnforcedReplies<HsmEntity.Command, HsmEntity.Event, HsmEntity.State> {

  public static final String ENTITY_TYPE = "hsm";
  private static final String MODULE_KEY = "module.key";
  private static final String MODULE_PUB = "module.pub";

  // ---------------------------------------------------------------------------------------
  // Protocol

  /** Every message an HSM understands. */
  public interface Command extends CborSerializable {}

  public record GetInfo(ActorRef<StatusReply<HsmInfo>> replyTo) implements Command {}

  public record GetEnvStats(ActorRef<StatusReply<EnvStats>> replyTo) implements Command {}

  /** Applies a licence file signed by the trusted vendor key ({@code hsmadmin fet}). */
  public record ApplyLicence(byte[] licence, Principal by, ActorRef<StatusReply<HsmInfo>> replyTo) implements Command {}

  /** Records new networking as pending; it takes effect at the next reset. */
  public record SetNetwork(Network network, Principal by, ActorRef<StatusReply<HsmInfo>> replyTo) implements Command {}

  /** Reboots: stops every active VCM, applies pending networking, starts autostart VCMs. */
  public record Reset(Principal by, ActorRef<StatusReply<ResetOutcome>> replyTo) implements Command {}

  /** Sets the module clock to read {@code moduleTime} now. */
  public record SetTime(Instant moduleTime, Principal by, ActorRef<StatusReply<HsmInfo>> replyTo) implements Command {}

  public record CreateVcm(byte[] request, ProviderChoices choices, Principal by,
      ActorRef<StatusReply<CreatedVcm>> replyTo) implements Command {}

  public record StartVcm(UUID uuid, byte[] request, Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record StopVcm(UUID uuid, boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record DeleteVcm(UUID uuid, boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record SetVcmProperty(UUID uuid, byte[] request, String property, String value, Principal by,
      ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record TenantVcmAction(UUID uuid, Principal tenant, VcmEntity.Action action, long bytes,
      ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  /** From the stats poller: the VCM's disk use exceeds the limit (R11). */
  public record StopVcmForDiskLimit(UUID uuid, long measuredBytes, long limitBytes, Principal by,
      ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record GetVcm(UUID uuid, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  /** Every VCM, in creation order. */
  public record ListVcms(ActorRef<StatusReply<List<VcmView>>> replyTo) implements Command {}

  /** The children, for the stats poller to measure directly. */
  public record GetVcmRefs(ActorRef<VcmRefs> replyTo) implements Command {}

  /** Replaces the stored resource figures of VCMs (from the stats poller). */
  public record RecordStats(List<VcmStats> stats, ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /** The stored resource figures, answered at once (never waits for a poll). */
  public record GetStats(ActorRef<StatusReply<List<VcmStats>>> replyTo) implements Command {}

  // Replies

  public record CreatedVcm(VcmView view, List<VcmEntity.PropertyDifference> differences, byte[] tenantConfig)
      implements CborSerializable {}

  public record ResetOutcome(List<UUID> stopped, List<UUID> started, Map<UUID, String> notStarted, HsmInfo info)
      implements CborSerializable {}

  public record VcmRefs(Map<UUID, ActorRef<VcmEntity.Command>> vcms) implements CborSerializable {}

  /** The last measured figures of one VCM. */
  public record VcmStats(UUID uuid, String name, VcmStatus status, long memoryBytes, long diskBytes,
      Instant collectedAt, boolean answered, boolean approachingDiskLimit) implements CborSerializable {}

  // Internal messages

  private enum EstablishIdentity implements Command { INSTANCE }

  private record Reconciled(Map<UUID, Optional<VcmView>> views) implements Command {}

  private record VcmAnswered(Operation op, VcmView view, Throwable failure) implements Command {}

  private record Refreshed(VcmView view) implements Command {}

  /** A VCM whose create went unanswered says it does not exist: its create was never persisted. */
  private record NeverCreated(UUID uuid) implements Command {}

  private record VcmCreateAnswered(Creation creation, VcmEntity.CreateResult result, Throwable failure)
      implements Command {}

  private record ResetStopsDone(Reset reset, List<VcmView> stopped) implements Command {}

  private record ResetStartsDone(Reset reset, List<UUID> stopped, Map<UUID, Object> results) implements Command {}

  // ---------------------------------------------------------------------------------------
  // Events

  public interface Event extends CborSerializable {
    EventMeta meta();
  }

  public record IdentityEstablished(String esn, String modulePublicKey, EventMeta meta) implements Event {}

  public record LicenceApplied(Licence licence, EventMeta meta) implements Event {}

  public record NetworkConfigured(Network pending, EventMeta meta) implements Event {}

  public record HsmReset(Network network, EventMeta meta) implements Event {}

  public record ClockSet(Duration offset, EventMeta meta) implements Event {}

  /** Written before the VCM's own create: the HSM never loses a VCM it started to create. */
  public record VcmAdmitted(UUID uuid, long order, EventMeta meta) implements Event {}

  /** The VCM's create was refused or never happened (found at recovery). */
  public record VcmAdmissionWithdrawn(UUID uuid, String reason, EventMeta meta) implements Event {}

  /** Written after the VCM's own delete. */
  public record VcmRemoved(UUID uuid, EventMeta meta) implements Event {}

  // ---------------------------------------------------------------------------------------
  // State

  public interface State extends CborSerializable {}

  /** Before the module identity exists. */
  public enum Unborn implements State { INSTANCE }

  /**
   * @param members VCM uuid to its creation order, in creation order
   */
  public record Running(String esn, String modulePublicKey, Licensing licensing, Network network,
      Network pendingNetwork, Duration clockOffset, Map<UUID, Long> members, long nextOrder)
      implements State {

    public Running {
      members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    Running with(Licensing l) {
      return new Running(esn, modulePublicKey, l, network, pendingNetwork, clockOffset, members, nextOrder);
    }

    Running withPending(Network pending) {
      return new Running(esn, modulePublicKey, licensing, network, pending, clockOffset, members, nextOrder);
    }

    Running afterReset(Network effective) {
      return new Running(esn, modulePublicKey, licensing, effective, null, clockOffset, members, nextOrder);
    }

    Running withClockOffset(Duration offset) {
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, offset, members, nextOrder);
    }

    Running admit(UUID uuid, long order) {
      Map<UUID, Long> m = new LinkedHashMap<>(members);
      m.put(uuid, order);
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, m,
          Math.max(nextOrder, order + 1));
    }

    Running remove(UUID uuid) {
      Map<UUID, Long> m = new LinkedHashMap<>(members);
      m.remove(uuid);
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, m, nextOrder);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Transient: the mirror of the children and what is in flight

  /** A forwarded command and what it holds reserved until the VCM answers. */
  private record Operation(UUID uuid, String verb, boolean startSlot, boolean serial, String ip,
      String enrolment, boolean removes, ActorRef<StatusReply<VcmView>> client) {}

  private record Creation(UUID uuid, VcmProperties properties, ActorRef<StatusReply<CreatedVcm>> client) {}

  private final String esn;
  private final ActorContext<Command> context;
  private final HsmEnvironment env;
  private final RequestVerifier verifier;

  private final Map<UUID, ActorRef<VcmEntity.Command>> children = new HashMap<>();
  private final Map<UUID, VcmView> views = new HashMap<>();
  private final Map<UUID, VcmStats> stats = new HashMap<>();
  private final Map<UUID, Integer> startsInFlight = new HashMap<>();
  private final Map<UUID, VcmProperties> creationsInFlight = new HashMap<>();
  private final Map<String, Integer> ipsInFlight = new HashMap<>();
  private final Map<UUID, Integer> serialInFlight = new HashMap<>();
  private final Map<String, UUID> enrolmentsInFlight = new HashMap<>();
  /** Members that did not answer at recovery: not in the mirror until they answer a refresh. */
  private final Set<UUID> unanswered = new HashSet<>();
  private boolean ready;
  private boolean resetting;
  private KeyPair moduleKey;

  public static PersistenceId persistenceId(String esn) {
    return PersistenceId.of(ENTITY_TYPE, esn);
  }

  public static Behavior<Command> create(String esn, HsmEnvironment env) {
    return Behaviors.setup(ctx -> new HsmEntity(esn, ctx, env));
  }

  private HsmEntity(String esn, ActorContext<Command> context, HsmEnvironment env) {
    super(persistenceId(esn),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.esn = esn;
    this.context = context;
    this.env = env;
    this.verifier = new RequestVerifier(env.vcmSettings().clockSkew());
  }

  @Override
  public State emptyState() {
    return Unborn.INSTANCE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(env.settings().snapshotEvery(), env.settings().keepSnapshots());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .build();
  }

  private void onRecoveryCompleted(State state) {
    forgetTransientState();
    if (state instanceof Running) {
      Running r = (Running) state;
      env.clock().setOffset(r.clockOffset());
      moduleKey = loadModuleKey(r);
      reconcile(r);
    } else {
      context.getSelf().tell(EstablishIdentity.INSTANCE);
    }
  }

  /**
   * After a journal failure the supervisor restarts the behavior on this same object, having
   * stopped the children: the mirror, the child references and the reservations are stale.
   */
  private void forgetTransientState() {
    children.clear();
    views.clear();
    startsInFlight.clear();
    creationsInFlight.clear();
    ipsInFlight.clear();
    serialInFlight.clear();
    enrolmentsInFlight.clear();
    unanswered.clear();
    resetting = false;
  }

  /** Spawns every member and asks each for its state; commands wait until all have answered. */
  private void reconcile(Running r) {
    ready = false;
    Map<UUID, CompletionStage<Optional<VcmView>>> asks = new LinkedHashMap<>();
    for (UUID uuid : r.members().keySet()) {
      ActorRef<VcmEntity.Command> child = child(uuid);
      CompletionStage<Optional<VcmView>> view = Asks.<VcmEntity.Command, StatusReply<VcmView>>ask(
              context.getSystem(), child, VcmEntity.GetView::new, env.settings().vcmAskTimeout().multipliedBy(6))
          .thenApply(reply -> reply.isSuccess() ? Optional.of(reply.getValue()) : Optional.<VcmView>empty());
      asks.put(uuid, view);
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(
        asks.values().stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
    context.pipeToSelf(all, (ok, failure) -> {
      Map<UUID, Optional<VcmView>> result = new LinkedHashMap<>();
      asks.forEach((uuid, stage) -> result.put(uuid, stage.toCompletableFuture().isCompletedExceptionally()
          ? null : stage.toCompletableFuture().join()));
      return new Reconciled(result);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Command handlers

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();

    b.forStateType(Unborn.class)
        .onCommand(EstablishIdentity.class, this::onEstablishIdentity)
        .onCommand(Command.class, (s, c) -> Effect().stash());

    b.forStateType(Running.class)
        .onCommand(Reconciled.class, this::onReconciled)
        .onCommand(VcmAnswered.class, this::onVcmAnswered)
        .onCommand(Refreshed.class, (s, c) -> {
          observe(c.view());
          return Effect().noReply();
        })
        .onCommand(NeverCreated.class, this::onNeverCreated)
        .onCommand(VcmCreateAnswered.class, this::onVcmCreateAnswered)
        .onCommand(ResetStopsDone.class, this::onResetStopsDone)
        .onCommand(ResetStartsDone.class, this::onResetStartsDone)
        .onCommand(c -> !ready || resetting, (s, c) -> Effect().stash())
        .onCommand(GetInfo.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(info(s))))
        .onCommand(GetEnvStats.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(envStats())))
        .onCommand(ApplyLicence.class, this::onApplyLicence)
        .onCommand(SetNetwork.class, this::onSetNetwork)
        .onCommand(SetTime.class, this::onSetTime)
        .onCommand(Reset.class, this::onReset)
        .onCommand(CreateVcm.class, this::onCreateVcm)
        .onCommand(StartVcm.class, this::onStartVcm)
        .onCommand(StopVcm.class, (s, c) -> forward(c.uuid(), c.replyTo(), "stop", false, false, null, null, false,
            r -> new VcmEntity.Stop(c.force(), c.by(), r)))
        .onCommand(DeleteVcm.class, (s, c) -> forward(c.uuid(), c.replyTo(), "delete", false, false, null, null, true,
            r -> new VcmEntity.Delete(c.force(), c.by(), r)))
        .onCommand(StopVcmForDiskLimit.class, (s, c) -> forward(c.uuid(), c.replyTo(), "stop", false, false, null, null,
            false, r -> new VcmEntity.StopForDiskLimit(c.measuredBytes(), c.limitBytes(), c.by(), r)))
        .onCommand(SetVcmProperty.class, this::onSetVcmProperty)
        .onCommand(TenantVcmAction.class, this::onTenantVcmAction)
        .onCommand(GetVcm.class, (s, c) -> Effect().reply(c.replyTo(), Optional.ofNullable(views.get(c.uuid()))
            .map(StatusReply::success).orElseGet(() -> StatusReply.error(unknownVcm(c.uuid())))))
        .onCommand(ListVcms.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(inCreationOrder(s))))
        .onCommand(GetVcmRefs.class, (s, c) -> Effect().reply(c.replyTo(), new VcmRefs(Map.copyOf(
            children.entrySet().stream().filter(e -> views.containsKey(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))))))
        .onCommand(RecordStats.class, this::onRecordStats)
        .onCommand(GetStats.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(storedStats(s))))
        .onCommand(EstablishIdentity.class, (s, c) -> Effect().noReply());

    return b.build();
  }

  private ReplyEffect<Event, State> onEstablishIdentity(Unborn s, EstablishIdentity c) {
    moduleKey = loadOrCreateModuleKey();
    return Effect().persist(new IdentityEstablished(esn, PublicKeys.encode(moduleKey.getPublic()),
            meta(Principal.system("first-boot"), null)))
        .thenRun(x -> ready = true)
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> onReconciled(Running s, Reconciled c) {
    List<Event> corrections = new ArrayList<>();
    c.views().forEach((uuid, view) -> {
      if (view == null) {
        context.getLog().warn("VCM {} did not answer at recovery; it is kept and asked again on use", uuid);
        unanswered.add(uuid);
        refresh(uuid);
      } else if (view.isEmpty()) {
        corrections.add(new VcmAdmissionWithdrawn(uuid, "its create was never persisted",
            meta(Principal.system("recovery"), null)));
      } else if (view.get().status() == VcmStatus.DELETED) {
        corrections.add(new VcmRemoved(uuid, meta(Principal.system("recovery"), null)));
      } else {
        views.put(uuid, view.get());
      }
    });
    if (!corrections.isEmpty()) {
      context.getLog().info("HSM {} reconciled {} VCM membership change(s) left by an interrupted command",
          esn, corrections.size());
    }
    return Effect().persist(corrections)
        .thenRun(x -> {
          corrections.forEach(e -> forgetChild(e instanceof VcmRemoved ? ((VcmRemoved) e).uuid()
              : ((VcmAdmissionWithdrawn) e).uuid()));
          ready = true;
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> onApplyLicence(Running s, ApplyLicence c) {
    Licence licence;
    try {
      licence = Licence.verify(c.licence(), env.vendorKey(), esn);
    } catch (RequestException e) {
      return refuse(c.replyTo(), new Refusal(Code.INVALID_LICENCE, "licence refused: " + e.getMessage()));
    }
    return Effect().persist(new LicenceApplied(licence, meta(c.by(), PublicKeys.sha256Hex(c.licence()))))
        .thenReply(c.replyTo(), x -> StatusReply.success(info((Running) x)));
  }

  private ReplyEffect<Event, State> onSetNetwork(Running s, SetNetwork c) {
    List<String> stranded = new ArrayList<>(views.values().stream()
        .filter(v -> !c.network().contains(v.properties().ipAddress()))
        .sorted(Comparator.comparing(v -> s.members().getOrDefault(v.uuid(), 0L)))
        .map(v -> v.uuid() + " (" + v.properties().ipAddress() + ")")
        .toList());
    // Addresses being taken right now count too: a VCM being created, or one changing its address.
    creationsInFlight.forEach((uuid, p) -> {
      if (!c.network().contains(p.ipAddress())) {
        stranded.add(uuid + " (" + p.ipAddress() + ", being created)");
      }
    });
    ipsInFlight.keySet().stream().filter(ip -> !c.network().contains(ip)).sorted()
        .forEach(ip -> stranded.add("a VCM changing its address to " + ip));
    if (!stranded.isEmpty()) {
      return refuse(c.replyTo(), new Refusal(Code.NETWORK_CONFLICT, "networking " + c.network()
          + " would leave these VCMs outside the range: " + String.join(", ", stranded)
          + "; delete them or choose a range that contains them"));
    }
    return Effect().persist(new NetworkConfigured(c.network(), meta(c.by(), null)))
        .thenReply(c.replyTo(), x -> StatusReply.success(info((Running) x)));
  }

  private ReplyEffect<Event, State> onSetTime(Running s, SetTime c) {
    Duration offset = env.clock().offsetFor(c.moduleTime());
    return Effect().persist(new ClockSet(offset, meta(c.by(), null)))
        .thenRun(x -> env.clock().setOffset(offset))
        .thenReply(c.replyTo(), x -> StatusReply.success(info((Running) x)));
  }

  // ---- create -----------------------------------------------------------------------------

  private ReplyEffect<Event, State> onCreateVcm(Running s, CreateVcm c) {
    if (s.network() == null) {
      return refuse(c.replyTo(), new Refusal(Code.NETWORK_NOT_SET, s.pendingNetwork() == null
          ? "VCM networking is not set; run hsmadmin setnetwork, then hsmadmin reset"
          : "VCM networking " + s.pendingNetwork() + " is pending; run hsmadmin reset for it to take effect"));
    }
    if (s.members().size() >= s.licensing().maxCreatable()) {
      return refuse(c.replyTo(), new Refusal(Code.CREATE_LIMIT_REACHED, "R3: this HSM already has "
          + s.members().size() + " VCMs, its max_creatable_vcms; delete one with vcmadmin delete"
          + (s.licensing().multiTenant() ? "" : ", or apply a multi-tenant licence")));
    }
    VerifiedRequest request;
    try {
      request = verifier.verifyCreate(SignedRequest.parse(c.request()), env.clock().now());
    } catch (RequestException e) {
      return refuse(c.replyTo(), new Refusal(Code.INVALID_REQUEST, "invalid tenant request: " + e.getMessage()));
    }
    VcmProperties properties;
    try {
      properties = initialProperties(s, request, c.choices());
    } catch (Refusal r) {
      return refuse(c.replyTo(), r);
    }
    UUID uuid = UUID.randomUUID();
    long order = s.nextOrder();
    reserveCreation(uuid, properties);
    return Effect().persist(new VcmAdmitted(uuid, order, meta(c.by(), request.digest())))
        .thenRun(x -> Asks.<VcmEntity.Command, VcmEntity.CreateResult, Command>askWithStatus(context, child(uuid),
            env.settings().vcmAskTimeout(),
            r -> new VcmEntity.Create(c.request(), properties, c.by(), r),
            (result, failure) -> new VcmCreateAnswered(new Creation(uuid, properties, c.replyTo()), result, failure)))
        .thenNoReply();
  }

  /** The tenant's requested properties, with the provider's choices and the HSM's defaults applied. */
  private VcmProperties initialProperties(Running s, VerifiedRequest request, ProviderChoices choices) {
    var payload = request.payload();
    boolean autostart = choices.autostart() != null ? choices.autostart()
        : payload.requested(VcmProperty.AUTOSTART).map(Boolean::parseBoolean).orElse(false);
    boolean restrict = payload.requested(VcmProperty.RESTRICT_STARTUP).map(Boolean::parseBoolean).orElse(false);
    boolean serial = choices.serialCardreader() != null ? choices.serialCardreader()
        : payload.requested(VcmProperty.SERIAL_CARDREADER).map(Boolean::parseBoolean).orElse(false);
    if (autostart && restrict) {
      throw new Refusal(Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE, "R1: autostart and restrict_startup cannot both be true;"
          + " the tenant asked for restrict_startup, so create with --no-autostart");
    }
    List<String> features = s.licensing().features();
    String askedFeatures = choices.features() != null ? choices.features()
        : payload.requested(VcmProperty.FEATURES).orElse(null);
    if (askedFeatures != null) {
      features = parseFeatures(askedFeatures);
      checkLicensed(s, features);
    }
    String name = choices.name() != null ? choices.name() : payload.requested(VcmProperty.NAME).orElse(null);
    if (name == null || name.isBlank()) {
      throw new Refusal(Code.INVALID_ARGUMENT, "the VCM needs a name: give NAME on the command line");
    }
    try {
      name = VcmProperties.canonical(VcmProperty.NAME, name);
    } catch (IllegalArgumentException e) {
      throw new Refusal(Code.INVALID_ARGUMENT, e.getMessage());
    }
    if (serial) {
      checkSerialCardreaderFree(null);
    }
    String ip = choices.ipAddress() != null ? checkAddress(s, choices.ipAddress(), null) : assignAddress(s);
    return new VcmProperties(autostart, restrict, serial, features, name, ip, payload.requestKey());
  }

  private ReplyEffect<Event, State> onVcmCreateAnswered(Running s, VcmCreateAnswered c) {
    Creation creation = c.creation();
    releaseCreation(creation.uuid(), creation.properties());
    if (c.failure() != null) {
      if (c.failure() instanceof Refusal) {
        forgetChild(creation.uuid());
        return Effect().persist(new VcmAdmissionWithdrawn(creation.uuid(), c.failure().getMessage(),
                meta(Principal.system("hsm"), null)))
            .thenReply(creation.client(), x -> StatusReply.error(c.failure()));
      }
      recheckCreation(creation.uuid());
      return refuse(creation.client(), unavailable(creation.uuid(), c.failure()));
    }
    VcmView view = c.result().view();
    observe(view);
    if (moduleKey == null) {
      return refuse(creation.client(), new Refusal(Code.UNAVAILABLE, "VCM " + view.uuid() + " was created, but the module"
          + " key is missing from " + env.keyDirectory() + ", so no tenant configuration file could be signed"));
    }
    byte[] config = TenantConfig.issue(view, s.esn(), moduleKey, env.clock().now());
    return Effect().reply(creation.client(), StatusReply.success(
        new CreatedVcm(view, c.result().differences(), config)));
  }

  /** Withdraws the admission of a VCM that does not exist, as recovery would; until then it held a create slot. */
  private ReplyEffect<Event, State> onNeverCreated(Running s, NeverCreated c) {
    if (!s.members().containsKey(c.uuid()) || views.containsKey(c.uuid()) || creationsInFlight.containsKey(c.uuid())) {
      return Effect().noReply();
    }
    forgetChild(c.uuid());
    return Effect().persist(new VcmAdmissionWithdrawn(c.uuid(), "its create was never persisted",
            meta(Principal.system("hsm"), null)))
        .thenNoReply();
  }

  // ---- start, properties, tenant actions ----------------------------------------------------

  private ReplyEffect<Event, State> onStartVcm(Running s, StartVcm c) {
    VcmView view = views.get(c.uuid());
    if (view == null) {
      return refuse(c.replyTo(), unknownVcm(c.uuid()));
    }
    if (view.status() == VcmStatus.INACTIVE && !startsInFlight.containsKey(c.uuid())
        && activeCount() >= s.licensing().maxActive()) {
      return refuse(c.replyTo(), activeLimit(s));
    }
    return forward(c.uuid(), c.replyTo(), "start", true, false, null, null, false,
        r -> new VcmEntity.Start(c.request(), c.by(), r));
  }

  private ReplyEffect<Event, State> onSetVcmProperty(Running s, SetVcmProperty c) {
    VcmView view = views.get(c.uuid());
    if (view == null) {
      return refuse(c.replyTo(), unknownVcm(c.uuid()));
    }
    Optional<VcmProperty> property = VcmProperty.fromName(c.property());
    String ip = null;
    boolean serial = false;
    // The HSM-wide checks; the VCM checks the request, R1 and R7 itself.
    if (property.isPresent() && view.status() == VcmStatus.INACTIVE) {
      try {
        switch (property.get()) {
          case SERIAL_CARDREADER:
            serial = VcmProperty.parseBoolean(c.value()).orElse(false);
            if (serial) {
              checkSerialCardreaderFree(c.uuid());
            }
            break;
          case IP_ADDRESS:
            ip = checkAddress(s, c.value(), c.uuid());
            break;
          case FEATURES:
            checkLicensed(s, parseFeatures(c.value()));
            break;
          default:
            break;
        }
      } catch (Refusal r) {
        return refuse(c.replyTo(), r);
      }
    }
    return forward(c.uuid(), c.replyTo(), "modify", false, serial, ip, null, false,
        r -> new VcmEntity.SetProperty(c.request(), c.property(), c.value(), c.by(), r));
  }

  private ReplyEffect<Event, State> onTenantVcmAction(Running s, TenantVcmAction c) {
    VcmView view = views.get(c.uuid());
    if (view == null) {
      return refuse(c.replyTo(), unknownVcm(c.uuid()));
    }
    String enrolment = null;
    if (c.action() == VcmEntity.Action.ENROL && c.tenant() != null) {
      String tenant = c.tenant().id();
      Optional<UUID> other = enrolledVcmOf(tenant).filter(u -> !u.equals(c.uuid()));
      if (other.isPresent()) {
        return refuse(c.replyTo(), new Refusal(Code.TENANT_ALREADY_ENROLLED, "R9: this tenant is already enrolled to VCM "
            + other.get() + " on this HSM; unenroll it first (hsmadmin vcm unenroll " + other.get() + ")"));
      }
      enrolment = tenant;
    }
    return forward(c.uuid(), c.replyTo(), "tenant action", false, false, null, enrolment, false,
        r -> new VcmEntity.TenantAction(c.tenant(), c.action(), c.bytes(), r));
  }

  /** Sends a command to a VCM, holding the named reservations until it answers. */
  private ReplyEffect<Event, State> forward(UUID uuid, ActorRef<StatusReply<VcmView>> client, String verb,
      boolean startSlot, boolean serial, String ip, String enrolment, boolean removes,
      java.util.function.Function<ActorRef<StatusReply<VcmView>>, VcmEntity.Command> command) {
    if (!views.containsKey(uuid)) {
      return refuse(client, unknownVcm(uuid));
    }
    Operation op = new Operation(uuid, verb, startSlot, serial, ip, enrolment, removes, client);
    reserve(op);
    Asks.<VcmEntity.Command, VcmView, Command>askWithStatus(context, child(uuid), env.settings().vcmAskTimeout(),
        command, (view, failure) -> new VcmAnswered(op, view, failure));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onVcmAnswered(Running s, VcmAnswered c) {
    Operation op = c.op();
    release(op);
    if (c.failure() != null) {
      if (c.failure() instanceof Refusal) {
        return refuse(op.client(), (Refusal) c.failure());
      }
      refresh(op.uuid());
      return refuse(op.client(), unavailable(op.uuid(), c.failure()));
    }
    observe(c.view());
    if (op.removes() && c.view().status() == VcmStatus.DELETED) {
      return Effect().persist(new VcmRemoved(op.uuid(), meta(Principal.system("hsm"), null)))
          .thenRun(x -> forgetChild(op.uuid()))
          .thenReply(op.client(), x -> StatusReply.success(c.view()));
    }
    return Effect().reply(op.client(), StatusReply.success(c.view()));
  }

  // ---- reset ------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onReset(Running s, Reset c) {
    Network effective = s.pendingNetwork() != null ? s.pendingNetwork() : s.network();
    return Effect().persist(new HsmReset(effective, meta(c.by(), null)))
        .thenRun(x -> {
          resetting = true;
          List<CompletionStage<Optional<VcmView>>> stops = new ArrayList<>();
          for (VcmView v : inCreationOrder(s)) {
            // A VCM whose start is on its way handles that start first, then this stop.
            if (v.isActive() || startsInFlight.containsKey(v.uuid())) {
              stops.add(askChild(v.uuid(), r -> new VcmEntity.StopForReset(c.by(), r))
                  .handle((view, failure) -> Optional.ofNullable(view)));
            }
          }
          context.pipeToSelf(allOf(stops), (list, failure) -> new ResetStopsDone(c,
              list == null ? List.of() : list.stream().flatMap(Optional::stream).toList()));
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onResetStopsDone(Running s, ResetStopsDone c) {
    c.stopped().forEach(this::observe);
    List<UUID> stopped = c.stopped().stream().map(VcmView::uuid).toList();
    List<VcmView> autostart = inCreationOrder(s).stream()
        .filter(v -> v.status() == VcmStatus.INACTIVE && v.properties().autostart())
        .toList();
    int room = Math.max(0, s.licensing().maxActive() - activeCount());
    // Every entry is placed before any start is asked for, so the outcome lists the VCMs in
    // creation order (not in the order they answer) and the answers only replace values.
    Map<UUID, Object> results = new LinkedHashMap<>();
    for (int i = 0; i < autostart.size(); i++) {
      results.put(autostart.get(i).uuid(), i < room ? "did not answer"
          : "R3: max_active_vcms (" + s.licensing().maxActive() + ") reached");
    }
    List<CompletionStage<Void>> starts = new ArrayList<>();
    for (VcmView v : autostart.subList(0, Math.min(room, autostart.size()))) {
      UUID uuid = v.uuid();
      starts.add(askChild(uuid, r -> new VcmEntity.Start(null, c.reset().by(), r))
          .handle((view, failure) -> {
            synchronized (results) {
              results.put(uuid, view != null ? view
                  : (failure.getCause() != null ? failure.getCause() : failure).getMessage());
            }
            return null;
          }));
    }
    context.pipeToSelf(allOf(starts), (x, failure) -> {
      synchronized (results) {
        return new ResetStartsDone(c.reset(), stopped, new LinkedHashMap<>(results));
      }
    });
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onResetStartsDone(Running s, ResetStartsDone c) {
    List<UUID> started = new ArrayList<>();
    Map<UUID, String> notStarted = new LinkedHashMap<>();
    c.results().forEach((uuid, result) -> {
      if (result instanceof VcmView) {
        observe((VcmView) result);
        started.add(uuid);
      } else {
        notStarted.put(uuid, String.valueOf(result));
      }
    });
    resetting = false;
    ResetOutcome outcome = new ResetOutcome(c.stopped(), started, notStarted, info(s));
    return Effect().reply(c.reset().replyTo(), StatusReply.success(outcome)).thenUnstashAll();
  }

  // ---- stats ------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onRecordStats(Running s, RecordStats c) {
    for (VcmStats figures : c.stats()) {
      if (views.containsKey(figures.uuid())) {
        stats.put(figures.uuid(), figures);
      }
    }
    stats.keySet().retainAll(views.keySet());
    return Effect().reply(c.replyTo(), org.apache.pekko.Done.getInstance());
  }

  private List<VcmStats> storedStats(Running s) {
    List<VcmStats> out = new ArrayList<>();
    for (VcmView v : inCreationOrder(s)) {
      VcmStats figures = stats.get(v.uuid());
      out.add(figures != null
          ? new VcmStats(v.uuid(), v.properties().name(), v.status(), figures.memoryBytes(), figures.diskBytes(),
              figures.collectedAt(), figures.answered(), figures.approachingDiskLimit())
          : new VcmStats(v.uuid(), v.properties().name(), v.status(), 0, 0, null, false, false));
    }
    return out;
  }

  private EnvStats envStats() {
    long memory = env.settings().platformMemory();
    long disk = 0;
    for (VcmView v : views.values()) {
      VcmStats figures = stats.get(v.uuid());
      if (figures != null) {
        memory += v.isActive() ? figures.memoryBytes() : 0;
        disk += figures.diskBytes();
      }
    }
    return new EnvStats(env.settings().memTotal(), memory, disk);
  }

  // ---------------------------------------------------------------------------------------
  // Event handler

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Unborn.class)
        .onEvent(IdentityEstablished.class, (s, e) -> new Running(e.esn(), e.modulePublicKey(),
            Licensing.unlicensed(env.settings().baseFeatures()), null, null, Duration.ZERO, Map.of(), 1));
    b.forStateType(Running.class)
        .onEvent(LicenceApplied.class, (s, e) -> s.with(s.licensing().apply(e.licence())))
        .onEvent(NetworkConfigured.class, (s, e) -> s.withPending(e.pending()))
        .onEvent(HsmReset.class, (s, e) -> s.afterReset(e.network()))
        .onEvent(ClockSet.class, (s, e) -> s.withClockOffset(e.offset()))
        .onEvent(VcmAdmitted.class, (s, e) -> s.admit(e.uuid(), e.order()))
        .onEvent(VcmAdmissionWithdrawn.class, (s, e) -> s.remove(e.uuid()))
        .onEvent(VcmRemoved.class, (s, e) -> s.remove(e.uuid()));
    return b.build();
  }

  // ---------------------------------------------------------------------------------------
  // The mirror and reservations

  private ActorRef<VcmEntity.Command> child(UUID uuid) {
    return children.computeIfAbsent(uuid, u -> context.spawn(
        VcmEntity.create(u, env.clock(), env.runtime(), env.vcmSettings()), u.toString()));
  }

  private void forgetChild(UUID uuid) {
    ActorRef<VcmEntity.Command> child = children.remove(uuid);
    if (child != null) {
      context.stop(child);
    }
    views.remove(uuid);
    stats.remove(uuid);
  }

  /** Keeps the newest view of each VCM; answers can arrive out of order. */
  private void observe(VcmView view) {
    unanswered.remove(view.uuid());
    if (view.status() == VcmStatus.DELETED) {
      views.remove(view.uuid());
      return;
    }
    views.merge(view.uuid(), view, (old, neu) -> neu.sequenceNr() >= old.sequenceNr() ? neu : old);
  }

  /** Asks a VCM for its state again after an answer was lost; no answer leaves the mirror as it is. */
  private void refresh(UUID uuid) {
    ActorRef<Command> self = context.getSelf();
    askChild(uuid, VcmEntity.GetView::new).thenAccept(view -> self.tell(new Refreshed(view)));
  }

  /**
   * Asks a VCM whose create went unanswered for its state. The ask follows the create, so the VCM
   * answers after it has handled (or, crashing, lost) the create: a view means it was created, "not
   * found" means it never will be. No answer leaves it to the next recovery.
   */
  private void recheckCreation(UUID uuid) {
    ActorRef<Command> self = context.getSelf();
    Asks.<VcmEntity.Command, StatusReply<VcmView>>ask(context.getSystem(), child(uuid), VcmEntity.GetView::new,
            env.settings().vcmAskTimeout())
        .thenAccept(reply -> {
          if (reply.isSuccess()) {
            self.tell(new Refreshed(reply.getValue()));
          } else if (reply.getError() instanceof Refusal && ((Refusal) reply.getError()).code() == Code.NOT_FOUND) {
            self.tell(new NeverCreated(uuid));
          }
        });
  }

  private CompletionStage<VcmView> askChild(UUID uuid,
      java.util.function.Function<ActorRef<StatusReply<VcmView>>, VcmEntity.Command> command) {
    return Asks.<VcmEntity.Command, StatusReply<VcmView>>ask(context.getSystem(), child(uuid), command,
            env.settings().vcmAskTimeout())
        .thenApply(reply -> {
          if (reply.isError()) {
            throw new java.util.concurrent.CompletionException(reply.getError());
          }
          return reply.getValue();
        });
  }

  private static <T> CompletionStage<List<T>> allOf(List<CompletionStage<T>> stages) {
    CompletableFuture<?>[] futures = stages.stream().map(CompletionStage::toCompletableFuture)
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(futures).handle((x, failure) -> {
      List<T> out = new ArrayList<>();
      for (CompletableFuture<?> f : futures) {
        @SuppressWarnings("unchecked")
        T value = f.isCompletedExceptionally() ? null : (T) f.join();
        out.add(value);
      }
      return out;
    });
  }

  private int activeCount() {
    int active = 0;
    for (VcmView v : views.values()) {
      if (v.isActive()) {
        active++;
      }
    }
    for (UUID uuid : startsInFlight.keySet()) {
      VcmView v = views.get(uuid);
      if (v == null || !v.isActive()) {
        active++;
      }
    }
    return active;
  }

  private Optional<UUID> enrolledVcmOf(String tenant) {
    UUID pending = enrolmentsInFlight.get(tenant);
    if (pending != null) {
      return Optional.of(pending);
    }
    return views.values().stream().filter(v -> tenant.equals(v.facts().enrolledBy())).map(VcmView::uuid).findFirst();
  }

  private void checkSerialCardreaderFree(UUID except) {
    Optional<UUID> holder = views.values().stream()
        .filter(v -> v.properties().serialCardreader() && !v.uuid().equals(except))
        .map(VcmView::uuid).findFirst()
        .or(() -> serialInFlight.keySet().stream().filter(u -> !u.equals(except)).findFirst())
        .or(() -> creationsInFlight.entrySet().stream().filter(e -> e.getValue().serialCardreader())
            .map(Map.Entry::getKey).findFirst());
    if (holder.isPresent()) {
      throw new Refusal(Code.SERIAL_CARDREADER_IN_USE, "R2: VCM " + holder.get() + " already has the serial cardreader;"
          + " only one VCM per HSM can: set serial_cardreader false on it first, or create with --no-serial-cardreader");
    }
  }

  private String assignAddress(Running s) {
    return s.network().firstFree(usedAddresses(null), Optional.ofNullable(s.pendingNetwork()))
        .orElseThrow(() -> new Refusal(Code.ADDRESS_UNAVAILABLE, "no free address left in " + s.network()
            + (s.pendingNetwork() == null ? "" : " that also fits the pending " + s.pendingNetwork())
            + "; delete a VCM or choose a larger range"));
  }

  private String checkAddress(Running s, String raw, UUID except) {
    String ip;
    try {
      ip = VcmProperties.canonical(VcmProperty.IP_ADDRESS, raw);
    } catch (IllegalArgumentException e) {
      throw new Refusal(Code.INVALID_ARGUMENT, e.getMessage());
    }
    if (!s.network().contains(ip) || (s.pendingNetwork() != null && !s.pendingNetwork().contains(ip))) {
      throw new Refusal(Code.ADDRESS_UNAVAILABLE, ip + " is not a usable address of " + s.network()
          + (s.pendingNetwork() == null ? "" : " and of the pending " + s.pendingNetwork())
          + "; choose one inside the range, or leave --ip-address out to have one assigned");
    }
    if (usedAddresses(except).contains(ip)) {
      throw new Refusal(Code.ADDRESS_UNAVAILABLE, ip + " is already used by another VCM; choose another address");
    }
    return ip;
  }

  private Set<String> usedAddresses(UUID except) {
    Set<String> used = new HashSet<>(ipsInFlight.keySet());
    views.values().stream().filter(v -> !v.uuid().equals(except)).forEach(v -> used.add(v.properties().ipAddress()));
    creationsInFlight.values().forEach(p -> used.add(p.ipAddress()));
    return used;
  }

  private static List<String> parseFeatures(String joined) {
    try {
      return VcmProperties.splitFeatures(joined);
    } catch (IllegalArgumentException e) {
      throw new Refusal(Code.INVALID_ARGUMENT, e.getMessage());
    }
  }

  private static void checkLicensed(Running s, List<String> features) {
    List<String> missing = features.stream().filter(f -> !s.licensing().features().contains(f)).toList();
    if (!missing.isEmpty()) {
      throw new Refusal(Code.FEATURE_NOT_LICENSED, "features " + missing + " are not licensed on this HSM (licensed: "
          + s.licensing().features() + "); apply a licence for them with hsmadmin fet, or leave them out");
    }
  }

  private void reserveCreation(UUID uuid, VcmProperties p) {
    creationsInFlight.put(uuid, p);
  }

  private void releaseCreation(UUID uuid, VcmProperties p) {
    creationsInFlight.remove(uuid);
  }

  private void reserve(Operation op) {
    if (op.startSlot()) {
      startsInFlight.merge(op.uuid(), 1, Integer::sum);
    }
    if (op.serial()) {
      serialInFlight.merge(op.uuid(), 1, Integer::sum);
    }
    if (op.ip() != null) {
      ipsInFlight.merge(op.ip(), 1, Integer::sum);
    }
    if (op.enrolment() != null) {
      enrolmentsInFlight.put(op.enrolment(), op.uuid());
    }
  }

  private void release(Operation op) {
    if (op.startSlot()) {
      startsInFlight.computeIfPresent(op.uuid(), (k, n) -> n > 1 ? n - 1 : null);
    }
    if (op.serial()) {
      serialInFlight.computeIfPresent(op.uuid(), (k, n) -> n > 1 ? n - 1 : null);
    }
    if (op.ip() != null) {
      ipsInFlight.computeIfPresent(op.ip(), (k, n) -> n > 1 ? n - 1 : null);
    }
    if (op.enrolment() != null) {
      enrolmentsInFlight.remove(op.enrolment(), op.uuid());
    }
  }

  private List<VcmView> inCreationOrder(Running s) {
    List<VcmView> out = new ArrayList<>();
    for (UUID uuid : s.members().keySet()) {
      VcmView v = views.get(uuid);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  private HsmInfo info(Running s) {
    int active = (int) views.values().stream().filter(VcmView::isActive).count();
    return new HsmInfo(s.esn(), s.licensing().speed(), s.licensing().multiTenant(), s.licensing().maxCreatable(),
        s.licensing().maxActive(), s.members().size(), active, s.network(), s.pendingNetwork(),
        s.licensing().features(), env.clock().now(), PublicKeys.fingerprint(s.modulePublicKey()));
  }

  // ---------------------------------------------------------------------------------------

  private KeyPair loadOrCreateModuleKey() {
    try {
      return io.vcmctl.vcm.request.KeyFiles.readOrCreateKeyPair(
          env.keyDirectory().resolve(MODULE_KEY), env.keyDirectory().resolve(MODULE_PUB));
    } catch (RequestException e) {
      throw new IllegalStateException("module key of HSM " + esn + ": " + e.getMessage(), e);
    }
  }

  /** The module key must be the one whose public half the journal recorded at first boot. */
  private KeyPair loadModuleKey(Running r) {
    KeyPair key = loadOrCreateModuleKey();
    if (!PublicKeys.encode(key.getPublic()).equals(r.modulePublicKey())) {
      context.getLog().error("the module key in {} is not the one HSM {} was born with; tenant configuration files"
          + " cannot be signed until the original key file is restored", env.keyDirectory(), esn);
      return null;
    }
    return key;
  }

  private EventMeta meta(Principal by, String digest) {
    return EventMeta.of(env.clock(), by, digest);
  }

  private <R> ReplyEffect<Event, State> refuse(ActorRef<StatusReply<R>> replyTo, Refusal refusal) {
    return Effect().reply(replyTo, StatusReply.error(refusal));
  }

  private Refusal unknownVcm(UUID uuid) {
    if (unanswered.contains(uuid)) {
      refresh(uuid);
      return new Refusal(Code.UNAVAILABLE, "VCM " + uuid + " has not answered since the HSM restarted; it is being"
          + " asked again, try again");
    }
    return new Refusal(Code.NOT_FOUND, "no VCM " + uuid + " on this HSM; list VCMs with vcmadmin show");
  }

  private static Refusal unavailable(UUID uuid, Throwable failure) {
    return new Refusal(Code.UNAVAILABLE, "VCM " + uuid + " did not answer in time (" + failure.getClass().getSimpleName()
        + "); its state is being re-read, try again");
  }

  private static Refusal activeLimit(Running s) {
    return new Refusal(Code.ACTIVE_LIMIT_REACHED, "R3: max_active_vcms (" + s.licensing().maxActive()
        + ") VCMs are active or starting; stop one with vcmadmin stop, or apply a licence for more");
  }
}
