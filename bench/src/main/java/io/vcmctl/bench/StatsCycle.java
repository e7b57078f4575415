package io.vcmctl.bench;

import io.vcmctl.bench.Table.Goal;
import io.vcmctl.hsm.HsmEntity.VcmStats;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.stats.StatsPoller;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * 4. The stats poller over 1000 VCMs, half of them active, with a 1 s delay between cycles:
 * each cycle's duration as the poller reports it, and the worst staleness ({@code now -
 * collected_at}) that {@code stats} showed while it was sampled every 100 ms.
 */
final class StatsCycle {

  private static final Duration DELAY = Duration.ofSeconds(1);
  private static final Duration SAMPLE_EVERY = Duration.ofMillis(100);

  private StatsCycle() {}

  static void run(Bench bench) {
    int vcms = bench.quick() ? 100 : 1000;
    Duration window = bench.quick() ? Duration.ofSeconds(5) : Duration.ofSeconds(20);
    Sampler sampler;
    try (Orchestrator o = Product.start(bench.dir("stats"), DELAY)) {
      Product.ready(o);
      List<UUID> created = Product.createAll(o, Product.createRequests(Product.tenants(vcms)));
      Product.startAll(o, created.subList(0, vcms / 2));
      sampler = new Sampler(o, vcms, window);
      sampler.run();
    }
    double[] durations = sampler.cycles.stream().mapToDouble(Double::doubleValue).toArray();
    Table t = bench.table();
    t.add("4", "stats poll cycle, " + vcms + " VCMs (" + vcms / 2 + " active)", durations, Table::ms, Goal.AT_MOST,
        100, "cycles");
    t.add("4", "  worst staleness seen by stats (delay " + DELAY.toSeconds() + " s, sampled every "
        + SAMPLE_EVERY.toMillis() + " ms for " + window.toSeconds() + " s)", Table.ms(sampler.worstStaleMillis),
        "bound: delay + one cycle", "", "");
  }

  /**
   * Samples {@code stats} and the poller's status at a fixed rate on one thread: first until
   * two cycles have completed after the setup (every VCM has figures), then for the window.
   */
  private static final class Sampler {
    private final Orchestrator o;
    private final int vcms;
    private final Duration window;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<Double> cycles = new ArrayList<>();
    private double worstStaleMillis;
    private long settledAt = -1;
    private long seen = -1;
    private long end;

    Sampler(Orchestrator o, int vcms, Duration window) {
      this.o = o;
      this.vcms = vcms;
      this.window = window;
    }

    /** Blocks until the window has been sampled; the fields are read after it returns. */
    void run() {
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try {
        timer.scheduleAtFixedRate(this::sampleOrFail, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        Product.await(done);
      } finally {
        timer.shutdownNow();
      }
    }

    private void sampleOrFail() {
      try {
        sample();
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }

    private void sample() {
      if (done.isDone()) {
        return;
      }
      StatsPoller.Status st = Product.await(o.pollerStatus(Product.ESN));
      if (settledAt < 0) {
        settledAt = st.cyclesCompleted() + 2;
      }
      if (seen < 0) {
        if (st.cyclesCompleted() < settledAt) {
          return;
        }
        seen = st.cyclesCompleted();
        end = System.nanoTime() + window.toNanos();
      }
      List<VcmStats> stats = Product.await(o.stats(Product.ESN)).vcms();
      Instant now = Instant.now();
      for (VcmStats s : stats) {
        if (s.collectedAt() == null || !s.answering()) {
          throw new IllegalStateException("VCM " + s.uuid() + " has no figures after two poll cycles");
        }
        worstStaleMillis = Math.max(worstStaleMillis, Duration.between(s.collectedAt(), now).toNanos() / 1e6);
      }
      if (st.cyclesCompleted() > seen) {
        if (st.lastVcmCount() != vcms || st.lastUnanswered() != 0) {
          throw new IllegalStateException("a cycle polled " + st.lastVcmCount() + " VCMs, "
              + st.lastUnanswered() + " did not answer");
        }
        cycles.add(st.lastDuration().toNanos() / 1e6);
        seen = st.cyclesCompleted();
      }
      if (System.nanoTime() >= end) {
        done.complete(null);
      }
    }
  }
}
