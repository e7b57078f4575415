package io.vcmctl.stats;

import io.vcmctl.hsm.Asks;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * Polls every VCM of one HSM, active and inactive, and stores the figures in the HSM.
 *
 * <p>A cycle: ask the HSM for its VCMs, ask each for its usage in parallel (each with its own
 * timeout, so a silent VCM is reported as not answering and holds up no other), stop through
 * the HSM every VCM whose disk use exceeds the limit (R11), store the figures in the HSM, then
 * arm a single timer for the next cycle. The delay counts from the end of a cycle, so cycles
 * never overlap and a slow one pushes the next one back.
 */
public final class StatsPoller extends AbstractBehavior<StatsPoller.Command> {

  public static final Principal POLLER = Principal.system("stats-poller");

  public interface Command extends CborSerializable {}

  /** How the poller has been doing; for operators and benchmarks. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * @param lastDuration how long the last complete cycle took, from its start to its figures being stored
   */
  public record Status(long cyclesCompleted, Duration lastDuration, Instant lastCompletedAt, int lastVcmCount,
      int lastUnanswered) implements CborSerializable {}

  /**
   * Published on the actor system's event stream at the end of every complete cycle, for
   * monitoring. {@code completedAt} is the host's clock, which a monitoring system compares
   * with its own (the module clock may be set anywhere).
   */
  public record CycleCompleted(ActorRef<HsmEntity.Command> hsm, Duration duration, Instant completedAt, int vcms,
      int unanswered) {}

  private enum Tick implements Command { INSTANCE }

  private record VcmsListed(Map<UUID, ActorRef<VcmEntity.Command>> vcms) implements Command {}

  private record Measured(Map<UUID, VcmEntity.Measurement> measurements, Set<UUID> asked) implements Command {}

  private record Stored(List<VcmStats> stats, Set<UUID> asked) implements Command {}

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
  private int lastVcmCount;
  private int lastUnanswered;

  public static Behavior<Command> create(ActorRef<HsmEntity.Command> hsm, StatsSettings settings, ModuleClock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new StatsPoller(ctx, timers, hsm, settings, clock)));
  }

  private StatsPoller(ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<HsmEntity.Command> hsm,
      StatsSettings settings, ModuleClock clock) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.hsm = hsm;
    this.settings = settings;
    this.clock = clock;
    timers.startSingleTimer(Tick.INSTANCE, settings.delay());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(VcmsListed.class, this::onVcmsListed)
        .onMessage(Measured.class, this::onMeasured)
        .onMessage(Stored.class, this::onStored)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onTick() {
    cycleStartNanos = System.nanoTime();
    context.pipeToSelf(Asks.<HsmEntity.Command, HsmEntity.VcmRefs>ask(context.getSystem(), hsm,
            HsmEntity.GetVcmRefs::new, settings.vcmTimeout()),
        (refs, failure) -> new VcmsListed(refs == null ? Map.of() : refs.vcms()));
    return this;
  }

  private Behavior<Command> onVcmsListed(VcmsListed listed) {
    Map<UUID, CompletableFuture<VcmEntity.Measurement>> asks = new HashMap<>();
    listed.vcms().forEach((uuid, vcm) -> asks.put(uuid, measure(vcm).toCompletableFuture()));
    CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new))
        .whenComplete((x, failure) -> {
          Map<UUID, VcmEntity.Measurement> answered = new HashMap<>();
          asks.forEach((uuid, f) -> {
            VcmEntity.Measurement m = f.getNow(null);
            if (m != null) {
              answered.put(uuid, m);
            }
          });
          context.getSelf().tell(new Measured(answered, Set.copyOf(asks.keySet())));
        });
    return this;
  }

  /** One VCM's usage, or {@code null} when it did not answer in time or could not measure. */
  private CompletionStage<VcmEntity.Measurement> measure(ActorRef<VcmEntity.Command> vcm) {
    return Asks.<VcmEntity.Command, StatusReply<VcmEntity.Measurement>>ask(context.getSystem(), vcm,
            VcmEntity.MeasureUsage::new, settings.vcmTimeout())
        .handle((reply, failure) -> reply != null && reply.isSuccess() ? reply.getValue() : null);
  }

  private Behavior<Command> onMeasured(Measured measured) {
    Instant now = clock.now();
    List<VcmStats> stats = new ArrayList<>();
    List<CompletableFuture<VcmStats>> stops = new ArrayList<>();
    for (VcmEntity.Measurement m : measured.measurements().values()) {
      VcmView view = m.view();
      long disk = m.usage().diskBytes();
      VcmStats figures = new VcmStats(view.uuid(), view.properties().name(), view.status(),
          view.isActive() ? m.usage().memoryBytes() : 0, disk, now, true, settings.approachesLimit(disk));
      if (settings.exceedsLimit(disk) && view.status() != VcmStatus.DISK_LIMIT_STOPPED) {
        stops.add(stopForDiskLimit(figures));
      } else {
        stats.add(figures);
      }
    }
    int unanswered = measured.asked().size() - measured.measurements().size();
    if (unanswered > 0) {
      context.getLog().warn("{} VCM(s) did not report their usage within {}", unanswered, settings.vcmTimeout());
    }
    lastUnanswered = unanswered;
    lastVcmCount = measured.asked().size();
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).whenComplete((x, failure) -> {
      List<VcmStats> all = new ArrayList<>(stats);
      stops.forEach(f -> all.add(f.join()));
      context.getSelf().tell(new Stored(all, measured.asked()));
    });
    return this;
  }

  /** R11, through the HSM so the active slot is freed there too; the figures show the outcome. */
  private CompletableFuture<VcmStats> stopForDiskLimit(VcmStats figures) {
    context.getLog().warn("VCM {} uses {} bytes of disk, over the limit of {}; stopping it (R11)",
        figures.uuid(), figures.diskBytes(), settings.diskLimit());
    return Asks.<HsmEntity.Command, StatusReply<VcmView>>ask(context.getSystem(), hsm,
            r -> new HsmEntity.StopVcmForDiskLimit(figures.uuid(), figures.diskBytes(), settings.diskLimit(), POLLER, r),
            settings.vcmTimeout())
        .handle((reply, failure) -> {
          VcmStatus status = reply != null && reply.isSuccess() ? reply.getValue().status() : figures.status();
          return new VcmStats(figures.uuid(), figures.name(), status,
              status == VcmStatus.ACTIVE ? figures.memoryBytes() : 0, figures.diskBytes(), figures.collectedAt(),
              true, true);
        })
        .toCompletableFuture();
  }

  private Behavior<Command> onStored(Stored stored) {
    Map<UUID, VcmStats> fresh = new HashMap<>();
    stored.stats().forEach(s -> fresh.put(s.uuid(), s));
    // A VCM that did not answer keeps its last figures (if any), marked as not answering.
    for (UUID uuid : stored.asked()) {
      if (!fresh.containsKey(uuid)) {
        VcmStats old = last.get(uuid);
        fresh.put(uuid, old == null
            ? new VcmStats(uuid, null, null, 0, 0, null, false, false)
            : new VcmStats(uuid, old.name(), old.status(), old.memoryBytes(), old.diskBytes(), old.collectedAt(),
                false, old.approachingDiskLimit()));
      }
    }
    last.clear();
    last.putAll(fresh);
    hsm.tell(new HsmEntity.RecordStats(List.copyOf(fresh.values()), context.getSystem().ignoreRef()));
    cycles++;
    lastDuration = Duration.ofNanos(System.nanoTime() - cycleStartNanos);
    lastCompletedAt = clock.now();
    context.getSystem().eventStream().tell(new EventStream.Publish<>(
        new CycleCompleted(hsm, lastDuration, Instant.now(), lastVcmCount, lastUnanswered)));
    timers.startSingleTimer(Tick.INSTANCE, settings.delay());
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    get.replyTo().tell(new Status(cycles, lastDuration, lastCompletedAt, lastVcmCount, lastUnanswered));
    return this;
  }
}
