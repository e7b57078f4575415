package io.vcmctl.bench;

import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.Orchestrator;
import java.util.List;
import java.util.UUID;

/**
 * 1. Durable start/stop throughput across 100 VCMs of one HSM through the facade, against
 * bare counters on the same journal configuration in a second directory, in the same JVM;
 * rounds alternate between the two so that drift in the machine's load hits both alike.
 */
final class Lifecycle {

  static final int ENTITIES = 100;

  private Lifecycle() {}

  static void run(Bench bench) {
    int perEntity = bench.quick() ? 6 : 100;
    int rounds = bench.quick() ? 1 : 3;
    double[] product = new double[rounds];
    double[] productP50 = new double[rounds];
    double[] productP99 = new double[rounds];
    double[] ceiling = new double[rounds];
    double[] ceilingP50 = new double[rounds];
    double[] ceilingP99 = new double[rounds];
    double[] ratio = new double[rounds];
    try (Orchestrator o = Product.start(bench.dir("lifecycle-product"), Product.IDLE_POLLER);
        Bare bare = Bare.start(bench.dir("lifecycle-bare"), ENTITIES, 50)) {
      Product.ready(o);
      List<UUID> vcms = Product.createAll(o, Product.createRequests(Product.tenants(ENTITIES)));
      // Even counts per VCM: every round starts and ends with all of them inactive.
      Driver.Op lifecycle = (w, nth) -> nth % 2 == 0
          ? o.startVcm(vcms.get(w), null, Product.ADMIN)
          : o.stopVcm(vcms.get(w), false, Product.ADMIN);
      Driver.Op increment = (w, nth) -> bare.increment(w);
      Driver.run(ENTITIES, 20, lifecycle);
      Driver.run(ENTITIES, 20, increment);
      for (int r = 0; r < rounds; r++) {
        Driver.Result p = Driver.run(ENTITIES, perEntity, lifecycle);
        Driver.Result c = Driver.run(ENTITIES, perEntity, increment);
        product[r] = p.perSecond();
        productP50[r] = p.percentileMillis(0.50);
        productP99[r] = p.percentileMillis(0.99);
        ceiling[r] = c.perSecond();
        ceilingP50[r] = c.percentileMillis(0.50);
        ceilingP99[r] = c.percentileMillis(0.99);
        ratio[r] = product[r] / ceiling[r];
      }
    }
    int commands = ENTITIES * perEntity;
    Table t = bench.table();
    String what = " (" + commands + " cmds, " + ENTITIES + " in flight)";
    t.add("1", "start/stop via facade, 100 VCMs, cmd/s" + what, product, Table::count, Goal.NONE, 0);
    t.add("1", "  latency p50", productP50, Table::ms, Goal.NONE, 0);
    t.add("1", "  latency p99", productP99, Table::ms, Goal.NONE, 0);
    t.add("1", "ceiling: bare counter, 100 entities, cmd/s" + what, ceiling, Table::count, Goal.NONE, 0);
    t.add("1", "  latency p50", ceilingP50, Table::ms, Goal.NONE, 0);
    t.add("1", "  latency p99", ceilingP99, Table::ms, Goal.NONE, 0);
    t.add("1", "product / ceiling (per paired round)", ratio, Table::ratio, Goal.AT_LEAST, 0.7);
  }
}
