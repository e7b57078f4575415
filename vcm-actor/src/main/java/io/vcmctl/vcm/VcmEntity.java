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
 * (R2 serial cardreader, R3 limits, R9 one enrolment per tenant, address range and uniqueness)
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
   * Creates the VCM from a tenant's create request. The HSM has chosen the final properties
   * (provider overrides, assigned address, default features); the VCM verifies the request,
   * keeps restrict_startup and k_tenant_req as the tenant asked, and enforces R1.
   */
  public record Create(byte[] request, VcmProperties properties, Principal by,
      ActorRef<StatusReply<CreateResult>> replyTo) implements Command {}

  /** Starts the VCM; {@code request} is a start request, needed when restrict_startup is set (R4). */
  public record Start(byte[] request, Principal by, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /** Stops the VCM; without force, refused while the tenant uses it (R5). */
  public record Stop(boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo)
      implements ViewCommand {}

  /**
   * The HSM is rebooting: the VCM stops whatever the tenant is doing (R5 does not apply to a
   * reboot) and keeps its enrolment and Security World; no hardserver restart is needed.
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
  public record TenantAction(Principal tenant, Action action, long bytes,
      ActorRef<StatusReply<VcmView>> replyTo) implements ViewCommand {}

  /** What a tenant can do inside its VCM. */
  public enum Action {
    ENROL, UNENROL, LOAD_WORLD, MODE_OPERATIONAL, MODE_MAINTENANCE, AUDIT_ON, AUDIT_FINALIZE,
    WRITE_DATA, ACKNOWLEDGE_RESTART
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
        .onCommand(ViewCommand.class, c -> refuse(c.replyTo(), notFound()))
        .onCommand(MeasureUsage.class, c -> refuse(c.replyTo(), notFound()));

    b.forStateType(Inactive.class)
        .onCommand(Start.class, this::onStart)
        .onCommand(Stop.class, (s, c) -> refuse(c.replyTo(), notActive(s, "stop")))
        .onCommand(Delete.class, this::onDelete)
        .onCommand(SetProperty.class, this::onSetProperty)
        .onCommand(StopForDiskLimit.class, this::onStopForDiskLimit)
        .onCommand(TenantAction.class, this::onTenantAction);

    b.forStateType(Active.class)
        .onCommand(Start.class, (s, c) -> refuse(c.replyTo(),
            new Refusal(Refusal.Code.ALREADY_ACTIVE, "VCM " + uuid + " is already active")))
        .onCommand(Stop.class, this::onStop)
        .onCommand(StopForReset.class, (s, c) -> Effect().persist(new VcmStoppedForReset(uuid, meta(c.by(), null)))
            .thenRun(x -> runtime.stop(uuid, false))
            .thenReply(c.replyTo(), x -> StatusReply.success(view(x))))
        .onCommand(Delete.class, (s, c) -> refuse(c.replyTo(), new Refusal(Refusal.Code.DELETE_WHILE_ACTIVE,
            "R6: VCM " + uuid + " is active and cannot be deleted, even with --force; stop it first")))
        .onCommand(SetProperty.class, (s, c) -> refuse(c.replyTo(), new Refusal(Refusal.Code.MODIFY_WHILE_ACTIVE,
            "R7: VCM " + uuid + " is active; properties change only while it is stopped: stop it first")))
        .onCommand(StopForDiskLimit.class, this::onStopForDiskLimit)
        .onCommand(TenantAction.class, this::onTenantAction);

    b.forStateType(DiskLimitStopped.class)
        .onCommand(Start.class, (s, c) -> refuse(c.replyTo(), diskLimitStopped(s, "started")))
        .onCommand(SetProperty.class, (s, c) -> refuse(c.replyTo(), diskLimitStopped(s, "modified")))
        .onCommand(Stop.class, (s, c) -> refuse(c.replyTo(), notActive(s, "stop")))
        .onCommand(StopForDiskLimit.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(Delete.class, this::onDelete)
        .onCommand(TenantAction.class, (s, c) -> c.action() == Action.UNENROL
            ? onTenantAction(s, c)
            : refuse(c.replyTo(), diskLimitStopped(s, "used")));

    b.forStateType(Deleted.class)
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(ViewCommand.class, (s, c) -> refuse(c.replyTo(), new Refusal(Refusal.Code.DELETED,
            "VCM " + uuid + " was deleted; its history remains for audit")))
        .onCommand(MeasureUsage.class, c -> Effect().reply(c.replyTo(), StatusReply.error(
            new Refusal(Refusal.Code.DELETED, "VCM " + uuid + " was deleted"))));

    b.forStateType(Existing.class)
        .onCommand(Create.class, c -> Effect().reply(c.replyTo(), StatusReply.error(
            new Refusal(Refusal.Code.ALREADY_EXISTS, "VCM " + uuid + " already exists"))))
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(view(s))))
        .onCommand(MeasureUsage.class, this::onMeasure)
        .onCommand(ViewCommand.class, (s, c) -> refuse(c.replyTo(), notActive(s, "do that to")));

    return b.build();
  }

  private ReplyEffect<Event, State> onCreate(Create c) {
    Instant now = clock.now();
    VerifiedRequest request;
    try {
      request = verifier.verifyCreate(SignedRequest.parse(c.request()), now);
    } catch (RequestException e) {
      return refuse(c.replyTo(), invalidRequest(e));
    }
    VcmProperties p = c.properties();
    boolean restrictRequested = request.payload().requested(VcmProperty.RESTRICT_STARTUP)
        .map(Boolean::parseBoolean).orElse(false);
    if (p.restrictStartup() != restrictRequested) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
          "restrict_startup is the tenant's choice: the request asks for " + restrictRequested));
    }
    if (!p.kTenantReq().equals(request.payload().requestKey())) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
          "k_tenant_req must be the key that signed the create request"));
    }
    if (p.violatesStartupExclusion()) {
      return refuse(c.replyTo(), startupExclusion());
    }
    String sshadminKey = request.payload().sshadminKey();
    VcmCreated event = new VcmCreated(uuid, p, sshadminKey, meta(c.by(), request.digest()));
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
    VcmProperties p = s.data().properties();
    String digest = null;
    if (c.request() == null && p.restrictStartup()) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.START_REQUEST_REQUIRED,
          "R4: VCM " + uuid + " has restrict_startup set; start it with a start request signed by the tenant (--request FILE)"));
    }
    if (c.request() != null) {
      try {
        digest = verify(c.request(), p, RequestKind.START).digest();
      } catch (RequestException e) {
        return refuse(c.replyTo(), invalidRequest(e));
      }
    }
    return Effect().persist(new VcmStarted(uuid, meta(c.by(), digest)))
        .thenRun(x -> runtime.start(uuid))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onStop(Active s, Stop c) {
    if (!c.force() && s.data().facts().inUse()) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.VCM_IN_USE,
          "R5: VCM " + uuid + " is in use (enrolled, operational mode); ask the tenant to switch to"
              + " maintenance mode, or stop it with --force (the tenant must then restart its hardserver)"));
    }
    return Effect().persist(new VcmStopped(uuid, c.force(), meta(c.by(), null)))
        .thenRun(x -> runtime.stop(uuid, c.force()))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onDelete(Existing s, Delete c) {
    if (!c.force() && s.data().facts().auditLog() == TenantFacts.AuditLog.ON) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.AUDIT_LOG_NOT_FINALIZED,
          "R6: VCM " + uuid + " has an audit log that is not finalized; ask the tenant to finalize it,"
              + " or delete with --force"));
    }
    return Effect().persist(new VcmDeleted(uuid, c.force(), meta(c.by(), null)))
        .thenRun(x -> runtime.destroy(uuid))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onSetProperty(Inactive s, SetProperty c) {
    Optional<VcmProperty> named = VcmProperty.fromName(c.property());
    if (named.isEmpty()) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
          "unknown property " + SafeText.quote(c.property()) + "; known: "
              + List.of(VcmProperty.values())));
    }
    VcmProperty property = named.get();
    String value;
    try {
      value = VcmProperties.canonical(property, c.value());
    } catch (IllegalArgumentException e) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT, e.getMessage()));
    }
    VcmProperties current = s.data().properties();
    VerifiedRequest request;
    try {
      request = verify(c.request(), current, RequestKind.PROPERTIES);
    } catch (RequestException e) {
      return refuse(c.replyTo(), invalidRequest(e));
    }
    Optional<String> requested = request.payload().requested(property);
    if (requested.isEmpty()) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.PROPERTY_NOT_REQUESTED,
          "R7: the request does not name " + property.key() + "; ask the tenant for a request that does"));
    }
    if (!requested.get().equals(value)) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.PROPERTY_MISMATCH,
          "orchestrator setproperties: Invalid property value: " + property.key() + " mismatch"));
    }
    VcmProperties changed = current.with(property, value);
    if (changed.violatesStartupExclusion()) {
      return refuse(c.replyTo(), startupExclusion());
    }
    return Effect().persist(new PropertyChanged(uuid, property.key(), value, meta(c.by(), request.digest())))
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> onStopForDiskLimit(Existing s, StopForDiskLimit c) {
    if (c.measuredBytes() <= c.limitBytes()) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
          "R11: " + c.measuredBytes() + " bytes do not exceed the limit of " + c.limitBytes()));
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

  private ReplyEffect<Event, State> onTenantAction(Existing s, TenantAction c) {
    VcmData d = s.data();
    if (c.tenant() == null || c.tenant().kind() != Principal.Kind.TENANT || !d.tenant().equals(c.tenant().id())) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.NOT_YOUR_VCM,
          "VCM " + uuid + " belongs to another tenant; use the sshadmin key it was created for"));
    }
    boolean active = s instanceof Active;
    TenantFacts f = d.facts();
    EventMeta meta = meta(c.tenant(), null);
    switch (c.action()) {
      case ENROL:
        if (!active) {
          return refuse(c.replyTo(), new Refusal(Refusal.Code.NOT_ACTIVE,
              "R9: only an active VCM can be enrolled; ask the provider to start VCM " + uuid));
        }
        return persistAndView(c, new TenantEnrolled(uuid, c.tenant().id(), meta));
      case UNENROL:
        if (!f.enrolled()) {
          return refuse(c.replyTo(), notEnrolled());
        }
        return persistAndView(c, new TenantUnenrolled(uuid, meta));
      case ACKNOWLEDGE_RESTART:
        if (!f.hardserverRestartRequired()) {
          return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
              "VCM " + uuid + " does not need a hardserver restart"));
        }
        return persistAndView(c, new HardserverRestartAcknowledged(uuid, meta));
      default:
        break;
    }
    if (!active) {
      return refuse(c.replyTo(), notActive(s, "use"));
    }
    if (!f.enrolled()) {
      return refuse(c.replyTo(), notEnrolled());
    }
    switch (c.action()) {
      case LOAD_WORLD:
        return persistAndView(c, new SecurityWorldLoaded(uuid, meta));
      case MODE_OPERATIONAL:
        return persistAndView(c, new ModeChanged(uuid, TenantFacts.Mode.OPERATIONAL, meta));
      case MODE_MAINTENANCE:
        return persistAndView(c, new ModeChanged(uuid, TenantFacts.Mode.MAINTENANCE, meta));
      case AUDIT_ON:
        if (f.auditLog() == TenantFacts.AuditLog.ON) {
          return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT, "the audit log of VCM " + uuid + " is already on"));
        }
        return persistAndView(c, new AuditLogEnabled(uuid, meta));
      case AUDIT_FINALIZE:
        if (f.auditLog() != TenantFacts.AuditLog.ON) {
          return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
              "the audit log of VCM " + uuid + " is " + f.auditLog().label() + "; only a log that is on can be finalized"));
        }
        return persistAndView(c, new AuditLogFinalized(uuid, meta));
      case WRITE_DATA:
        if (c.bytes() < 1 || c.bytes() > settings.maxDataWrite()) {
          return refuse(c.replyTo(), new Refusal(Refusal.Code.INVALID_ARGUMENT,
              "--bytes must be between 1 and " + settings.maxDataWrite()));
        }
        return persistAndView(c, new TenantDataWritten(uuid, c.bytes(), meta));
      default:
        throw new IllegalStateException("unhandled action " + c.action());
    }
  }

  private ReplyEffect<Event, State> persistAndView(TenantAction c, Event event) {
    return Effect().persist(event).thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
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
    } else if (s instanceof DiskLimitStopped) {
      DiskLimitStopped d = (DiskLimitStopped) s;
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

  private Refusal notFound() {
    return new Refusal(Refusal.Code.NOT_FOUND, "no VCM " + uuid + "; list VCMs with vcmadmin show");
  }

  private Refusal notActive(Existing s, String verb) {
    return new Refusal(Refusal.Code.NOT_ACTIVE,
        "VCM " + uuid + " is " + s.status().label() + ", not active; cannot " + verb + " it");
  }

  private Refusal notEnrolled() {
    return new Refusal(Refusal.Code.NOT_ENROLLED, "VCM " + uuid + " is not enrolled; enroll with its configuration file first");
  }

  private Refusal diskLimitStopped(DiskLimitStopped s, String verb) {
    return new Refusal(Refusal.Code.DISK_LIMIT_STOPPED,
        "R11: VCM " + uuid + " was stopped for using " + s.measuredBytes() + " bytes of disk (limit "
            + s.limitBytes() + ") and cannot be " + verb + "; delete it with vcmadmin delete");
  }

  private static Refusal startupExclusion() {
    return new Refusal(Refusal.Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE,
        "R1: autostart and restrict_startup cannot both be true; set one of them to false");
  }

  private static Refusal invalidRequest(RequestException e) {
    return new Refusal(Refusal.Code.INVALID_REQUEST, "invalid tenant request: " + e.getMessage());
  }
}
