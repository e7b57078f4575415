package io.vcmctl.hsm;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.persistence.LifecycleTag;
import io.vcmctl.persistence.audit.ChainAdapter;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.RequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One HSM, event sourced, supervising one child {@link VcmEntity} per VCM.
 *
 * <p>Commands become events only after the HSM-wide rules ({@link HsmRules}, {@link
 * CreatePlan}, {@link AddressPlan}) allow them; commands about one VCM go on to that VCM,
 * which applies its own rules, while the slots they may take stay reserved ({@link
 * Reservations}). The HSM persists what is its own (identity, licences, networking, clock,
 * the steps of a reset) and the membership of each VCM, written <em>before</em> the child's
 * create and removed <em>after</em> its delete. What it knows of each VCM's state ({@link Fleet})
 * is a mirror rebuilt from the children at every recovery, so a VCM is never counted twice or
 * missed.
 *
 * <p>Phases: {@link Unborn} until the module identity exists, then {@link Running}. After a
 * restart it answers from its own state at once and brings its VCMs back a bounded number at a
 * time; a command that needs a VCM still recovering waits for it (for all of them, if an
 * HSM-wide rule is involved). While a reset runs (resumed after a crash from its persisted
 * steps), commands wait. Fan-outs to many VCMs run in short-lived {@link FanOut} children.
 */
public final class HsmEntity
    extends EventSourcedBehaviorWithEnforcedReplies<HsmEntity.Command, HsmEntity.Event, HsmEntity.State> {

  public static final String ENTITY_TYPE = "hsm";

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
  public record Reset(Principal by, boolean force, ActorRef<StatusReply<ResetOutcome>> replyTo) implements Command {

    /** A forced reset: it stops VCMs in use too. */
    public Reset(Principal by, ActorRef<StatusReply<ResetOutcome>> replyTo) {
      this(by, true, replyTo);
    }
  }

  /** Sets the module clock to read {@code moduleTime} now. */
  public record SetTime(Instant moduleTime, Principal by, ActorRef<StatusReply<HsmInfo>> replyTo) implements Command {}

  public record CreateVcm(byte[] request, ProviderChoices choices, Principal by,
      ActorRef<StatusReply<CreatedVcm>> replyTo) implements Command {}

  public record StartVcm(UUID uuid, byte[] request, Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record StopVcm(UUID uuid, boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record DeleteVcm(UUID uuid, boolean force, Principal by, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record SetVcmProperty(UUID uuid, byte[] request, String property, String value, Principal by,
      ActorRef<StatusReply<PropertySet>> replyTo) implements Command {}

  /** A tenant's action inside its VCM ({@link VcmEntity.TenantAction}). */
  public record TenantAction(UUID uuid, Principal tenant, VcmEntity.Action action,
      ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  /** A tenant writes data into its VCM ({@link VcmEntity.WriteData}). */
  public record WriteData(UUID uuid, Principal tenant, long bytes, ActorRef<StatusReply<VcmView>> replyTo)
      implements Command {}

  /** How a VCM's enrolled tenant reaches its PKCS#11 module; the VCM itself answers. */
  public record GetPkcs11(UUID uuid, Principal tenant, ActorRef<StatusReply<VcmRuntime.Pkcs11Access>> replyTo)
      implements Command {}

  /** From the stats poller: the VCM's disk use exceeds the limit (R11). */
  public record StopVcmForDiskLimit(UUID uuid, long measuredBytes, long limitBytes, Principal by,
      ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  public record GetVcm(UUID uuid, ActorRef<StatusReply<VcmView>> replyTo) implements Command {}

  /** Every VCM, in creation order. */
  public record ListVcms(ActorRef<StatusReply<List<VcmView>>> replyTo) implements Command {}

  /** The children, for the stats poller to measure directly. */
  public record GetVcmRefs(ActorRef<VcmRefs> replyTo) implements Command {}

  /** Replaces the stored resource figures of VCMs (from the stats poller). */
  public record RecordStats(List<VcmStats> stats, ActorRef<Done> replyTo) implements Command {}

  /** The stored resource figures, answered at once (never waits for a poll). */
  public record GetStats(ActorRef<StatusReply<StoredStats>> replyTo) implements Command {}

  /**
   * Records in the HSM's own chain that an audit export was made, with the digest of its closing
   * checkpoint, so the trail shows every export and what each signed.
   */
  public record RecordAuditExport(String checkpointDigest, long entries, Principal by,
      ActorRef<StatusReply<Done>> replyTo) implements Command {}

  // Replies

  /**
   * @param esn the HSM that holds the new VCM
   * @param warnings the operator guide's advice the create goes against ({@link Advice}); never a refusal
   */
  public record CreatedVcm(VcmView view, List<VcmEntity.PropertyDifference> differences, byte[] tenantConfig,
      String esn, List<String> warnings) implements CborSerializable {}

  /** @param warnings the operator guide's advice the change goes against ({@link Advice}); never a refusal */
  public record PropertySet(VcmView view, List<String> warnings) implements CborSerializable {}

  public record ResetOutcome(List<UUID> stopped, List<UUID> started, Map<UUID, String> notStarted, HsmInfo info)
      implements CborSerializable {}

  public record VcmRefs(Map<UUID, ActorRef<VcmEntity.Command>> vcms) implements CborSerializable {}

  /**
   * The stored figures, one entry per VCM in creation order.
   *
   * @param collectedSinceStart false until the first poll since this HSM started has reported: until then
   *     there are no figures, only placeholders
   */
  public record StoredStats(List<VcmStats> vcms, boolean collectedSinceStart) implements CborSerializable {}

  /**
   * The last measured figures of one VCM.
   *
   * @param cpuSeconds CPU time of an active VCM since it last started, where the runtime measures it
   * @param answering whether the VCM reported its usage in the last cycle
   */
  public record VcmStats(UUID uuid, String name, VcmStatus status, long memoryBytes, long diskBytes,
      double cpuSeconds, Instant collectedAt, boolean answering, boolean approachingDiskLimit)
      implements CborSerializable {}

  // Internal messages

  enum EstablishIdentity implements Command { INSTANCE }

  /** A VCM's first answer after the HSM restarted. */
  record Recovered(UUID uuid, FanOut.Outcome<VcmView> outcome) implements Command {}

  record Refreshed(UUID uuid, FanOut.Outcome<VcmView> outcome) implements Command {}

  record VcmAnswered(Operation op, VcmView view, Throwable failure) implements Command {}

  record VcmCreateAnswered(UUID uuid, ActorRef<StatusReply<CreatedVcm>> client, List<String> warnings,
      VcmEntity.CreateResult result, Throwable failure) implements Command {}

  record VcmPropertyAnswered(Reservations.Hold hold, ActorRef<StatusReply<PropertySet>> client,
      List<String> warnings, VcmView view, Throwable failure) implements Command {}

  record ResetStopsDone(Map<UUID, FanOut.Outcome<VcmView>> outcomes) implements Command {}

  record ResetStartsDone(Map<UUID, FanOut.Outcome<VcmView>> outcomes, Map<UUID, String> overLimit)
      implements Command {}

  record VcmTerminated(UUID uuid) implements Command {}

  /** A command forwarded to a VCM: what it holds until the VCM answers, and whom to answer. */
  record Operation(Reservations.Hold hold, boolean removes, ActorRef<StatusReply<VcmView>> client) {}

  // ---------------------------------------------------------------------------------------
  // Events

  public interface Event extends CborSerializable {
    EventMeta meta();
  }

  public record IdentityEstablished(String esn, String modulePublicKey, EventMeta meta) implements Event {}

  /**
   * @param file the signed licence file (base64), so that the licence is re-checked whenever
   *     another vendor key is trusted; {@code null} in events recorded before it was kept
   */
  public record LicenceApplied(Licence licence, EventMeta meta, String file) implements Event {}

  public record NetworkConfigured(Network pending, EventMeta meta) implements Event {}

  /** A whole reset as journals before resumable resets recorded it; still replayed, no longer written. */
  public record HsmReset(Network network, EventMeta meta) implements Event {}

  /** A reset began: its networking is in effect, and every active VCM is to stop. */
  public record ResetBegan(Network network, EventMeta meta) implements Event {}

  /** Every active VCM has been stopped; autostart VCMs are next. */
  public record ResetStopsCompleted(List<UUID> stopped, EventMeta meta) implements Event {}

  public record ResetCompleted(List<UUID> started, Map<UUID, String> notStarted, EventMeta meta) implements Event {}

  public record ClockSet(Duration offset, EventMeta meta) implements Event {}

  /**
   * Written before the VCM's own create: the HSM never loses a VCM it started to create.
   * {@code ipAddress} is {@code null} in events of earlier versions, and then left out of the
   * event's JSON, so that their audit chain hashes stay as they were written.
   */
  public record VcmAdmitted(UUID uuid, long order, EventMeta meta,
      @JsonInclude(JsonInclude.Include.NON_NULL) String ipAddress) implements Event {}

  /** The VCM's create was refused or never happened (found at recovery). */
  public record VcmAdmissionWithdrawn(UUID uuid, String reason, EventMeta meta) implements Event {}

  /** Written after the VCM's own delete; {@code ipAddress} is {@code null} in events of earlier versions. */
  public record VcmRemoved(UUID uuid, EventMeta meta, String ipAddress) implements Event {}

  /**
   * A VCM moved from one address to another (its {@code ip_address} changed): {@code from} goes to
   * the back of the line and into quarantine, like a removed VCM's. Written after the VCM's own
   * change, or at recovery when the VCM's answer shows a move the HSM had not recorded.
   */
  public record VcmAddressChanged(UUID uuid, String from, String to, EventMeta meta) implements Event {}

  /** An audit export was made: {@code checkpointDigest} is the SHA-256 of its closing checkpoint (docs/audit.md). */
  public record AuditExported(String checkpointDigest, long entries, EventMeta meta) implements Event {}

  // ---------------------------------------------------------------------------------------
  // State

  public interface State extends CborSerializable {}

  /** Before the module identity exists. */
  public enum Unborn implements State { INSTANCE }

  /**
   * @param members VCM uuid to its creation order, in creation order
   * @param reset the reset under way, or {@code null}
   * @param freed when each address given up (by a removed or a moved VCM) was freed, for handing out the least
   *     recent first
   * @param addresses each member's address as last recorded by the HSM; members admitted by earlier versions
   *     have none until they move
   */
  public record Running(String esn, String modulePublicKey, Licensing licensing, Network network,
      Network pendingNetwork, Duration clockOffset, Map<UUID, Long> members, long nextOrder, ResetProgress reset,
      FreedAddresses freed, Map<UUID, String> addresses) implements State {

    public Running {
      members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
      // A snapshot taken before addresses were remembered has none.
      freed = freed == null ? FreedAddresses.NONE : freed;
      addresses = addresses == null ? Map.of() : Map.copyOf(addresses);
    }

    public Running(String esn, String modulePublicKey, Licensing licensing, Network network, Network pendingNetwork,
        Duration clockOffset, Map<UUID, Long> members, long nextOrder, ResetProgress reset) {
      this(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, members, nextOrder, reset, null,
          null);
    }

    Running with(Licensing l) {
      return new Running(esn, modulePublicKey, l, network, pendingNetwork, clockOffset, members, nextOrder, reset,
          freed, addresses);
    }

    Running withPending(Network pending) {
      return new Running(esn, modulePublicKey, licensing, network, pending, clockOffset, members, nextOrder, reset,
          freed, addresses);
    }

    Running withReset(Network effective, ResetProgress progress) {
      return new Running(esn, modulePublicKey, licensing, effective, null, clockOffset, members, nextOrder, progress,
          freed, addresses);
    }

    Running withReset(ResetProgress progress) {
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, members, nextOrder,
          progress, freed, addresses);
    }

    Running withClockOffset(Duration offset) {
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, offset, members, nextOrder, reset,
          freed, addresses);
    }

    Running admit(UUID uuid, long order, String ipAddress) {
      Map<UUID, Long> m = new LinkedHashMap<>(members);
      m.put(uuid, order);
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, m,
          Math.max(nextOrder, order + 1), reset, freed, holding(uuid, ipAddress));
    }

    /** The VCM leaves; its address, if known, goes to the back of the line as of {@code at}. */
    Running remove(UUID uuid, String ipAddress, Instant at) {
      Running left = remove(uuid);
      return ipAddress == null ? left : new Running(esn, modulePublicKey, licensing, network, pendingNetwork,
          clockOffset, left.members(), nextOrder, reset, freed.with(ipAddress, at), left.addresses());
    }

    Running remove(UUID uuid) {
      Map<UUID, Long> m = new LinkedHashMap<>(members);
      m.remove(uuid);
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, m, nextOrder, reset,
          freed, holding(uuid, null));
    }

    /** The VCM now has {@code to}; {@code from} goes to the back of the line as of {@code at}. */
    Running move(UUID uuid, String from, String to, Instant at) {
      return new Running(esn, modulePublicKey, licensing, network, pendingNetwork, clockOffset, members, nextOrder,
          reset, from == null || from.equals(to) ? freed : freed.with(from, at), holding(uuid, to));
    }

    private Map<UUID, String> holding(UUID uuid, String ipAddress) {
      Map<UUID, String> m = new HashMap<>(addresses);
      if (ipAddress == null) {
        m.remove(uuid);
      } else {
        m.put(uuid, ipAddress);
      }
      return m;
    }
  }

  /**
   * A reset under way: persisted at each step, so that a process killed in the middle finishes
   * it at recovery instead of leaving it half done.
   *
   * @param by who asked for the reset; its stops and starts are recorded as theirs
   */
  public record ResetProgress(Phase phase, List<UUID> stopped, Principal by) implements CborSerializable {

    public enum Phase { STOPPING, STARTING }
  }

  // ---------------------------------------------------------------------------------------

  private final String esn;
  private final ActorContext<Command> context;
  private final HsmEnvironment env;
  private final HsmCommands commands;
  private final Roster roster;
  private final ChainAdapter<Event> chain;

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
    // Log lines name this class, not the framework class that may have asked for the logger first.
    context.setLoggerName(HsmEntity.class);
    this.env = env;
    this.commands = new HsmCommands(esn, context, env, this::Effect);
    this.roster = commands.roster();
    this.chain = ChainAdapter.create(context, persistenceId(esn));
  }

  /** Every event goes to the journal with its place in the HSM's audit chain. */
  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return chain;
  }

  @Override
  public State emptyState() {
    return Unborn.INSTANCE;
  }

  /** Every event goes into the lifecycle feed ({@link LifecycleTag}); replay does not read tags. */
  @Override
  public Set<String> tagsFor(Event event) {
    return LifecycleTag.TAGS;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(env.settings().snapshotEvery(), env.settings().keepSnapshots());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> {
          chain.recovered(lastSequenceNumber(context));
          commands.onRecoveryCompleted(s);
        })
        .onSignal(PreRestart.instance(), s -> commands.onFailure())
        .onSignal(PostStop.instance(), s -> commands.onFailure())
        .onSignal(RecoveryFailed.class, (s, failed) -> context.getLog().error("HSM {} cannot recover its journal ({});"
            + " it retries with backoff; docs/operations.md says what to do", esn, failed.getFailure().toString()))
        .build();
  }

  // ---------------------------------------------------------------------------------------
  // Command handlers

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();

    b.forStateType(Unborn.class)
        .onCommand(EstablishIdentity.class, commands::onEstablishIdentity)
        .onCommand(Command.class, (s, c) -> Effect().stash());

    b.forStateType(Running.class)
        .onCommand(Recovered.class, commands::onRecovered)
        .onCommand(Refreshed.class, commands::onRefreshed)
        .onCommand(VcmAnswered.class, commands::onVcmAnswered)
        .onCommand(VcmCreateAnswered.class, commands::onVcmCreateAnswered)
        .onCommand(VcmPropertyAnswered.class, commands::onVcmPropertyAnswered)
        .onCommand(ResetStopsDone.class, commands::onResetStopsDone)
        .onCommand(ResetStartsDone.class, commands::onResetStartsDone)
        .onCommand(VcmTerminated.class, (s, c) -> {
          roster.terminated(s, c.uuid());
          return Effect().noReply();
        })
        .onCommand(EstablishIdentity.class, (s, c) -> Effect().noReply())
        .onCommand(c -> commands.busy(), (s, c) -> Effect().stash())
        .onCommand(GetInfo.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(commands.info(s))))
        .onCommand(GetEnvStats.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.success(roster.stats.envStats(env.settings(), roster.fleet))))
        .onCommand(ApplyLicence.class, commands::onApplyLicence)
        .onCommand(SetNetwork.class, commands::onSetNetwork)
        .onCommand(SetTime.class, commands::onSetTime)
        .onCommand(Reset.class, commands::onReset)
        .onCommand(CreateVcm.class, commands::onCreateVcm)
        .onCommand(StartVcm.class, commands::onStartVcm)
        .onCommand(StopVcm.class, (s, c) -> commands.forward(c.uuid(), c.replyTo(), Reservations.Hold.none(c.uuid()), false,
            r -> new VcmEntity.Stop(c.force(), c.by(), r)))
        .onCommand(DeleteVcm.class, (s, c) -> commands.forward(c.uuid(), c.replyTo(), Reservations.Hold.none(c.uuid()), true,
            r -> new VcmEntity.Delete(c.force(), c.by(), r)))
        .onCommand(StopVcmForDiskLimit.class, (s, c) -> commands.forward(c.uuid(), c.replyTo(), Reservations.Hold.none(c.uuid()),
            false, r -> new VcmEntity.StopForDiskLimit(c.measuredBytes(), c.limitBytes(), c.by(), r)))
        .onCommand(SetVcmProperty.class, commands::onSetVcmProperty)
        .onCommand(TenantAction.class, commands::onTenantAction)
        .onCommand(WriteData.class, (s, c) -> commands.forward(c.uuid(), c.replyTo(), Reservations.Hold.none(c.uuid()), false,
            r -> new VcmEntity.WriteData(c.tenant(), c.bytes(), r)))
        .onCommand(GetPkcs11.class, commands::onGetPkcs11)
        .onCommand(GetVcm.class, commands::onGetVcm)
        .onCommand(ListVcms.class, commands::onListVcms)
        .onCommand(GetVcmRefs.class, (s, c) -> Effect().reply(c.replyTo(), new VcmRefs(roster.refs(s))))
        .onCommand(RecordStats.class, (s, c) -> {
          roster.stats.record(c.stats(), roster.fleet);
          return Effect().reply(c.replyTo(), Done.getInstance());
        })
        .onCommand(GetStats.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.success(new StoredStats(roster.stats.stored(roster.inOrder(s)),
                roster.stats.collectedSinceStart()))))
        .onCommand(RecordAuditExport.class, (s, c) -> Effect().persist(new AuditExported(c.checkpointDigest(),
            c.entries(), EventMeta.of(env.clock(), c.by(), null))).thenReply(c.replyTo(), x -> StatusReply.ack()));

    return b.build();
  }

  // ---------------------------------------------------------------------------------------
  // Event handler

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Unborn.class)
        .onEvent(IdentityEstablished.class, (s, e) -> new Running(e.esn(), e.modulePublicKey(),
            Licensing.unlicensed(env.settings().baseFeatures()), null, null, Duration.ZERO, Map.of(), 1, null));
    b.forStateType(Running.class)
        .onEvent(LicenceApplied.class, (s, e) -> s.with(s.licensing().apply(
            new Licensing.Applied(e.licence(), e.file()), e.file() == null || trusts(e.file()),
            env.settings().baseFeatures())))
        .onEvent(NetworkConfigured.class, (s, e) -> s.withPending(e.pending()))
        .onEvent(HsmReset.class, (s, e) -> s.withReset(e.network(), null))
        .onEvent(ResetBegan.class, (s, e) -> s.withReset(e.network(),
            new ResetProgress(ResetProgress.Phase.STOPPING, List.of(), e.meta().by())))
        .onEvent(ResetStopsCompleted.class, (s, e) -> s.withReset(
            new ResetProgress(ResetProgress.Phase.STARTING, e.stopped(), s.reset().by())))
        .onEvent(ResetCompleted.class, (s, e) -> s.withReset(null))
        .onEvent(ClockSet.class, this::applyClockSet)
        .onEvent(VcmAdmitted.class, (s, e) -> s.admit(e.uuid(), e.order(), e.ipAddress()))
        .onEvent(VcmAdmissionWithdrawn.class, (s, e) -> s.remove(e.uuid()))
        .onEvent(VcmRemoved.class, (s, e) -> s.remove(e.uuid(), e.ipAddress(), e.meta().at()))
        .onEvent(VcmAddressChanged.class, (s, e) -> s.move(e.uuid(), e.from(), e.to(), e.meta().at()))
        .onEvent(AuditExported.class, (s, e) -> s);
    return b.build();
  }

  /**
   * A snapshot taken while another vendor key was trusted counts only what the key trusted now
   * verifies; every snapshot carries the audit chain's head.
   */
  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return chain.snapshots(from -> from instanceof Running r
        ? r.with(r.licensing().recheck(esn, env.settings().baseFeatures(), l -> trusts(l.file()))) : from);
  }

  /** Whether the vendor key trusted now signed this licence file for this HSM. */
  private boolean trusts(String file) {
    try {
      Licence.verify(Base64.getDecoder().decode(file), env.vendorKey(), esn);
      return true;
    } catch (RequestException | IllegalArgumentException e) {
      return false;
    }
  }

  /** An offset that would make the clock unreadable (written before it was checked) is reported and skipped. */
  private Running applyClockSet(Running s, ClockSet e) {
    if (ModuleClock.isSane(e.offset())) {
      return s.withClockOffset(e.offset());
    }
    context.getLog().error("HSM {} skips event {} of {} (ClockSet by {}): its offset {} is beyond {}; the module clock"
        + " keeps {}; set it again with hsmadmin settime", esn, lastSequenceNumber(context), persistenceId(esn).id(),
        e.meta().by(), e.offset(), ModuleClock.MAX_OFFSET, s.clockOffset());
    return s;
  }

}
