package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmRules.require;

import io.vcmctl.hsm.HsmEntity.ApplyLicence;
import io.vcmctl.hsm.HsmEntity.ClockSet;
import io.vcmctl.hsm.HsmEntity.CreateVcm;
import io.vcmctl.hsm.HsmEntity.CreatedVcm;
import io.vcmctl.hsm.HsmEntity.EstablishIdentity;
import io.vcmctl.hsm.HsmEntity.Event;
import io.vcmctl.hsm.HsmEntity.IdentityEstablished;
import io.vcmctl.hsm.HsmEntity.LicenceApplied;
import io.vcmctl.hsm.HsmEntity.NetworkConfigured;
import io.vcmctl.hsm.HsmEntity.Operation;
import io.vcmctl.hsm.HsmEntity.PropertySet;
import io.vcmctl.hsm.HsmEntity.Recovered;
import io.vcmctl.hsm.HsmEntity.Refreshed;
import io.vcmctl.hsm.HsmEntity.Reset;
import io.vcmctl.hsm.HsmEntity.ResetBegan;
import io.vcmctl.hsm.HsmEntity.ResetCompleted;
import io.vcmctl.hsm.HsmEntity.ResetOutcome;
import io.vcmctl.hsm.HsmEntity.ResetProgress;
import io.vcmctl.hsm.HsmEntity.ResetStartsDone;
import io.vcmctl.hsm.HsmEntity.ResetStopsCompleted;
import io.vcmctl.hsm.HsmEntity.ResetStopsDone;
import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.hsm.HsmEntity.SetNetwork;
import io.vcmctl.hsm.HsmEntity.SetTime;
import io.vcmctl.hsm.HsmEntity.SetVcmProperty;
import io.vcmctl.hsm.HsmEntity.StartVcm;
import io.vcmctl.hsm.HsmEntity.State;
import io.vcmctl.hsm.HsmEntity.TenantAction;
import io.vcmctl.hsm.HsmEntity.Unborn;
import io.vcmctl.hsm.HsmEntity.VcmAddressChanged;
import io.vcmctl.hsm.HsmEntity.VcmAdmissionWithdrawn;
import io.vcmctl.hsm.HsmEntity.VcmAdmitted;
import io.vcmctl.hsm.HsmEntity.VcmAnswered;
import io.vcmctl.hsm.HsmEntity.VcmCreateAnswered;
import io.vcmctl.hsm.HsmEntity.VcmPropertyAnswered;
import io.vcmctl.hsm.HsmEntity.VcmRemoved;
import io.vcmctl.persistence.audit.AuditSigners;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmRules;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.WriteInFlight;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * How an HSM handles each command ({@link HsmEntity}'s handler table points here): check the
 * HSM-wide rules, persist the HSM's own events, forward VCM commands through the {@link Roster},
 * and drive a reset step by step. Also what the HSM holds only in memory: whether it is ready,
 * a reset's client, the module key.
 */
final class HsmCommands {

  private static final Principal HSM = Principal.system("hsm");
  private static final Principal RECOVERY = Principal.system("recovery");

  private final String esn;
  private final ActorContext<HsmEntity.Command> context;
  private final HsmEnvironment env;
  private final RequestVerifier verifier;
  private final Roster roster;
  private final Fleet fleet;
  private final Supplier<EffectFactories<Event, State>> effects;
  private boolean ready;
  private boolean resetting;
  private ActorRef<StatusReply<ResetOutcome>> resetClient;
  private Optional<KeyPair> moduleKey = Optional.empty();
  private long recoveryStarted;
  private final WriteInFlight inFlight = new WriteInFlight();

  HsmCommands(String esn, ActorContext<HsmEntity.Command> context, HsmEnvironment env,
      Supplier<EffectFactories<Event, State>> effects) {
    this.esn = esn;
    this.context = context;
    this.env = env;
    this.verifier = new RequestVerifier(env.vcmSettings().clockSkew(), env.vcmSettings().validityCaps());
    this.roster = new Roster(context, env, HsmEntity.VcmTerminated::new, Refreshed::new, Recovered::new);
    this.fleet = roster.fleet;
    this.effects = effects;
  }

  /** Commands wait in the stash until the HSM's own state is recovered, and while a reset runs. */
  boolean busy() {
    return !ready || resetting;
  }

  Roster roster() {
    return roster;
  }

  /** The journal failed or rejected a write: the HSM restarts, or stops. */
  void onFailure() {
    inFlight.entityFailed("HSM " + esn);
    if (resetClient != null) {
      resetClient.tell(StatusReply.error(new Refusal(Code.UNAVAILABLE, "HSM " + esn + " restarts in the middle of"
          + " the reset; it finishes the reset once its journal is read again: check with info")));
      resetClient = null;
    }
  }

  /** After a restart the mirror, the children and the reservations are stale: start over from the journal. */
  void onRecoveryCompleted(State state) {
    roster.restarted();
    ready = false;
    resetting = false;
    if (state instanceof Running r) {
      env.clock().setOffset(r.clockOffset());
      r.licensing().notTrusted().forEach(line -> context.getLog().warn("HSM {}: {}", esn, line));
      moduleKey = ModuleKey.recorded(env.keyDirectory(), esn, r.modulePublicKey(), context.getLog());
      moduleKey.ifPresent(this::signsCheckpoints);
      ready = true;
      // A reset cut short by the restart finishes before anything else, once every VCM is back.
      resetting = r.reset() != null;
      recoveryStarted = System.nanoTime();
      roster.recoverAll(r.members().keySet());
      if (roster.recoveryDone()) {
        allRecovered(r);
      }
    } else {
      context.getSelf().tell(EstablishIdentity.INSTANCE);
    }
  }

  /** The module key signs the audit chain checkpoints of the HSM and of its VCMs. */
  private void signsCheckpoints(KeyPair key) {
    AuditSigners.get(context.getSystem()).register(context.getSelf(), data -> PublicKeys.sign(key.getPrivate(), data));
  }

  ReplyEffect<Event, State> onEstablishIdentity(Unborn s, EstablishIdentity c) {
    KeyPair key = ModuleKey.loadOrCreate(env.keyDirectory(), esn);
    moduleKey = Optional.of(key);
    signsCheckpoints(key);
    return Effect().persist(new IdentityEstablished(esn, PublicKeys.encode(key.getPublic()),
            meta(Principal.system("first-boot"), null)))
        .thenRun(x -> ready = true)
        .thenNoReply()
        .thenUnstashAll();
  }

  // ---- membership: the census at recovery and single re-reads ----------------------------

  /** Each VCM's first answer after a restart; commands waiting for it are tried again. */
  ReplyEffect<Event, State> onRecovered(Running s, Recovered c) {
    Optional<Event> correction = membershipChange(s, c.uuid(), c.outcome(), RECOVERY);
    roster.recoveredOne(c.uuid());
    correction.ifPresent(e -> context.getLog().info("HSM {} reconciled VCM {}: {} left by an interrupted command",
        esn, c.uuid(), e.getClass().getSimpleName()));
    boolean done = roster.recoveryDone();
    return correction.map(e -> Effect().persist(e)).orElseGet(Effect()::none)
        .thenRun(x -> {
          if (done) {
            allRecovered((Running) x);
          }
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private void allRecovered(Running s) {
    context.getLog().info("HSM {} recovered its {} VCM(s) in {} ms", esn, s.members().size(),
        (System.nanoTime() - recoveryStarted) / 1_000_000);
    if (s.reset() != null) {
      context.getLog().info("HSM {} resumes a reset interrupted by a restart, at {}", esn, s.reset().phase());
      continueReset(s);
    }
  }

  /** A command that needs this VCM's state waits while it is still recovering. */
  private boolean waitsFor(UUID vcm) {
    return fleet.isRecovering(vcm);
  }

  /** A command under an HSM-wide rule waits until every VCM's state is known. */
  private boolean waitsForAll() {
    return !fleet.allRecovered();
  }

  ReplyEffect<Event, State> onGetVcm(Running s, HsmEntity.GetVcm c) {
    if (waitsFor(c.uuid())) {
      return Effect().stash();
    }
    return Effect().reply(c.replyTo(), fleet.view(c.uuid()).map(StatusReply::success)
        .orElseGet(() -> StatusReply.error(roster.unknown(c.uuid()))));
  }

  ReplyEffect<Event, State> onListVcms(Running s, HsmEntity.ListVcms c) {
    return waitsForAll() ? Effect().stash() : Effect().reply(c.replyTo(), StatusReply.success(roster.inOrder(s)));
  }

  ReplyEffect<Event, State> onGetPkcs11(Running s, HsmEntity.GetPkcs11 c) {
    if (waitsFor(c.uuid())) {
      return Effect().stash();
    }
    roster.tell(c.uuid(), new VcmEntity.GetPkcs11(c.tenant(), c.replyTo()), c.replyTo());
    return Effect().noReply();
  }

  ReplyEffect<Event, State> onRefreshed(Running s, Refreshed c) {
    return membershipChange(s, c.uuid(), c.outcome(), HSM).map(e -> Effect().persist(e).thenNoReply())
        .orElseGet(Effect()::noReply);
  }

  private Optional<Event> membershipChange(Running s, UUID uuid, FanOut.Outcome<VcmView> outcome, Principal by) {
    return switch (roster.settle(s, uuid, outcome)) {
      case REMOVED -> Optional.of(new VcmRemoved(uuid, meta(by, null),
          outcome.value() == null ? null : outcome.value().properties().ipAddress()));
      case NEVER_CREATED -> Optional.of(new VcmAdmissionWithdrawn(uuid, "its create was never persisted", meta(by, null)));
      case KEPT -> s.members().containsKey(uuid) && outcome.value() != null
          ? moved(s, outcome.value(), null, by) : Optional.empty();
    };
  }

  /**
   * The move to record when a member's newest view (an answer may arrive after a newer one) shows
   * another address than the one the HSM recorded (or, for a member admitted by an earlier
   * version, than {@code before}): the old one is freed.
   */
  private Optional<Event> moved(Running s, VcmView answered, String before, Principal by) {
    VcmView view = fleet.view(answered.uuid()).orElse(answered);
    String from = s.addresses().getOrDefault(view.uuid(), before);
    String to = view.properties().ipAddress();
    return from == null || from.equals(to) || view.status() == VcmStatus.DELETED ? Optional.empty()
        : Optional.of(new VcmAddressChanged(view.uuid(), from, to, meta(by, null)));
  }

  // ---- the HSM's own facts ---------------------------------------------------------------

  ReplyEffect<Event, State> onApplyLicence(Running s, ApplyLicence c) {
    Licence licence;
    try {
      licence = Licence.verify(c.licence(), env.vendorKey(), esn);
    } catch (RequestException e) {
      return refuse(c.replyTo(), new Refusal(Code.INVALID_LICENCE, "licence refused: " + e.getMessage()));
    }
    return persist(new LicenceApplied(licence, meta(c.by(), PublicKeys.sha256Hex(c.licence())),
            Base64.getEncoder().encodeToString(c.licence())), c.replyTo())
        .thenReply(c.replyTo(), x -> StatusReply.success(info((Running) x)));
  }

  ReplyEffect<Event, State> onSetNetwork(Running s, SetNetwork c) {
    if (waitsForAll()) {
      return Effect().stash();
    }
    Optional<Refusal> stranded = HsmRules.stranded(s, fleet, c.network());
    if (stranded.isPresent()) {
      return refuse(c.replyTo(), stranded.get());
    }
    return persist(new NetworkConfigured(c.network(), meta(c.by(), null)), c.replyTo())
        .thenReply(c.replyTo(), x -> StatusReply.success(info((Running) x)));
  }

  ReplyEffect<Event, State> onSetTime(Running s, SetTime c) {
    Duration offset = env.clock().offsetFor(c.moduleTime());
    if (!ModuleClock.isSane(offset)) {
      return refuse(c.replyTo(), new Refusal(Code.INVALID_ARGUMENT, "module time " + c.moduleTime() + " is more than "
          + ModuleClock.MAX_OFFSET.toDays() + " days from this host's clock; set a time within a century of it"));
    }
    return persist(new ClockSet(offset, meta(c.by(), null)), c.replyTo())
        .thenRun(x -> env.clock().setOffset(offset))
        .thenReply(c.replyTo(), x -> StatusReply.success(info((Running) x)));
  }

  // ---- create ----------------------------------------------------------------------------

  ReplyEffect<Event, State> onCreateVcm(Running s, CreateVcm c) {
    if (waitsForAll()) {
      return Effect().stash();
    }
    VerifiedRequest request;
    VcmProperties properties;
    try {
      require(HsmRules.networkInEffect(s));
      require(HsmRules.creationLimit(s));
      request = verifier.verifyCreate(SignedRequest.parse(c.request()), env.clock().now());
      properties = CreatePlan.properties(s, fleet, request, c.choices());
    } catch (RequestException e) {
      return refuse(c.replyTo(), VcmRules.invalidRequest(e));
    } catch (Refusal r) {
      return refuse(c.replyTo(), r);
    }
    List<String> warnings = new ArrayList<>(Advice.create(PublicKeys.fingerprint(request.payload().sshadminKey()),
        properties.autostart(), fleet, s.licensing()));
    Advice.addressReuse(properties.ipAddress(), s.freed(), env.clock().now(), env.settings().addressQuarantine())
        .ifPresent(warnings::add);
    UUID uuid = UUID.randomUUID();
    fleet.reserved().holdCreation(uuid, properties);
    return persist(new VcmAdmitted(uuid, s.nextOrder(), meta(c.by(), request.digest()),
        properties.ipAddress()), c.replyTo())
        .thenRun(x -> roster.ask(uuid, VcmEntity.CreateResult.class,
            r -> new VcmEntity.Create(request, properties, c.by(), r),
            (result, failure) -> new VcmCreateAnswered(uuid, c.replyTo(), warnings, result, failure)))
        .thenNoReply();
  }

  ReplyEffect<Event, State> onVcmCreateAnswered(Running s, VcmCreateAnswered c) {
    fleet.reserved().releaseCreation(c.uuid());
    if (c.failure() instanceof Refusal refusal) {
      roster.forget(c.uuid());
      return persist(new VcmAdmissionWithdrawn(c.uuid(), refusal.getMessage(), meta(HSM, null)), c.client())
          .thenReply(c.client(), x -> StatusReply.error(refusal));
    }
    if (c.failure() != null) {
      // The create may still land: re-read it, and "not found" withdraws the admission.
      roster.refresh(c.uuid());
      return refuse(c.client(), HsmRules.unavailable(c.uuid(), c.failure()));
    }
    VcmView view = c.result().view();
    fleet.observe(view);
    if (moduleKey.isEmpty()) {
      return refuse(c.client(), new Refusal(Code.UNAVAILABLE, "VCM " + view.uuid() + " was created, but the module"
          + " key is missing from " + env.keyDirectory() + ", so no tenant configuration file could be signed"));
    }
    byte[] config = TenantConfig.issue(view, s.esn(), moduleKey.get(), env.clock().now());
    return Effect().reply(c.client(), StatusReply.success(new CreatedVcm(view, c.result().differences(), config, esn,
        c.warnings())));
  }

  // ---- commands about one VCM -------------------------------------------------------------

  ReplyEffect<Event, State> onStartVcm(Running s, StartVcm c) {
    // Exact while others recover: go ahead only if the limit holds even were they all active.
    if (waitsFor(c.uuid()) || (waitsForAll()
        && fleet.activeOrStarting() + fleet.stillRecovering() >= s.licensing().maxActive())) {
      return Effect().stash();
    }
    Optional<Refusal> limit = HsmRules.startLimit(s, fleet, c.uuid());
    if (limit.isPresent()) {
      return refuse(c.replyTo(), limit.get());
    }
    return forward(c.uuid(), c.replyTo(), Reservations.Hold.start(c.uuid()), false,
        r -> new VcmEntity.Start(c.request(), c.by(), r));
  }

  /** The HSM-wide checks of a property change; the VCM checks the request, R1 and R7 itself. */
  ReplyEffect<Event, State> onSetVcmProperty(Running s, SetVcmProperty c) {
    if (waitsFor(c.uuid()) || (waitsForAll() && HsmRules.spansVcms(c.property()))) {
      return Effect().stash();
    }
    Reservations.Hold hold;
    try {
      hold = HsmRules.propertyChange(s, fleet, c.uuid(), c.property(), c.value());
    } catch (Refusal r) {
      return refuse(c.replyTo(), r);
    }
    if (!fleet.knows(c.uuid())) {
      return refuse(c.replyTo(), roster.unknown(c.uuid()));
    }
    List<String> warnings = new ArrayList<>(Advice.propertyChange(fleet, s.licensing(), c.uuid(), c.property(),
        c.value()));
    if (hold.ipAddress() != null) {
      Advice.addressReuse(hold.ipAddress(), s.freed(), env.clock().now(), env.settings().addressQuarantine())
          .ifPresent(warnings::add);
    }
    roster.forward(hold, r -> new VcmEntity.SetProperty(c.request(), c.property(), c.value(), c.by(), r),
        (view, failure) -> new VcmPropertyAnswered(hold, c.replyTo(), warnings, view, failure));
    return Effect().noReply();
  }

  /** A change of address frees the old one, recorded before the client hears of the change. */
  ReplyEffect<Event, State> onVcmPropertyAnswered(Running s, VcmPropertyAnswered c) {
    String before = fleet.view(c.hold().vcm()).map(v -> v.properties().ipAddress()).orElse(null);
    Optional<Refusal> refusal = settle(c.hold(), c.view(), c.failure());
    if (refusal.isPresent()) {
      return refuse(c.client(), refusal.get());
    }
    StatusReply<PropertySet> reply = StatusReply.success(new PropertySet(c.view(), c.warnings()));
    return moved(s, c.view(), before, HSM).map(e -> persist(e, c.client()).thenReply(c.client(), x -> reply))
        .orElseGet(() -> Effect().reply(c.client(), reply));
  }

  ReplyEffect<Event, State> onTenantAction(Running s, TenantAction c) {
    if (waitsFor(c.uuid()) || (waitsForAll() && c.action() == VcmEntity.Action.ENROLL)) {
      return Effect().stash();
    }
    Reservations.Hold hold = Reservations.Hold.none(c.uuid());
    if (c.action() == VcmEntity.Action.ENROLL && c.tenant() != null) {
      Optional<Refusal> r9 = HsmRules.oneEnrollment(fleet, c.tenant().id(), c.uuid());
      if (r9.isPresent()) {
        return refuse(c.replyTo(), r9.get());
      }
      hold = Reservations.Hold.enrollment(c.uuid(), c.tenant().id());
    }
    return forward(c.uuid(), c.replyTo(), hold, false, r -> new VcmEntity.TenantAction(c.tenant(), c.action(), r));
  }

  /** Sends a command to a VCM, holding {@code hold} until it answers. */
  ReplyEffect<Event, State> forward(UUID uuid, ActorRef<StatusReply<VcmView>> client, Reservations.Hold hold,
      boolean removes, Function<ActorRef<StatusReply<VcmView>>, VcmEntity.Command> command) {
    if (waitsFor(uuid)) {
      return Effect().stash();
    }
    if (!fleet.knows(uuid)) {
      return refuse(client, roster.unknown(uuid));
    }
    roster.forward(hold, command, (view, failure) -> new VcmAnswered(new Operation(hold, removes, client), view, failure));
    return Effect().noReply();
  }

  ReplyEffect<Event, State> onVcmAnswered(Running s, VcmAnswered c) {
    Operation op = c.op();
    UUID uuid = op.hold().vcm();
    Optional<Refusal> refusal = settle(op.hold(), c.view(), c.failure());
    if (refusal.isPresent()) {
      return refuse(op.client(), refusal.get());
    }
    if (op.removes() && c.view().status() == VcmStatus.DELETED) {
      return persist(new VcmRemoved(uuid, meta(HSM, null), c.view().properties().ipAddress()), op.client())
          .thenRun(x -> roster.forget(uuid))
          .thenReply(op.client(), x -> StatusReply.success(c.view()));
    }
    return Effect().reply(op.client(), StatusReply.success(c.view()));
  }

  /** Releases what a command held and takes in the VCM's answer: the refusal to pass on, if any. */
  private Optional<Refusal> settle(Reservations.Hold hold, VcmView view, Throwable failure) {
    fleet.reserved().release(hold);
    if (failure instanceof Refusal refusal) {
      return Optional.of(refusal);
    }
    if (failure != null) {
      roster.refresh(hold.vcm());
      return Optional.of(HsmRules.unavailable(hold.vcm(), failure));
    }
    fleet.observe(view);
    return Optional.empty();
  }

  // ---- reset: persisted step by step -----------------------------------------------------

  ReplyEffect<Event, State> onReset(Running s, Reset c) {
    if (waitsForAll()) {
      return Effect().stash();
    }
    Optional<Refusal> inUse = c.force() ? Optional.empty() : HsmRules.resetWhileInUse(inOrder(s));
    if (inUse.isPresent()) {
      return refuse(c.replyTo(), inUse.get());
    }
    Network effective = s.pendingNetwork() != null ? s.pendingNetwork() : s.network();
    return persist(new ResetBegan(effective, meta(c.by(), null)), c.replyTo())
        .thenRun(x -> {
          resetClient = c.replyTo();
          continueReset((Running) x);
        })
        .thenNoReply();
  }

  /** Runs the reset's next step; commands wait until the last one is recorded. */
  private void continueReset(Running s) {
    resetting = true;
    Principal by = s.reset().by();
    if (s.reset().phase() == ResetProgress.Phase.STOPPING) {
      roster.fanOut(ResetPlan.toStop(inOrder(s), fleet.reserved()), VcmView.class,
          r -> new VcmEntity.StopForReset(by, r), ResetStopsDone::new);
      return;
    }
    ResetPlan.Starts plan = ResetPlan.starts(s, inOrder(s), fleet.activeOrStarting());
    roster.fanOut(plan.toStart(), VcmView.class, r -> new VcmEntity.Start(null, by, r),
        outcomes -> new ResetStartsDone(outcomes, plan.overLimit()));
  }

  ReplyEffect<Event, State> onResetStopsDone(Running s, ResetStopsDone c) {
    List<UUID> stopped = observeAll(c.outcomes()).stream().map(VcmView::uuid).toList();
    return Effect().persist(new ResetStopsCompleted(stopped, meta(s.reset().by(), null)))
        .thenRun(x -> continueReset((Running) x))
        .thenNoReply();
  }

  ReplyEffect<Event, State> onResetStartsDone(Running s, ResetStartsDone c) {
    observeAll(c.outcomes());
    ResetPlan.Result result = ResetPlan.result(inOrder(s), c.outcomes(), c.overLimit());
    List<UUID> stopped = s.reset().stopped();
    return Effect().persist(new ResetCompleted(result.started(), result.notStarted(), meta(s.reset().by(), null)))
        .thenRun(x -> {
          resetting = false;
          if (resetClient != null) {
            resetClient.tell(StatusReply.success(
                new ResetOutcome(stopped, result.started(), result.notStarted(), info((Running) x))));
            resetClient = null;
          } else {
            context.getLog().info("HSM {} finished the interrupted reset: stopped {}, started {}, not started {}",
                esn, stopped, result.started(), result.notStarted().keySet());
          }
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private List<VcmView> observeAll(Map<UUID, FanOut.Outcome<VcmView>> outcomes) {
    List<VcmView> answered = new ArrayList<>();
    outcomes.values().stream().filter(o -> o.value() != null).forEach(o -> {
      fleet.observe(o.value());
      answered.add(o.value());
    });
    return answered;
  }

  private List<VcmView> inOrder(Running s) {
    return roster.inOrder(s);
  }

  HsmInfo info(Running s) {
    return new HsmInfo(s.esn(), s.licensing().speed(), s.licensing().multiTenant(), s.licensing().maxCreatable(),
        s.licensing().maxActive(), s.members().size(), fleet.active(), fleet.stillRecovering(), s.network(),
        s.pendingNetwork(),
        s.licensing().features(), env.clock().now(), PublicKeys.fingerprint(s.modulePublicKey()),
        s.licensing().notTrusted(), fleet.unlicensedFeaturesInUse(s.members().keySet(), s.licensing().features()));
  }

  /** Persists {@code event}; if the journal does not record it, {@code client} is told so. */
  private <T> EffectBuilder<Event, State> persist(Event event, ActorRef<StatusReply<T>> client) {
    inFlight.expect(event, client);
    return Effect().persist(event).thenRun(x -> inFlight.recorded());
  }

  private EventMeta meta(Principal by, String digest) {
    return EventMeta.of(env.clock(), by, digest);
  }

  private <R> ReplyEffect<Event, State> refuse(ActorRef<StatusReply<R>> replyTo, Refusal refusal) {
    return Effect().reply(replyTo, StatusReply.error(refusal));
  }

  private EffectFactories<Event, State> Effect() {
    return effects.get();
  }
}
