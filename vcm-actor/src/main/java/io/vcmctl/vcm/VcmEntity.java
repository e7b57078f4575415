package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestKind;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One VCM, event sourced. Commands are checked against the VCM's own rules (R1, R4–R8,
 * R10–R12) and, when allowed, become past-tense events that the state applies; a refusal
 * persists nothing and replies {@link StatusReply#error} with a {@link Refusal}.
 *
 * <p>Lifecycle phases are state types: {@link Uncreated} → {@link Inactive} ⇄ {@link Active}
 * → {@link DiskLimitStopped}; any stopped phase → {@link Deleted}. The rules that span VCMs
 * (R2 serial cardreader, R3 limits, R9 one enrollment per tenant, address range and uniqueness)
 * belong to the HSM, which checks them before it forwards a command here.
 *
 * <p>Every event carries {@link EventMeta}: module time, who, and the digest of the signed
 * request that authorized it.
 */
public final class VcmEntity
    extends EventSourcedBehaviorWithEnforcedReplies<VcmEntity.Command, VcmEntity.Event, VcmEntity.State> {

  public static final String ENTITY_TYPE = "vcm";

  // ---------------------------------------------------------------------------------------
  // Commands

  /** Every message a VCM understands. */
  public interface Command extends CborSerializable {}

  /** Commands whose successful reply is the VCM's new view. */
  public interface ViewCommand extends Command {
    ActorRef<StatusReply<VcmView>> replyTo();
  }

  /**
   * Creates the VCM from a tenant's create request, which the HSM verified once. The HSM has
   * chosen the final properties (provider overrides, assigned address, default features); the
   * VCM keeps restrict_startup and k_tenant_req as the tenant asked, and enforces R1.
   */
  public record Create(VerifiedRequest request, VcmProperties properties, Principal by,
      ActorRef<StatusReply<CreateResult>> replyTo) implements Command {}

  /** Starts the VCM; {@code request} is a start request, needed when restrict_startup is set (R4). */
  public record Start(byte[] request, Principal by, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /** Stops the VCM; without force, refused while the tenant uses it (R5). */
  public record Stop(boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /**
   * The HSM is rebooting: the VCM stops whatever the tenant is doing (R5 does not apply to a
   * reboot) and keeps its enrollment and Security World; no hardserver restart is needed.
   */
  public record StopForReset(Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements ViewCommand {}

  /** Deletes a stopped VCM and destroys its data (R6). */
  public record Delete(boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /** Sets one property to exactly the value a properties request names (R7, R8). */
  public record SetProperty(byte[] request, String property, String value, Principal by,
      ActorRef<StatusReply<VcmView>> replyTo) implements ViewCommand {}

  /** The stats poller saw disk use above the limit (R11). */
  public record StopForDiskLimit(long measuredBytes, long limitBytes, Principal by,
      ActorRef<StatusReply<VcmView>> replyTo) implements ViewCommand {}

  /** An action of the tenant inside its VCM, authenticated by its sshadmin key. */
  public record TenantAction(Principal tenant, Action action, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /** The tenant writes data into its VCM's storage (the simulated runtime's stand-in for real use). */
  public record WriteData(Principal tenant, long bytes, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /** What a tenant can do inside its VCM, besides writing data. */
  public enum Action {
    ENROLL, UNENROLL, LOAD_WORLD, MODE_OPERATIONAL, MODE_MAINTENANCE, AUDIT_ON, AUDIT_FINALIZE,
    ACKNOWLEDGE_RESTART
  }

  /** The current view; refused only for a VCM that was never created. */
  public record GetView(ActorRef<StatusReply<VcmView>> replyTo) implements ViewCommand {}

  /** Resource use as the runtime measures it, with the view it was measured for. */
  public record MeasureUsage(ActorRef<StatusReply<Measurement>> replyTo) implements Command {}

  /** Reply to {@link Create}: the view and every property that differs from the request. */
  public record CreateResult(VcmView view, List<PropertyDifference> differences) implements CborSerializable {}

  public record PropertyDifference(String property, String requested, String actual) implements CborSerializable {}

  public record Measurement(VcmView view, Usage usage) implements CborSerializable {}

  // ---------------------------------------------------------------------------------------
  // Events

  /** Everything that happened to a VCM, in the past tense, with who, when and why. */
  public interface Event extends CborSerializable {
    UUID vcm();

    EventMeta meta();
  }

  public record VcmCreated(UUID vcm, VcmProperties properties, String sshadminKey, EventMeta meta) implements Event {}

  public record VcmStarted(UUID vcm, EventMeta meta) implements Event {}

  public record VcmStopped(UUID vcm, boolean forced, EventMeta meta) implements Event {}

  public record VcmStoppedForReset(UUID vcm, EventMeta meta) implements Event {}

  public record VcmStoppedForDiskLimit(UUID vcm, long measuredBytes, long limitBytes, EventMeta meta) implements Event {}

  public record VcmDeleted(UUID vcm, boolean forced, EventMeta meta) implements Event {}

  public record PropertyChanged(UUID vcm, String property, String value, EventMeta meta) implements Event {}

  public record TenantEnrolled(UUID vcm, String tenant, EventMeta meta) implements Event {}

  public record TenantUnenrolled(UUID vcm, EventMeta meta) implements Event {}

  public record SecurityWorldLoaded(UUID vcm, EventMeta meta) implements Event {}

  public record ModeChanged(UUID vcm, TenantFacts.Mode mode, EventMeta meta) implements Event {}

  public record AuditLogEnabled(UUID vcm, EventMeta meta) implements Event {}

  public record AuditLogFinalized(UUID vcm, EventMeta meta) implements Event {}

  public record TenantDataWritten(UUID vcm, long bytes, EventMeta meta) implements Event {}

  public record HardserverRestartAcknowledged(UUID vcm, EventMeta meta) implements Event {}

  // ---------------------------------------------------------------------------------------
  // State: one type per lifecycle phase

  /** The state of a VCM; each lifecycle phase is its own type. */
  public interface State extends CborSerializable {}

  /** Before the create event: the VCM does not exist. */
  public enum Uncreated implements State { INSTANCE }

  /** The data every created VCM has, whatever its phase. */
  public record VcmData(UUID uuid, VcmProperties properties, TenantFacts facts, String sshadminKey,
      String tenant, Instant createdAt) implements CborSerializable {

    VcmData withProperties(VcmProperties p) {
      return new VcmData(uuid, p, facts, sshadminKey, tenant, createdAt);
    }

    VcmData withFacts(TenantFacts f) {
      return new VcmData(uuid, properties, f.audited(), sshadminKey, tenant, createdAt);
    }
  }

  /** A created VCM in some phase. */
  public interface Existing extends State {
    VcmData data();

    VcmStatus status();

    default VcmView view(long sequenceNr) {
      VcmData d = data();
      return new VcmView(d.uuid(), status(), d.properties(), d.facts(), d.sshadminKey(), d.tenant(),
          d.createdAt(), sequenceNr);
    }
  }

  public record Inactive(VcmData data) implements Existing {
    @Override
    public VcmStatus status() {
      return VcmStatus.INACTIVE;
    }
  }

  public record Active(VcmData data) implements Existing {
    @Override
    public VcmStatus status() {
      return VcmStatus.ACTIVE;
    }
  }

  /** Stopped for exceeding the disk limit; it can only be deleted (R11). */
  public record DiskLimitStopped(VcmData data, long measuredBytes, long limitBytes) implements Existing {
    @Override
    public VcmStatus status() {
      return VcmStatus.DISK_LIMIT_STOPPED;
    }
  }

  /** Terminal; the events stay in the journal for audit. */
  public record Deleted(VcmData data) implements Existing {
    @Override
    public VcmStatus status() {
      return VcmStatus.DELETED;
    }
  }

  // ---------------------------------------------------------------------------------------

  private final UUID uuid;
  private final ActorContext<Command> context;
  private final ModuleClock clock;
  private final VcmRuntime runtime;
  private final VcmSettings settings;
  private final RequestVerifier verifier;

  public static PersistenceId persistenceId(UUID uuid) {
    return PersistenceId.of(ENTITY_TYPE, uuid.toString());
  }

  public static Behavior<Command> create(UUID uuid, ModuleClock clock, VcmRuntime runtime, VcmSettings settings) {
    return Behaviors.setup(ctx -> new VcmEntity(uuid, ctx, clock, runtime, settings));
  }

  private VcmEntity(UUID uuid, ActorContext<Command> context, ModuleClock clock, VcmRuntime runtime,
      VcmSettings settings) {
    super(persistenceId(uuid),
        SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(5), 0.1));
    this.uuid = uuid;
    this.context = context;
    this.clock = clock;
    this.runtime = runtime;
    this.settings = settings;
    this.verifier = new RequestVerifier(settings.clockSkew());
  }

  @Override
  public State emptyState() {
    return Uncreated.INSTANCE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  // ---------------------------------------------------------------------------------------
  // Command handlers, by phase

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();

    b.forStateType(Uncreated.class)
        .onCommand(Create.class, this::onCreate)
        .onCommand(ViewCommand.class, c -> refuse(c.replyTo(), VcmRules.notFound(uuid)))
        .onCommand(MeasureUsage.class, c -> refuse(c.replyTo(), VcmRules.notFound(uuid)));

    b.forStateType(Inactive.class)
        .onCommand(Start.class, this::onStart)
        .onCommand(Stop.class, (s, c) -> refuse(c.replyTo(), VcmRules.notActive(uuid, s.status(), "stop")))
        .onCommand(Delete.class, this::onDelete)
        .onCommand(SetProperty.class, this::onSetProperty);

    b.forStateType(Active.class)
        .onCommand(Start.class, (s, c) -> refuse(c.replyTo(), VcmRules.alreadyActive(uuid)))
        .onCommand(Stop.class, this::onStop)
        .onCommand(StopForReset.class, (s, c) -> Effect().persist(new VcmStoppedForReset(uuid, meta(c.by(), null)))
            .thenRun(x -> runtime.stop(uuid, false))
            .thenReply(c.replyTo(), x -> StatusReply.success(view(x))))
        .onCommand(Delete.class, (s, c) -> refuse(c.replyTo(), VcmRules.deleteWhileActive(uuid)))
        .onCommand(SetProperty.class, (s, c) -> refuse(c.replyTo(), VcmRules.modifyWhileActive(uuid)));

    b.forStateType(DiskLimitStopped.class)
        .onCommand(Start.class, (s, c) -> refuse(c.replyTo(), diskLimitStopped(s, "started")))
        .onCommand(SetProperty.class, (s, c) -> refuse(c.replyTo(), diskLimitStopped(s, "modified")))
        .onCommand(Stop.class, (s, c) -> refuse(c.replyTo(), VcmRules.notActive(uuid, s.status(), "stop")))
        .onCommand(StopForDiskLimit.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(Delete.class, this::onDelete);

    b.forStateType(Deleted.class)
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(ViewCommand.class, (s, c) -> refuse(c.replyTo(), VcmRules.deleted(uuid)))
        .onCommand(MeasureUsage.class, c -> refuse(c.replyTo(), VcmRules.deleted(uuid)));

    b.forStateType(Existing.class)
        .onCommand(Create.class, c -> refuse(c.replyTo(), VcmRules.alreadyExists(uuid)))
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(MeasureUsage.class, this::onMeasure)
        .onCommand(StopForDiskLimit.class, this::onStopForDiskLimit)
        .onCommand(TenantAction.class, (s, c) -> decided(c.replyTo(),
            () -> TenantActions.decide(uuid, s, c.tenant(), c.action(), meta(c.tenant(), null))))
        .onCommand(WriteData.class, (s, c) -> decided(c.replyTo(),
            () -> TenantActions.write(uuid, s, c.tenant(), c.bytes(), settings.maxDataWrite(), meta(c.tenant(), null))))
        .onCommand(ViewCommand.class, (s, c) -> refuse(c.replyTo(), VcmRules.notActive(uuid, s.status(), "do that to")));

    return b.build();
  }

  private ReplyEffect<Event, State> onCreate(Create c) {
    VerifiedRequest request = c.request();
    VcmProperties p = c.properties();
    boolean restrictRequested = request.payload().requested(VcmProperty.RESTRICT_STARTUP)
        .map(Boolean::parseBoolean).orElse(false);
    if (p.restrictStartup() != restrictRequested) {
      return refuse(c.replyTo(), VcmRules.invalidArgument(
          "restrict_startup is the tenant's choice: the request asks for " + restrictRequested));
    }
    if (!p.kTenantReq().equals(request.payload().requestKey())) {
      return refuse(c.replyTo(), VcmRules.invalidArgument("k_tenant_req must be the key that signed the create request"));
    }
    Optional<Refusal> r1 = VcmRules.startupExclusion(p);
    if (r1.isPresent()) {
      return refuse(c.replyTo(), r1.get());
    }
    VcmCreated event = new VcmCreated(uuid, p, request.payload().sshadminKey(), meta(c.by(), request.digest()));
    List<PropertyDifference> differences = differences(request, p);
    return Effect().persist(event)
        .thenReply(c.replyTo(), s -> StatusReply.success(new CreateResult(view(s), differences)));
  }

  private static List<PropertyDifference> differences(VerifiedRequest request, VcmProperties actual) {
    List<PropertyDifference> out = new ArrayList<>();
    for (VcmProperty property : VcmProperty.values()) {
      Optional<String> requested = request.payload().requested(property);
      if (requested.isPresent() && !requested.get().equals(actual.get(property))) {
        out.add(new PropertyDifference(property.key(), requested.get(), actual.get(property)));
      }
    }
    return out;
  }

  private ReplyEffect<Event, State> onStart(Inactive s, Start c) {
    Optional<Refusal> r4 = VcmRules.startRequest(uuid, s.data().properties(), c.request() != null);
    if (r4.isPresent()) {
      return refuse(c.replyTo(), r4.get());
    }
    String digest = null;
    if (c.request() != null) {
      try {
        digest = verify(c.request(), s.data().properties(), RequestKind.START).digest();
      } catch (RequestException e) {
        return refuse(c.replyTo(), VcmRules.invalidRequest(e));
      }
    }
    return Effect().persist(new VcmStarted(uuid, meta(c.by(), digest)))
        .thenRun(x -> runtime.start(uuid))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onStop(Active s, Stop c) {
    Optional<Refusal> r5 = VcmRules.stopInUse(uuid, s.data().facts(), c.force());
    if (r5.isPresent()) {
      return refuse(c.replyTo(), r5.get());
    }
    return Effect().persist(new VcmStopped(uuid, c.force(), meta(c.by(), null)))
        .thenRun(x -> runtime.stop(uuid, c.force()))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onDelete(Existing s, Delete c) {
    Optional<Refusal> r6 = VcmRules.auditLogBlocksDelete(uuid, s.data().facts(), c.force());
    if (r6.isPresent()) {
      return refuse(c.replyTo(), r6.get());
    }
    return Effect().persist(new VcmDeleted(uuid, c.force(), meta(c.by(), null)))
        .thenRun(x -> runtime.destroy(uuid))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onSetProperty(Inactive s, SetProperty c) {
    Optional<VcmProperty> named = VcmProperty.fromName(c.property());
    if (named.isEmpty()) {
      return refuse(c.replyTo(), VcmRules.unknownProperty(c.property()));
    }
    VcmProperty property = named.get();
    String value;
    try {
      value = VcmProperties.canonical(property, c.value());
    } catch (IllegalArgumentException e) {
      return refuse(c.replyTo(), VcmRules.invalidArgument(e.getMessage()));
    }
    VcmProperties current = s.data().properties();
    VerifiedRequest request;
    try {
      request = verify(c.request(), current, RequestKind.PROPERTIES);
    } catch (RequestException e) {
      return refuse(c.replyTo(), VcmRules.invalidRequest(e));
    }
    Optional<String> requested = request.payload().requested(property);
    if (requested.isEmpty()) {
      return refuse(c.replyTo(), VcmRules.propertyNotRequested(property));
    }
    if (!requested.get().equals(value)) {
      return refuse(c.replyTo(), VcmRules.propertyMismatch(property));
    }
    Optional<Refusal> r1 = VcmRules.startupExclusion(current.with(property, value));
    if (r1.isPresent()) {
      return refuse(c.replyTo(), r1.get());
    }
    return Effect().persist(new PropertyChanged(uuid, property.key(), value, meta(c.by(), request.digest())))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onStopForDiskLimit(Existing s, StopForDiskLimit c) {
    Optional<Refusal> notOver = VcmRules.overDiskLimit(c.measuredBytes(), c.limitBytes());
    if (notOver.isPresent()) {
      return refuse(c.replyTo(), notOver.get());
    }
    boolean wasActive = s instanceof Active;
    return Effect().persist(new VcmStoppedForDiskLimit(uuid, c.measuredBytes(), c.limitBytes(), meta(c.by(), null)))
        .thenRun(x -> {
          if (wasActive) {
            runtime.stop(uuid, true);
          }
        })
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  /** Persists the event a pure decision makes, or replies with the refusal it throws. */
  private ReplyEffect<Event, State> decided(ActorRef<StatusReply<VcmView>> replyTo,
      java.util.function.Supplier<Event> decision) {
    Event event;
    try {
      event = decision.get();
    } catch (Refusal r) {
      return refuse(replyTo, r);
    }
    return Effect().persist(event).thenReply(replyTo, x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onMeasure(Existing s, MeasureUsage c) {
    VcmView view = view(s);
    runtime.measure(view).whenComplete((usage, failure) -> c.replyTo().tell(failure == null
        ? StatusReply.success(new Measurement(view, usage))
        : StatusReply.error(new Refusal(Refusal.Code.UNAVAILABLE,
            "VCM " + uuid + " did not report its usage: " + failure.getMessage()))));
    return Effect().noReply();
  }

  // ---------------------------------------------------------------------------------------
  // Event handlers

  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandlerBuilder<State, Event> b = newEventHandlerBuilder();
    b.forStateType(Uncreated.class)
        .onEvent(VcmCreated.class, (s, e) -> new Inactive(new VcmData(e.vcm(), e.properties(), TenantFacts.INITIAL,
            e.sshadminKey(), PublicKeys.fingerprint(e.sshadminKey()), e.meta().at())));
    b.forStateType(Inactive.class)
        .onEvent(VcmStarted.class, (s, e) -> new Active(s.data()));
    b.forStateType(Active.class)
        .onEvent(VcmStopped.class, (s, e) -> new Inactive(e.forced()
            ? s.data().withFacts(s.data().facts().withHardserverRestartRequired(true))
            : s.data()))
        .onEvent(VcmStoppedForReset.class, (s, e) -> new Inactive(s.data()));
    b.forStateType(Existing.class)
        .onEvent(VcmStoppedForDiskLimit.class, (s, e) -> new DiskLimitStopped(s.data(), e.measuredBytes(), e.limitBytes()))
        .onEvent(VcmDeleted.class, (s, e) -> new Deleted(s.data()))
        .onEvent(PropertyChanged.class, (s, e) -> withData(s, s.data().withProperties(
            s.data().properties().with(VcmProperty.fromName(e.property()).orElseThrow(), e.value()))))
        .onEvent(TenantEnrolled.class, (s, e) -> withFacts(s, s.data().facts().withEnrolledBy(e.tenant())))
        .onEvent(TenantUnenrolled.class, (s, e) -> withFacts(s, s.data().facts().withEnrolledBy(null)))
        .onEvent(SecurityWorldLoaded.class, (s, e) -> withFacts(s, s.data().facts().withSecurityWorldLoaded()))
        .onEvent(ModeChanged.class, (s, e) -> withFacts(s, s.data().facts().withMode(e.mode())))
        .onEvent(AuditLogEnabled.class, (s, e) -> withFacts(s, s.data().facts().withAuditLog(TenantFacts.AuditLog.ON)))
        .onEvent(AuditLogFinalized.class, (s, e) -> withFacts(s, s.data().facts().withAuditLog(TenantFacts.AuditLog.FINALIZED)))
        .onEvent(TenantDataWritten.class, (s, e) -> withFacts(s, s.data().facts().withDataWritten(e.bytes())))
        .onEvent(HardserverRestartAcknowledged.class,
            (s, e) -> withFacts(s, s.data().facts().withHardserverRestartRequired(false)));
    return b.build();
  }

  private static State withFacts(Existing s, TenantFacts facts) {
    return withData(s, s.data().withFacts(facts));
  }

  private static State withData(Existing s, VcmData data) {
    if (s instanceof Inactive) {
      return new Inactive(data);
    } else if (s instanceof Active) {
      return new Active(data);
    } else if (s instanceof DiskLimitStopped d) {
      return new DiskLimitStopped(data, d.measuredBytes(), d.limitBytes());
    }
    return new Deleted(data);
  }

  // ---------------------------------------------------------------------------------------

  private VcmView view(State s) {
    return ((Existing) s).view(lastSequenceNumber(context));
  }

  private EventMeta meta(Principal by, String requestDigest) {
    return EventMeta.of(clock, by, requestDigest);
  }

  private VerifiedRequest verify(byte[] request, VcmProperties current, RequestKind kind) throws RequestException {
    PublicKey key = PublicKeys.decode(current.kTenantReq());
    return verifier.verify(SignedRequest.parse(request), key, kind, uuid, clock.now());
  }

  private <R> ReplyEffect<Event, State> refuse(ActorRef<StatusReply<R>> replyTo, Refusal refusal) {
    return Effect().reply(replyTo, StatusReply.error(refusal));
  }

  private Refusal diskLimitStopped(DiskLimitStopped s, String verb) {
    return VcmRules.diskLimitStopped(uuid, s.measuredBytes(), s.limitBytes(), verb);
  }
}
