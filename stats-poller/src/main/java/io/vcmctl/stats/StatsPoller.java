package io.vcmctl.stats;

import io.vcmctl.hsm.FanOut;
import io.vcmctl.hsm.DispatcherAsks;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEntity.VcmStats;
import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Polls every VCM of one HSM, active and inactive, and stores the figures in the HSM.
 *
 * <p>A cycle: ask the HSM for its VCMs, measure them all at once in a {@link FanOut} child (each
 * with its own timeout, so a silent VCM is reported as not answering and holds up no other),
 * stop through the HSM every VCM whose disk use exceeds the limit (R11, another fan-out), store
 * the figures in the HSM, then arm a single timer for the next cycle. The first cycle starts as
 * soon as the poller does; the delay counts from the end of a cycle, so cycles never overlap and a
 * slow one pushes the next one back.
 */
public final class StatsPoller extends AbstractBehavior<StatsPoller.Command> {

  public static final Principal POLLER = Principal.system("stats-poller");

  public interface Command extends CborSerializable {}

  /** How the poller has been doing; for operators and benchmarks. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * @param lastDuration how long the last complete cycle took, from its start to its figures being stored
   * @param lastCompletedAt when the last cycle completed, on the module clock ({@code null} before the first)
   * @param lastCompletedOnHost the same on the host's clock, which monitoring compares with its own
   */
  public record Status(long cyclesCompleted, Duration lastDuration, Instant lastCompletedAt, int lastVcmCount,
      int lastUnanswered, Instant lastCompletedOnHost) implements CborSerializable {}

  /**
   * Published on the actor system's event stream at the end of every complete cycle, for
   * monitoring. {@code completedAt} is the host's clock, which a monitoring system compares
   * with its own (the module clock may be set anywhere).
   */
  public record CycleCompleted(ActorRef<HsmEntity.Command> hsm, Duration duration, Instant completedAt, int vcms,
      int unanswered) {}

  private enum Tick implements Command { INSTANCE }

  private record VcmsListed(Map<UUID, ActorRef<VcmEntity.Command>> vcms) implements Command {}

  private record Measured(Map<UUID, FanOut.Outcome<VcmEntity.Measurement>> outcomes) implements Command {}

  private record Stopped(Map<UUID, VcmStats> figures, Map<UUID, FanOut.Outcome<VcmView>> outcomes)
      implements Command {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<HsmEntity.Command> hsm;
  private final StatsSettings settings;
  private final ModuleClock clock;
  private final Map<UUID, VcmStats> last = new HashMap<>();

  private long cycles;
  private long cycleStartNanos;
  private Duration lastDuration = Duration.ZERO;
  private Instant lastCompletedAt;
  private Instant lastCompletedOnHost;
  private int lastVcmCount;
  private int lastUnanswered;

  public static Behavior<Command> create(ActorRef<HsmEntity.Command> hsm, StatsSettings settings, ModuleClock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new StatsPoller(ctx, timers, hsm, settings, clock)));
  }

  private StatsPoller(ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<HsmEntity.Command> hsm,
      StatsSettings settings, ModuleClock clock) {
    super(context);
    this.context = context;
    // Log lines name this class, not the framework class that may have asked for the logger first.
    context.setLoggerName(StatsPoller.class);
    this.timers = timers;
    this.hsm = hsm;
    this.settings = settings;
    this.clock = clock;
    // The first cycle runs at once: after a restart the HSM has no figures until a poll reports.
    context.getSelf().tell(Tick.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(VcmsListed.class, this::onVcmsListed)
        .onMessage(Measured.class, this::onMeasured)
        .onMessage(Stopped.class, this::onStopped)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onTick() {
    cycleStartNanos = System.nanoTime();
    DispatcherAsks.<Command, HsmEntity.Command, HsmEntity.VcmRefs>ask(context, hsm, settings.vcmTimeout(),
        HsmEntity.GetVcmRefs::new, (refs, failure) -> new VcmsListed(refs == null ? Map.of() : refs.vcms()));
    return this;
  }

  private Behavior<Command> onVcmsListed(VcmsListed listed) {
    context.spawnAnonymous(FanOut.create(listed.vcms(), VcmEntity.Measurement.class, VcmEntity.MeasureUsage::new,
        settings.vcmTimeout(), context.getSelf(), Measured::new));
    return this;
  }

  private Behavior<Command> onMeasured(Measured measured) {
    Instant now = clock.now();
    Map<UUID, VcmStats> figures = new LinkedHashMap<>();
    Map<UUID, ActorRef<HsmEntity.Command>> overLimit = new LinkedHashMap<>();
    measured.outcomes().forEach((uuid, outcome) -> {
      if (outcome.value() == null) {
        figures.put(uuid, silent(uuid));
        return;
      }
      VcmView view = outcome.value().view();
      long disk = outcome.value().usage().diskBytes();
      figures.put(uuid, new VcmStats(uuid, view.properties().name(), view.status(),
          view.isActive() ? outcome.value().usage().memoryBytes() : 0, disk,
          view.isActive() ? outcome.value().usage().cpuSeconds() : 0, now, true, settings.approachesLimit(disk)));
      if (settings.exceedsLimit(disk) && view.status() != VcmStatus.DISK_LIMIT_STOPPED) {
        context.getLog().warn("VCM {} uses {} bytes of disk, over the limit of {}; stopping it (R11)",
            uuid, disk, settings.diskLimit());
        overLimit.put(uuid, hsm);
      }
    });
    lastVcmCount = measured.outcomes().size();
    lastUnanswered = (int) measured.outcomes().values().stream().filter(o -> o.value() == null).count();
    if (lastUnanswered > 0) {
      context.getLog().warn("{} VCM(s) did not report their usage within {}", lastUnanswered, settings.vcmTimeout());
    }
    // R11 goes through the HSM, so that the active slot is freed there too.
    context.spawnAnonymous(FanOut.create(overLimit, VcmView.class,
        (uuid, r) -> new HsmEntity.StopVcmForDiskLimit(uuid, figures.get(uuid).diskBytes(), settings.diskLimit(),
            POLLER, r),
        settings.vcmTimeout(), context.getSelf(), outcomes -> new Stopped(figures, outcomes)));
    return this;
  }

  /** A VCM that did not answer keeps its last figures (if any), marked as not answering. */
  private VcmStats silent(UUID uuid) {
    VcmStats old = last.get(uuid);
    return old == null
        ? new VcmStats(uuid, null, null, 0, 0, 0, null, false, false)
        : new VcmStats(uuid, old.name(), old.status(), old.memoryBytes(), old.diskBytes(), old.cpuSeconds(),
            old.collectedAt(), false, old.approachingDiskLimit());
  }

  private Behavior<Command> onStopped(Stopped stopped) {
    Map<UUID, VcmStats> figures = new LinkedHashMap<>(stopped.figures());
    stopped.outcomes().forEach((uuid, outcome) -> {
      VcmStats f = figures.get(uuid);
      VcmStatus status = outcome.value() != null ? outcome.value().status() : f.status();
      figures.put(uuid, new VcmStats(uuid, f.name(), status, status == VcmStatus.ACTIVE ? f.memoryBytes() : 0,
          f.diskBytes(), status == VcmStatus.ACTIVE ? f.cpuSeconds() : 0, f.collectedAt(), true, true));
    });
    last.clear();
    last.putAll(figures);
    hsm.tell(new HsmEntity.RecordStats(List.copyOf(figures.values()), context.getSystem().ignoreRef()));
    cycles++;
    lastDuration = Duration.ofNanos(System.nanoTime() - cycleStartNanos);
    lastCompletedAt = clock.now();
    lastCompletedOnHost = Instant.now();
    context.getSystem().eventStream().tell(new EventStream.Publish<>(
        new CycleCompleted(hsm, lastDuration, lastCompletedOnHost, lastVcmCount, lastUnanswered)));
    timers.startSingleTimer(Tick.INSTANCE, settings.delay());
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    get.replyTo().tell(new Status(cycles, lastDuration, lastCompletedAt, lastVcmCount, lastUnanswered,
        lastCompletedOnHost));
    return this;
  }
}
