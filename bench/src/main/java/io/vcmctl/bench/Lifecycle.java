package io.vcmctl.bench;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.Orchestrator;
import java.util.List;
import java.util.UUID;

/**
 * 1. Durable start/stop throughput across 100 VCMs of one HSM through the facade, against
 * bare counters on the same journal configuration in a second directory, and against the
 * product without its audit hash chain in a third, in the same JVM; rounds alternate between
 * them so that drift in the machine's load hits all alike.
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
    double[] unchained = new double[rounds];
    double[] chainRatio = new double[rounds];
    try (Orchestrator o = Product.start(bench.dir("lifecycle-product"), Product.IDLE_POLLER);
        Orchestrator plain = Product.start(bench.dir("lifecycle-unchained"), Product.IDLE_POLLER,
            ConfigFactory.parseString("vcmctl.audit.chain = off"));
        Bare bare = Bare.start(bench.dir("lifecycle-bare"), ENTITIES, 50)) {
      Driver.Op lifecycle = lifecycle(o);
      Driver.Op withoutChain = lifecycle(plain);
      Driver.Op increment = (w, nth) -> bare.increment(w);
      Driver.run(ENTITIES, 20, lifecycle);
      Driver.run(ENTITIES, 20, withoutChain);
      Driver.run(ENTITIES, 20, increment);
      for (int r = 0; r < rounds; r++) {
        Driver.Result p = Driver.run(ENTITIES, perEntity, lifecycle);
        Driver.Result u = Driver.run(ENTITIES, perEntity, withoutChain);
        Driver.Result c = Driver.run(ENTITIES, perEntity, increment);
        unchained[r] = u.perSecond();
        chainRatio[r] = p.perSecond() / u.perSecond();
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
    t.add("1", "start/stop without the audit hash chain, cmd/s" + what, unchained, Table::count, Goal.NONE, 0);
    t.add("1", "with chain / without (per paired round)", chainRatio, Table::ratio, Goal.AT_LEAST, 0.9);
  }

  /** Starts and stops the 100 VCMs of a ready HSM; even counts per VCM, so every round ends with all inactive. */
  private static Driver.Op lifecycle(Orchestrator o) {
    Product.ready(o);
    List<UUID> vcms = Product.createAll(o, Product.createRequests(Product.tenants(ENTITIES)));
    return (w, nth) -> nth % 2 == 0
        ? o.startVcm(vcms.get(w), null, Product.ADMIN)
        : o.stopVcm(vcms.get(w), false, Product.ADMIN);
  }
}
