package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.persistence.LifecycleTag;
import io.vcmctl.persistence.audit.ChainAdapter;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

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

  /** How the VCM's enrolled tenant reaches its PKCS#11 module ({@code hsmadmin vcm pkcs11}). */
  public record GetPkcs11(Principal tenant, ActorRef<StatusReply<VcmRuntime.Pkcs11Access>> replyTo)
      implements Command {}

  /** The current view; refused only for a VCM that was never created. */
  public record GetView(ActorRef<StatusReply<VcmView>> replyTo) implements ViewCommand {}

  /** Resource use as the runtime measures it, with the view it was measured for. */
  public record MeasureUsage(ActorRef<StatusReply<Measurement>> replyTo) implements Command {}

  /** Reply to {@link Create}: the view and every property that differs from the request. */
  public record CreateResult(VcmView view, List<PropertyDifference> differences) implements CborSerializable {}

  public record PropertyDifference(String property, String requested, String actual) implements CborSerializable {}

  public record Measurement(VcmView view, Usage usage) implements CborSerializable {}

  // Internal: the device's answers

  /** The device finished lifecycle call {@code op}, or failed it. */
  record DeviceAnswered(long op, Throwable failure) implements Command {}

  record DeviceTimedOut(long op) implements Command {}

  /** What the device says of the VCM, at recovery or before a measurement for {@code measuring}. */
  record StatusReported(VcmRuntime.DeviceStatus status, Throwable failure,
      ActorRef<StatusReply<Measurement>> measuring) implements Command {}

  record UsageMeasured(Usage usage, Throwable failure, ActorRef<StatusReply<Measurement>> replyTo)
      implements Command {}

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

  /** The journal settled to what the device reports (by {@code system:reconcile}). */
  public record VcmSettled(UUID vcm, VcmStatus to, String reason, EventMeta meta) implements Event {}

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

  private final VcmCommands commands;
  private final ChainAdapter<Event> chain;
  private final ActorContext<Command> context;

  public static PersistenceId persistenceId(UUID uuid) {
    return PersistenceId.of(ENTITY_TYPE, uuid.toString());
  }

  /** A VCM on its own, telling nobody of the changes it makes by itself. */
  public static Behavior<Command> create(UUID uuid, ModuleClock clock, VcmRuntime runtime, VcmSettings settings) {
    return create(uuid, clock, runtime, settings, null);
  }

  /**
   * @param observer told the new view whenever the VCM changes by itself, not in reply to a
   *     command (settling to what its device reports); may be {@code null}
   */
  public static Behavior<Command> create(UUID uuid, ModuleClock clock, VcmRuntime runtime, VcmSettings settings,
      ActorRef<VcmView> observer) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new VcmEntity(uuid, ctx, timers, new VcmCommands.Deps(clock, runtime, settings, observer))));
  }

  private VcmEntity(UUID uuid, ActorContext<Command> context, TimerScheduler<Command> timers, VcmCommands.Deps deps) {
    super(persistenceId(uuid),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    // Log lines name this class, not the framework class that may have asked for the logger first.
    context.setLoggerName(VcmEntity.class);
    this.commands = new VcmCommands(uuid, context, timers, deps, this::Effect, () -> lastSequenceNumber(context));
    this.chain = ChainAdapter.create(context, persistenceId(uuid));
    this.context = context;
  }

  /** Every event goes to the journal with its place in the VCM's audit chain. */
  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return chain;
  }

  @Override
  public State emptyState() {
    return Uncreated.INSTANCE;
  }

  /** Every event goes into the lifecycle feed ({@link LifecycleTag}); replay does not read tags. */
  @Override
  public Set<String> tagsFor(Event event) {
    return LifecycleTag.TAGS;
  }

  /** Every snapshot carries the audit chain's head. */
  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return chain.snapshots(UnaryOperator.identity());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(commands.settings().snapshotEvery(), commands.settings().keepSnapshots());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> {
          chain.recovered(lastSequenceNumber(context));
          commands.onRecovered(s);
        })
        .onSignal(PreRestart.instance(), s -> commands.onFailure())
        .onSignal(PostStop.instance(), s -> commands.onFailure())
        .build();
  }

  // ---------------------------------------------------------------------------------------
  // Command handlers, by phase

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();

    // The device's answers come in any phase; other commands wait while a lifecycle call is out.
    b.forAnyState()
        .onCommand(DeviceAnswered.class, commands::onDeviceAnswered)
        .onCommand(DeviceTimedOut.class, commands::onDeviceTimedOut)
        .onCommand(StatusReported.class, commands::onStatusReported)
        .onCommand(UsageMeasured.class, commands::onUsageMeasured)
        .onCommand(c -> commands.deviceBusy() && !(c instanceof GetView || c instanceof MeasureUsage),
            (s, c) -> Effect().stash());

    b.forStateType(Uncreated.class)
        .onCommand(Create.class, commands::onCreate)
        .onCommand(ViewCommand.class, c -> commands.refuse(c.replyTo(), VcmRules.notFound(commands.uuid())))
        .onCommand(MeasureUsage.class, c -> commands.refuse(c.replyTo(), VcmRules.notFound(commands.uuid())))
        .onCommand(GetPkcs11.class, c -> commands.refuse(c.replyTo(), VcmRules.notFound(commands.uuid())));

    b.forStateType(Inactive.class)
        .onCommand(Start.class, commands::onStart)
        .onCommand(Stop.class, (s, c) -> commands.refuse(c.replyTo(), commands.notActive(s, "stop")))
        .onCommand(Delete.class, commands::onDelete)
        .onCommand(SetProperty.class, commands::onSetProperty);

    b.forStateType(Active.class)
        .onCommand(Start.class, (s, c) -> commands.refuse(c.replyTo(), VcmRules.alreadyActive(commands.uuid())))
        .onCommand(Stop.class, commands::onStop)
        .onCommand(StopForReset.class, commands::onStopForReset)
        .onCommand(Delete.class, (s, c) -> commands.refuse(c.replyTo(), VcmRules.deleteWhileActive(commands.uuid())))
        .onCommand(SetProperty.class, (s, c) -> commands.refuse(c.replyTo(), VcmRules.modifyWhileActive(commands.uuid())));

    b.forStateType(DiskLimitStopped.class)
        .onCommand(Start.class, (s, c) -> commands.refuse(c.replyTo(), commands.diskLimitStopped(s, "started")))
        .onCommand(SetProperty.class, (s, c) -> commands.refuse(c.replyTo(), commands.diskLimitStopped(s, "modified")))
        .onCommand(Stop.class, (s, c) -> commands.refuse(c.replyTo(), commands.notActive(s, "stop")))
        .onCommand(StopForDiskLimit.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(commands.view(s))))
        .onCommand(Delete.class, commands::onDelete);

    b.forStateType(Deleted.class)
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(commands.view(s))))
        .onCommand(ViewCommand.class, (s, c) -> commands.refuse(c.replyTo(), VcmRules.deleted(commands.uuid())))
        .onCommand(MeasureUsage.class, c -> commands.refuse(c.replyTo(), VcmRules.deleted(commands.uuid())))
        .onCommand(GetPkcs11.class, c -> commands.refuse(c.replyTo(), VcmRules.deleted(commands.uuid())));

    b.forStateType(Existing.class)
        .onCommand(Create.class, c -> commands.refuse(c.replyTo(), VcmRules.alreadyExists(commands.uuid())))
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(commands.view(s))))
        .onCommand(MeasureUsage.class, commands::onMeasure)
        .onCommand(StopForDiskLimit.class, commands::onStopForDiskLimit)
        .onCommand(TenantAction.class, commands::onTenantAction)
        .onCommand(WriteData.class, commands::onWriteData)
        .onCommand(GetPkcs11.class, commands::onGetPkcs11)
        .onCommand(ViewCommand.class, (s, c) -> commands.refuse(c.replyTo(), commands.notActive(s, "do that to")));

    return b.build();
  }

  // ---------------------------------------------------------------------------------------
  // Event handlers

  @Override
  public EventHandler<State, Event> eventHandler() {
    return events();
  }

  /** The event handlers, on their own so that an audit replay rebuilds a VCM exactly as the entity does. */
  public static EventHandler<State, Event> events() {
    EventHandlerBuilder<State, Event> b = EventHandlerBuilder.builder();
    b.forStateType(Uncreated.class)
        .onEvent(VcmCreated.class, (s, e) -> new Inactive(new VcmData(e.vcm(), e.properties(), TenantFacts.INITIAL,
            e.sshadminKey(), PublicKeys.fingerprint(e.sshadminKey()), e.meta().at())));
    b.forStateType(Inactive.class)
        .onEvent(VcmStarted.class, (s, e) -> new Active(s.data()))
        .onEvent(VcmSettled.class, (s, e) -> new Active(s.data()));
    b.forStateType(Active.class)
        .onEvent(VcmStopped.class, (s, e) -> new Inactive(e.forced()
            ? s.data().withFacts(s.data().facts().withHardserverRestartRequired(true))
            : s.data()))
        .onEvent(VcmStoppedForReset.class, (s, e) -> new Inactive(s.data()))
        // A process that ended under its tenant cut the tenant's hardserver off, as a forced stop does.
        .onEvent(VcmSettled.class, (s, e) -> new Inactive(
            s.data().withFacts(s.data().facts().withHardserverRestartRequired(s.data().facts().enrolled()))));
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

}
