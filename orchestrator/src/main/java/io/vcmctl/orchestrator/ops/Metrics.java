package io.vcmctl.orchestrator.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.stats.StatsPoller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The daemon's Prometheus metrics, in a registry of its own: what happened since the start
 * (commands, poll cycles) is counted as it happens; the fleet (HSMs and VCMs) is read through
 * the facade at each scrape, so a deleted VCM's series are simply no longer there.
 */
public final class Metrics {

  private static final double[] COMMAND_SECONDS =
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final double[] POLL_SECONDS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  /** How a command was answered: acknowledged, refused with a code, or failed (a bug). */
  public enum Outcome {
    OK, REFUSED, ERROR;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A scrape, in the format the scraper asked for, with that format's exact content type. */
  public record Exposition(String contentType, byte[] body) {}

  private final Orchestrator orchestrator;
  private final OpsSettings settings;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Counter commands;
  private final Counter refusals;
  private final Histogram commandSeconds;
  private final Histogram pollSeconds;
  private final Gauge lastCycle;
  private final Gauge unanswered;

  private Metrics(Orchestrator orchestrator, OpsSettings settings) {
    this.orchestrator = orchestrator;
    this.settings = settings;
    JvmMetrics.builder().register(registry);
    Info.builder().name("vcmctl_build_info").help("The orchestrator's version (always 1).").labelNames("version")
        .register(registry).addLabelValues(Version.current());
    commands = Counter.builder().name("vcmctl_commands_total")
        .help("Provider and tenant commands answered over HTTP, by command and outcome (ok, refused, error).")
        .labelNames("command", "outcome").register(registry);
    refusals = Counter.builder().name("vcmctl_command_refusals_total")
        .help("Refused commands by command and refusal code (the API's error code).")
        .labelNames("command", "code").register(registry);
    commandSeconds = Histogram.builder().name("vcmctl_command_duration_seconds")
        .help("Acknowledged commands, from the HTTP request to its answer; the answer is sent only once the"
            + " command's events are persisted (fsync'd), so this includes the journal write.")
        .unit(Unit.SECONDS).labelNames("command").classicOnly().classicUpperBounds(COMMAND_SECONDS)
        .register(registry);
    pollSeconds = Histogram.builder().name("vcmctl_stats_poll_duration_seconds")
        .help("Stats poll cycles of an HSM, from the start of a cycle to its figures being stored.")
        .unit(Unit.SECONDS).labelNames("esn").classicOnly().classicUpperBounds(POLL_SECONDS).register(registry);
    lastCycle = Gauge.builder().name("vcmctl_stats_last_cycle_timestamp_seconds")
        .help("When the stats poller of an HSM last completed a cycle (Unix time, the host's clock).")
        .unit(Unit.SECONDS).labelNames("esn").register(registry);
    unanswered = Gauge.builder().name("vcmctl_stats_unanswered_vcms")
        .help("VCMs of an HSM that did not report their usage in the last poll cycle.")
        .labelNames("esn").register(registry);
    Gauge delay = Gauge.builder().name("vcmctl_stats_poll_delay_seconds")
        .help("The stats poller's pause between cycles; stats older than twice this are stale.")
        .unit(Unit.SECONDS).labelNames("esn").register(registry);
    orchestrator.esns().forEach(esn -> delay.labelValues(esn).set(seconds(settings.stats().delay())));
    Gauge.builder().name("vcmctl_vcm_disk_limit_bytes")
        .help("The disk use beyond which a VCM is stopped for good (R11).")
        .unit(Unit.BYTES).register(registry).set(settings.stats().diskLimit());
  }

  /** The metrics of this orchestrator, listening to its stats pollers from now on. */
  public static Metrics start(Orchestrator orchestrator, OpsSettings settings) {
    Metrics metrics = new Metrics(orchestrator, settings);
    orchestrator.system().systemActorOf(cycleListener(metrics::cycleCompleted), "ops-stats-cycles", Props.empty());
    return metrics;
  }

  /** Subscribes to the pollers' cycles on the event stream and hands each to {@code record}. */
  private static Behavior<StatsPoller.CycleCompleted> cycleListener(Consumer<StatsPoller.CycleCompleted> record) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(StatsPoller.CycleCompleted.class, ctx.getSelf()));
      return Behaviors.receiveMessage(cycle -> {
        record.accept(cycle);
        return Behaviors.same();
      });
    });
  }

  private void cycleCompleted(StatsPoller.CycleCompleted cycle) {
    orchestrator.esnOf(cycle.hsm()).ifPresent(esn -> {
      pollSeconds.labelValues(esn).observe(seconds(cycle.duration()));
      lastCycle.labelValues(esn).set(cycle.completedAt().toEpochMilli() / 1000.0);
      unanswered.labelValues(esn).set(cycle.unanswered());
    });
  }

  /**
   * Counts one answered command.
   *
   * @param code the API's error code when it was not acknowledged, else {@code null}
   * @param took from the request to the answer
   */
  public void commandAnswered(String command, Outcome outcome, String code, Duration took) {
    commands.labelValues(command, outcome.label()).inc();
    if (outcome == Outcome.OK) {
      commandSeconds.labelValues(command).observe(seconds(took));
    } else if (outcome == Outcome.REFUSED) {
      refusals.labelValues(command, code).inc();
    }
  }

  /**
   * Everything, in the format an {@code Accept} header asks for: OpenMetrics when asked for,
   * else the Prometheus text format (also when protobuf is asked for, which is not served).
   */
  public CompletionStage<Exposition> scrape(String accept) {
    ExpositionFormatWriter asked = formats.findWriter(accept);
    ExpositionFormatWriter writer = asked.isAvailable() ? asked : formats.getPrometheusTextFormatWriter();
    return FleetMetrics.collect(orchestrator, settings).thenApply(fleet -> {
      MetricSnapshots.Builder all = MetricSnapshots.builder();
      registry.scrape().forEach(all::metricSnapshot);
      fleet.forEach(all::metricSnapshot);
      ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
      try {
        writer.write(out, all.build());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Exposition(writer.getContentType(), out.toByteArray());
    });
  }

  /** A duration in seconds, as Prometheus and the JSON views give it. */
  public static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
