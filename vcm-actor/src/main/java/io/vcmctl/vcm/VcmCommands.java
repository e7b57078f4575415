package io.vcmctl.vcm;

import io.vcmctl.vcm.VcmEntity.Active;
import io.vcmctl.vcm.VcmEntity.Command;
import io.vcmctl.vcm.VcmEntity.Create;
import io.vcmctl.vcm.VcmEntity.CreateResult;
import io.vcmctl.vcm.VcmEntity.Delete;
import io.vcmctl.vcm.VcmEntity.DeviceAnswered;
import io.vcmctl.vcm.VcmEntity.DeviceTimedOut;
import io.vcmctl.vcm.VcmEntity.DiskLimitStopped;
import io.vcmctl.vcm.VcmEntity.Event;
import io.vcmctl.vcm.VcmEntity.Existing;
import io.vcmctl.vcm.VcmEntity.GetPkcs11;
import io.vcmctl.vcm.VcmEntity.Inactive;
import io.vcmctl.vcm.VcmEntity.MeasureUsage;
import io.vcmctl.vcm.VcmEntity.Measurement;
import io.vcmctl.vcm.VcmEntity.PropertyDifference;
import io.vcmctl.vcm.VcmEntity.SetProperty;
import io.vcmctl.vcm.VcmEntity.Start;
import io.vcmctl.vcm.VcmEntity.State;
import io.vcmctl.vcm.VcmEntity.StatusReported;
import io.vcmctl.vcm.VcmEntity.Stop;
import io.vcmctl.vcm.VcmEntity.StopForDiskLimit;
import io.vcmctl.vcm.VcmEntity.StopForReset;
import io.vcmctl.vcm.VcmEntity.TenantAction;
import io.vcmctl.vcm.VcmEntity.UsageMeasured;
import io.vcmctl.vcm.VcmEntity.WriteData;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestKind;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * How a VCM handles each command ({@link VcmEntity}'s table points here). A lifecycle command
 * (create, start, stop, delete) is checked against the VCM's rules, then carried out by the
 * device, and only then recorded: a device that fails or does not answer in time is a
 * {@code DEVICE_ERROR} refusal that records nothing. While a call is out, other commands wait.
 * The journal settles to what the device reports at recovery, before each measurement, and after
 * a call that timed out.
 */
final class VcmCommands {

  static final Principal RECONCILE = Principal.system("reconcile");
  static final Principal DEVICE = Principal.system("device");

  /** What a VCM needs from its host. */
  record Deps(ModuleClock clock, VcmRuntime runtime, VcmSettings settings, ActorRef<VcmView> observer) {}

  /** A lifecycle call out to the device: the event it becomes, and whom to tell. */
  private record DeviceCall(long id, String what, Supplier<Event> event, Consumer<State> done,
      Consumer<Refusal> failed) {}

  private final UUID uuid;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Deps deps;
  private final RequestVerifier verifier;
  private final Supplier<EffectFactories<Event, State>> effects;
  private final LongSupplier sequenceNr;
  private final WriteInFlight inFlight = new WriteInFlight();
  private DeviceCall pending;
  private long calls;

  VcmCommands(UUID uuid, ActorContext<Command> context, TimerScheduler<Command> timers, Deps deps,
      Supplier<EffectFactories<Event, State>> effects, LongSupplier sequenceNr) {
    this.uuid = uuid;
    this.context = context;
    this.timers = timers;
    this.deps = deps;
    this.verifier = new RequestVerifier(deps.settings().clockSkew(), deps.settings().validityCaps());
    this.effects = effects;
    this.sequenceNr = sequenceNr;
  }

  UUID uuid() {
    return uuid;
  }

  VcmSettings settings() {
    return deps.settings();
  }

  boolean deviceBusy() {
    return pending != null;
  }

  /** The journal failed or rejected a write: the entity restarts, or stops. */
  void onFailure() {
    inFlight.entityFailed("VCM " + uuid);
  }

  /** After recovery, the journal is checked against the device. */
  void onRecovered(State state) {
    pending = null;
    if (state instanceof Existing) {
      askStatus(null);
    }
  }

  // ---- lifecycle: the device first, then the event --------------------------------------

  ReplyEffect<Event, State> onCreate(Create c) {
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
    List<PropertyDifference> differences = differences(request, p);
    return call("create", deps.runtime().create(uuid),
        () -> new VcmEntity.VcmCreated(uuid, p, request.payload().sshadminKey(), meta(c.by(), request.digest())),
        s -> c.replyTo().tell(StatusReply.success(new CreateResult(view(s), differences))),
        r -> c.replyTo().tell(StatusReply.error(r)));
  }

  ReplyEffect<Event, State> onStart(Inactive s, Start c) {
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
    String authorizedBy = digest;
    return call("start", deps.runtime().start(uuid), () -> new VcmEntity.VcmStarted(uuid, meta(c.by(), authorizedBy)),
        c.replyTo());
  }

  ReplyEffect<Event, State> onStop(Active s, Stop c) {
    Optional<Refusal> r5 = VcmRules.stopInUse(uuid, s.data().facts(), c.force());
    if (r5.isPresent()) {
      return refuse(c.replyTo(), r5.get());
    }
    return call("stop", deps.runtime().stop(uuid, c.force()),
        () -> new VcmEntity.VcmStopped(uuid, c.force(), meta(c.by(), null)), c.replyTo());
  }

  ReplyEffect<Event, State> onStopForReset(Active s, StopForReset c) {
    return call("stop", deps.runtime().stop(uuid, false),
        () -> new VcmEntity.VcmStoppedForReset(uuid, meta(c.by(), null)), c.replyTo());
  }

  ReplyEffect<Event, State> onDelete(Existing s, Delete c) {
    Optional<Refusal> r6 = VcmRules.auditLogBlocksDelete(uuid, s.data().facts(), c.force());
    if (r6.isPresent()) {
      return refuse(c.replyTo(), r6.get());
    }
    return call("destroy", deps.runtime().destroy(uuid),
        () -> new VcmEntity.VcmDeleted(uuid, c.force(), meta(c.by(), null)), c.replyTo());
  }

  ReplyEffect<Event, State> onStopForDiskLimit(Existing s, StopForDiskLimit c) {
    Optional<Refusal> notOver = VcmRules.overDiskLimit(c.measuredBytes(), c.limitBytes());
    if (notOver.isPresent()) {
      return refuse(c.replyTo(), notOver.get());
    }
    Supplier<Event> event = () ->
        new VcmEntity.VcmStoppedForDiskLimit(uuid, c.measuredBytes(), c.limitBytes(), meta(c.by(), null));
    if (s instanceof Active) {
      return call("stop", deps.runtime().stop(uuid, true), event, c.replyTo());
    }
    return persist(event.get(), c.replyTo()).thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  private ReplyEffect<Event, State> call(String what, CompletionStage<Void> device, Supplier<Event> event,
      ActorRef<StatusReply<VcmView>> replyTo) {
    return call(what, device, event, s -> replyTo.tell(StatusReply.success(view(s))),
        r -> replyTo.tell(StatusReply.error(r)));
  }

  /** Waits for the device, with a timeout; other commands wait meanwhile. */
  private ReplyEffect<Event, State> call(String what, CompletionStage<Void> device, Supplier<Event> event,
      Consumer<State> done, Consumer<Refusal> failed) {
    DeviceCall call = new DeviceCall(++calls, what, event, done, failed);
    pending = call;
    timers.startSingleTimer(DeviceCall.class, new DeviceTimedOut(call.id()), deps.settings().deviceTimeout());
    context.pipeToSelf(device, (ok, failure) -> new DeviceAnswered(call.id(), failure));
    return effects.get().noReply();
  }

  ReplyEffect<Event, State> onDeviceAnswered(State s, DeviceAnswered c) {
    if (pending == null || pending.id() != c.op()) {
      // The device finished a call already reported as timed out: settle to what it did.
      askStatus(null);
      return effects.get().noReply();
    }
    DeviceCall call = pending;
    pending = null;
    timers.cancel(DeviceCall.class);
    if (c.failure() != null) {
      call.failed().accept(deviceError(call.what(), oneLine(c.failure())));
      return effects.get().none().thenNoReply().thenUnstashAll();
    }
    return persist(call.event().get(), call.failed())
        .thenRun(call.done()::accept)
        .thenNoReply()
        .thenUnstashAll();
  }

  ReplyEffect<Event, State> onDeviceTimedOut(State s, DeviceTimedOut c) {
    if (pending == null || pending.id() != c.op()) {
      return effects.get().noReply();
    }
    DeviceCall call = pending;
    pending = null;
    call.failed().accept(deviceError(call.what(), "it did not answer within "
        + deps.settings().deviceTimeout().toMillis() + " ms; the VCM settles to what the device then reports"));
    askStatus(null);
    return effects.get().none().thenNoReply().thenUnstashAll();
  }

  // ---- what the device reports: settling and measuring ----------------------------------

  ReplyEffect<Event, State> onMeasure(Existing s, MeasureUsage c) {
    askStatus(c.replyTo());
    return effects.get().noReply();
  }

  private void askStatus(ActorRef<StatusReply<Measurement>> measuring) {
    context.pipeToSelf(deps.runtime().status(uuid), (status, failure) -> new StatusReported(status, failure, measuring));
  }

  ReplyEffect<Event, State> onStatusReported(State s, StatusReported c) {
    if (c.failure() != null) {
      context.getLog().warn("VCM {}: the device did not report its status ({})", uuid, oneLine(c.failure()));
    }
    if (!(s instanceof Existing existing)) {
      return effects.get().noReply();
    }
    if (c.status() != null && pending == null && DeviceSettlement.mustRepeat(existing.status(), c.status())) {
      context.getLog().warn("VCM {} is {} but its device still has it {}; telling the device again",
          uuid, existing.status().label(), c.status());
      CompletionStage<Void> repeat = existing.status() == VcmStatus.DELETED
          ? deps.runtime().destroy(uuid) : deps.runtime().stop(uuid, true);
      context.pipeToSelf(repeat, (ok, failure) -> new StatusReported(null, failure, null));
    }
    Optional<DeviceSettlement.Settle> settle = c.status() == null || pending != null ? Optional.empty()
        : DeviceSettlement.decide(existing.status(), c.status());
    if (settle.isEmpty()) {
      measure(existing, c.measuring());
      return effects.get().noReply();
    }
    context.getLog().warn("VCM {} was recorded {}; {}: recorded as {} by {}", uuid, existing.status().label(),
        settle.get().reason(), settle.get().to().label(), RECONCILE);
    return effects.get().persist(new VcmEntity.VcmSettled(uuid, settle.get().to(), settle.get().reason(),
            meta(RECONCILE, null)))
        .thenRun(after -> {
          tellObserver(after);
          measure((Existing) after, c.measuring());
        })
        .thenNoReply();
  }

  private void measure(Existing s, ActorRef<StatusReply<Measurement>> replyTo) {
    if (replyTo != null && s.status() != VcmStatus.DELETED) {
      context.pipeToSelf(deps.runtime().measure(view(s)), (usage, failure) -> new UsageMeasured(usage, failure, replyTo));
    }
  }

  ReplyEffect<Event, State> onUsageMeasured(State s, UsageMeasured c) {
    if (c.failure() != null || c.usage() == null || !(s instanceof Existing existing)) {
      return refuse(c.replyTo(), new Refusal(Refusal.Code.UNAVAILABLE, "VCM " + uuid + " did not report its usage: "
          + (c.failure() == null ? "no figures" : oneLine(c.failure()))));
    }
    boolean worldObserved = Boolean.TRUE.equals(c.usage().tokenInitialized())
        && !existing.data().facts().securityWorldLoaded() && pending == null;
    if (!worldObserved) {
      return effects.get().reply(c.replyTo(), StatusReply.success(new Measurement(view(s), c.usage())));
    }
    return persist(new VcmEntity.SecurityWorldLoaded(uuid, meta(DEVICE, null)), c.replyTo())
        .thenRun(this::tellObserver)
        .thenReply(c.replyTo(), after -> StatusReply.success(new Measurement(view(after), c.usage())));
  }

  // ---- properties and the tenant --------------------------------------------------------

  ReplyEffect<Event, State> onSetProperty(Inactive s, SetProperty c) {
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
    return persist(new VcmEntity.PropertyChanged(uuid, property.key(), value, meta(c.by(), request.digest())),
            c.replyTo())
        .thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  ReplyEffect<Event, State> onTenantAction(Existing s, TenantAction c) {
    TenantActions.Decision decision;
    try {
      decision = TenantActions.decide(uuid, s, c.tenant(), c.action(), meta(c.tenant(), null));
    } catch (Refusal r) {
      return refuse(c.replyTo(), r);
    }
    if (decision.event() == null) {
      return effects.get().reply(c.replyTo(), StatusReply.success(view(s).unchanged(decision.unchanged())));
    }
    return persist(decision.event(), c.replyTo()).thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  ReplyEffect<Event, State> onWriteData(Existing s, WriteData c) {
    if (!deps.runtime().simulatesTenantData()) {
      return refuse(c.replyTo(), VcmRules.invalidArgument("VCM " + uuid + " is a real PKCS#11 token under the "
          + deps.runtime().name() + " runtime: store data through PKCS#11 (hsmadmin vcm pkcs11 " + uuid
          + " shows how), not with data write"));
    }
    Event event;
    try {
      event = TenantActions.write(uuid, s, c.tenant(), c.bytes(), deps.settings().maxDataWrite(),
          meta(c.tenant(), null));
    } catch (Refusal r) {
      return refuse(c.replyTo(), r);
    }
    return persist(event, c.replyTo()).thenReply(c.replyTo(), x -> StatusReply.success(view(x)));
  }

  ReplyEffect<Event, State> onGetPkcs11(Existing s, GetPkcs11 c) {
    try {
      TenantActions.mayUse(uuid, s, c.tenant());
    } catch (Refusal r) {
      return refuse(c.replyTo(), r);
    }
    return deps.runtime().pkcs11(uuid)
        .map(access -> effects.get().reply(c.replyTo(), StatusReply.success(access)))
        .orElseGet(() -> refuse(c.replyTo(), VcmRules.invalidArgument("VCM " + uuid + " runs on the "
            + deps.runtime().name() + " runtime, which has no PKCS#11 module to reach; run the daemon with"
            + " --runtime softhsm for real tokens")));
  }

  // ---------------------------------------------------------------------------------------

  VcmView view(State s) {
    return ((Existing) s).view(sequenceNr.getAsLong());
  }

  <R> ReplyEffect<Event, State> refuse(ActorRef<StatusReply<R>> replyTo, Refusal refusal) {
    return effects.get().reply(replyTo, StatusReply.error(refusal));
  }

  Refusal notActive(Existing s, String verb) {
    return VcmRules.notActive(uuid, s.status(), verb);
  }

  Refusal diskLimitStopped(DiskLimitStopped s, String verb) {
    return VcmRules.diskLimitStopped(uuid, s.measuredBytes(), s.limitBytes(), verb);
  }

  private Refusal deviceError(String what, String reason) {
    return new Refusal(Refusal.Code.DEVICE_ERROR, "the device could not " + what + " VCM " + uuid + ": " + reason);
  }

  private void tellObserver(State s) {
    if (deps.observer() != null) {
      deps.observer().tell(view(s));
    }
  }

  private EventMeta meta(Principal by, String requestDigest) {
    return EventMeta.of(deps.clock(), by, requestDigest);
  }

  private VerifiedRequest verify(byte[] request, VcmProperties current, RequestKind kind) throws RequestException {
    return verifier.verify(SignedRequest.parse(request), PublicKeys.decode(current.kTenantReq()), kind, uuid,
        deps.clock().now());
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

  /** Persists {@code event}; if the journal does not record it, {@code client} is told so. */
  private <T> EffectBuilder<Event, State> persist(Event event, ActorRef<StatusReply<T>> client) {
    inFlight.expect(event, client);
    return effects.get().persist(event).thenRun(x -> inFlight.recorded());
  }

  private EffectBuilder<Event, State> persist(Event event, Consumer<Refusal> failed) {
    inFlight.expect(event, failed);
    return effects.get().persist(event).thenRun(x -> inFlight.recorded());
  }

  private static String oneLine(Throwable failure) {
    Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return SafeText.oneLine(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
  }
}
