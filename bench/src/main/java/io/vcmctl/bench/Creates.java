package io.vcmctl.bench;

import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.Orchestrator;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.List;

/**
 * 2. Creating 1000 VCMs on a fresh high-speed HSM, each from its own signed request, all sent
 * at once; and 5. the heap those 1000 VCMs retain, read after full collections just before
 * and just after the creates of the same round.
 */
final class Creates {

  private Creates() {}

  static void run(Bench bench) {
    int n = bench.quick() ? 100 : 1000;
    int rounds = bench.quick() ? 1 : 3;
    int warmUps = bench.quick() ? 0 : 1;
    List<Product.Tenant> tenants = Product.tenants(n);
    double[] seconds = new double[rounds];
    double[] perSecond = new double[rounds];
    double[] kibPerVcm = new double[rounds];
    for (int r = -warmUps; r < rounds; r++) {
      Path dir = bench.dir("create-" + (r + warmUps));
      try (Orchestrator o = Product.start(dir, Product.IDLE_POLLER)) {
        Product.ready(o);
        // Signed before the clock starts; verifying them is part of each create.
        List<byte[]> requests = Product.createRequests(tenants);
        long before = Machine.usedHeapAfterGc();
        long t0 = System.nanoTime();
        int created = Product.createAll(o, requests).size();
        long elapsed = System.nanoTime() - t0;
        long after = Machine.usedHeapAfterGc();
        // The requests were live at both readings, so they are not counted as the VCMs' heap.
        Reference.reachabilityFence(requests);
        int known = Product.await(o.info(Product.ESN)).vcmsCreated();
        if (created != n || known != n) {
          throw new IllegalStateException("created " + created + " VCMs, the HSM knows " + known + "; expected " + n);
        }
        if (r >= 0) {
          seconds[r] = elapsed / 1e9;
          perSecond[r] = n / seconds[r];
          kibPerVcm[r] = (after - before) / 1024.0 / n;
        }
      }
    }
    Table t = bench.table();
    t.add("2", "create " + n + " VCMs, each its own signed request: total", seconds, Table::seconds,
        Goal.AT_MOST, 3.0);
    t.add("2", "  creates/s", perSecond, Table::count, Goal.NONE, 0);
    t.add("5", "heap retained per VCM (" + n + " created, full GC before and after)", kibPerVcm, Table::kib,
        Goal.AT_MOST, 20.0);
  }
}
