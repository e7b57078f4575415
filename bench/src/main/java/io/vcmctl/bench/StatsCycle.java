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

/**
 * 4. The stats poller over 1000 VCMs, half of them active, with a 1 s delay between cycles:
 * each cycle's duration as the poller reports it, and the worst staleness ({@code now -
 * collected_at}) that {@code stats} showed while it was sampled every 100 ms.
 */
final class StatsCycle {

  private static final Duration DELAY = Duration.ofSeconds(1);

  private StatsCycle() {}

  static void run(Bench bench) {
    int vcms = bench.quick() ? 100 : 1000;
    Duration window = bench.quick() ? Duration.ofSeconds(5) : Duration.ofSeconds(20);
    List<Double> cycles = new ArrayList<>();
    double worstStaleMillis = 0;
    try (Orchestrator o = Product.start(bench.dir("stats"), DELAY)) {
      Product.ready(o);
      List<UUID> created = Product.createAll(o, Product.createRequests(Product.tenants(vcms)));
      Product.startAll(o, created.subList(0, vcms / 2));
      // Two complete cycles after the setup: every VCM has figures before sampling begins.
      long settled = status(o).cyclesCompleted() + 2;
      while (status(o).cyclesCompleted() < settled) {
        Machine.sleep(20);
      }
      long seen = status(o).cyclesCompleted();
      long end = System.nanoTime() + window.toNanos();
      while (System.nanoTime() < end) {
        List<VcmStats> stats = Product.await(o.stats(Product.ESN));
        Instant now = Instant.now();
        for (VcmStats s : stats) {
          if (s.collectedAt() == null || !s.answered()) {
            throw new IllegalStateException("VCM " + s.uuid() + " has no figures after two poll cycles");
          }
          worstStaleMillis = Math.max(worstStaleMillis, Duration.between(s.collectedAt(), now).toNanos() / 1e6);
        }
        StatsPoller.Status st = status(o);
        if (st.cyclesCompleted() > seen) {
          if (st.lastVcmCount() != vcms || st.lastUnanswered() != 0) {
            throw new IllegalStateException("a cycle polled " + st.lastVcmCount() + " VCMs, "
                + st.lastUnanswered() + " did not answer");
          }
          cycles.add(st.lastDuration().toNanos() / 1e6);
          seen = st.cyclesCompleted();
        }
        Machine.sleep(100);
      }
    }
    double[] durations = cycles.stream().mapToDouble(Double::doubleValue).toArray();
    Table t = bench.table();
    t.add("4", "stats poll cycle, " + vcms + " VCMs (" + vcms / 2 + " active)", durations, Table::ms, Goal.AT_MOST,
        100, "cycles");
    t.add("4", "  worst staleness seen by stats (delay " + DELAY.toSeconds() + " s, sampled every 100 ms for "
        + window.toSeconds() + " s)", Table.ms(worstStaleMillis), "bound: delay + one cycle", "", "");
  }

  private static StatsPoller.Status status(Orchestrator o) {
    return Product.await(o.pollerStatus(Product.ESN));
  }
}
