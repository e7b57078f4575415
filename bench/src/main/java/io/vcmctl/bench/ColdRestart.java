package io.vcmctl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * 3. Cold restart of an HSM with 1000 VCMs and 100 events each (a create, then start/stop
 * pairs, ending active), with and without snapshots, against 1000 bare counters with 100
 * events each. "Process start" is a fresh actor system in this JVM: from before
 * {@code Orchestrator.start} (which opens the journal) to the first answer.
 *
 * <p>The history is written once, with a VCM snapshot every 50 events (as the bare counters);
 * the variant without snapshots is a copy of the same directory with its snapshot store
 * emptied, restarted with snapshots set beyond the event count. The product's default
 * ({@code vcmctl.vcm.snapshot-every = 500}) takes no VCM snapshot for a history this short,
 * so the second variant is what a default installation does.
 *
 * <p>The product stores VCM events in binary, the bare counters through Jackson CBOR; a third
 * bare history, with the counters' events in binary too, shows what is left once neither side
 * pays for Jackson.
 */
final class ColdRestart {

  private static final Config EVERY_50 = ConfigFactory.parseString("vcmctl.vcm.snapshot-every = 50");
  private static final Config BINARY = ConfigFactory.parseString(CounterSerializer.BINDING);
  private static final Config NO_SNAPSHOTS = ConfigFactory.parseString("vcmctl.vcm.snapshot-every = 100000000");

  private ColdRestart() {}

  static void run(Bench bench) {
    int vcms = bench.quick() ? 100 : 1000;
    int eventsPerVcm = bench.quick() ? 20 : 100;
    int rounds = bench.quick() ? 1 : 3;
    int warmUps = bench.quick() ? 0 : 1;

    Path product = bench.dir("restart-product");
    try (Orchestrator o = Product.start(product, Product.IDLE_POLLER, EVERY_50)) {
      Product.ready(o);
      List<UUID> created = Product.createAll(o, Product.createRequests(Product.tenants(vcms)));
      // An odd number of commands after the create: each VCM ends active.
      Driver.run(vcms, eventsPerVcm - 1, (w, nth) -> nth % 2 == 0
          ? o.startVcm(created.get(w), null, Product.ADMIN)
          : o.stopVcm(created.get(w), false, Product.ADMIN));
    }
    Path productNoSnapshots = withoutSnapshots(bench, product, "restart-product-no-snapshots");

    Path bare = bench.dir("restart-bare");
    try (Bare b = Bare.start(bare, vcms, 50)) {
      Driver.run(vcms, eventsPerVcm, (w, nth) -> b.increment(w));
    }
    Path bareNoSnapshots = withoutSnapshots(bench, bare, "restart-bare-no-snapshots");
    Path bareBinary = bench.dir("restart-bare-binary");
    try (Bare b = Bare.start(bareBinary, vcms, 0, BINARY)) {
      Driver.run(vcms, eventsPerVcm, (w, nth) -> b.increment(w));
    }

    double[] firstSnap = new double[rounds];
    double[] allSnap = new double[rounds];
    double[] firstNone = new double[rounds];
    double[] allNone = new double[rounds];
    double[] bareSnap = new double[rounds];
    double[] bareNone = new double[rounds];
    double[] bareBin = new double[rounds];
    double[] binaryRatio = new double[rounds];
    double[] ratio = new double[rounds];
    double[] firstRatio = new double[rounds];
    double[] allRatio = new double[rounds];
    for (int r = -warmUps; r < rounds; r++) {
      double[] snap = restartProduct(product, EVERY_50, vcms);
      double[] none = restartProduct(productNoSnapshots, NO_SNAPSHOTS, vcms);
      double bs = restartBare(bare, vcms, 50, eventsPerVcm, ConfigFactory.empty());
      double bn = restartBare(bareNoSnapshots, vcms, 0, eventsPerVcm, ConfigFactory.empty());
      double bb = restartBare(bareBinary, vcms, 0, eventsPerVcm, BINARY);
      if (r >= 0) {
        firstSnap[r] = snap[0];
        allSnap[r] = snap[1];
        firstNone[r] = none[0];
        allNone[r] = none[1];
        bareSnap[r] = bs;
        bareNone[r] = bn;
        ratio[r] = snap[1] / bs;
        firstRatio[r] = none[0] / bn;
        allRatio[r] = none[1] / bn;
        bareBin[r] = bb;
        binaryRatio[r] = none[1] / bb;
      }
    }
    Table t = bench.table();
    String history = " (" + vcms + " VCMs × " + eventsPerVcm + " events)";
    t.add("3", "cold restart, VCM snapshots every 50" + history + ": first command (info)", firstSnap, Table::seconds,
        Goal.NONE, 0);
    t.add("3", "  every VCM recovered (vcms() lists all, active)", allSnap, Table::seconds, Goal.AT_MOST, 1.0);
    t.add("3", "cold restart, no VCM snapshots (the default for this history): first command", firstNone, Table::seconds, Goal.NONE, 0);
    t.add("3", "  every VCM recovered", allNone, Table::seconds, Goal.AT_MOST, 1.0);
    t.add("3", "bare: " + vcms + " counters × " + eventsPerVcm + " events recovered, snapshots every 50", bareSnap,
        Table::seconds, Goal.NONE, 0);
    t.add("3", "bare: same, no snapshots", bareNone, Table::seconds, Goal.NONE, 0);
    t.add("3", "product / bare, with snapshots (time, per paired round)", ratio, Table::ratio, Goal.NONE, 0);
    t.add("3", "default: first info / bare full recovery, no snapshots (per paired round)", firstRatio, Table::ratio,
        Goal.AT_MOST, 0.2);
    t.add("3", "default: every VCM recovered / bare full recovery, no snapshots", allRatio, Table::ratio,
        Goal.AT_MOST, 1.0);
    t.add("3", "bare, events in binary as the product's (CounterSerializer), no snapshots", bareBin, Table::seconds,
        Goal.NONE, 0);
    t.add("3", "default: every VCM recovered / that bare recovery (for reference)", binaryRatio, Table::ratio,
        Goal.NONE, 0);
  }

  private static Path withoutSnapshots(Bench bench, Path from, String name) {
    Path copy = bench.dir(name);
    Machine.copy(from, copy, "snapshots");
    return copy;
  }

  /** Seconds to the first answer and to the full listing. */
  private static double[] restartProduct(Path dir, Config overrides, int vcms) {
    long t0 = System.nanoTime();
    try (Orchestrator o = Product.start(dir, Product.IDLE_POLLER, overrides)) {
      Product.await(o.info(Product.ESN));
      long first = System.nanoTime() - t0;
      List<VcmView> all = Product.await(o.vcms(Product.ESN));
      long every = System.nanoTime() - t0;
      long active = all.stream().filter(v -> v.status() == VcmStatus.ACTIVE).count();
      if (all.size() != vcms || active != vcms) {
        throw new IllegalStateException("recovered " + all.size() + " VCMs, " + active + " active; expected " + vcms);
      }
      return new double[] {first / 1e9, every / 1e9};
    }
  }

  private static double restartBare(Path dir, int entities, int snapshotEvery, int events, Config overrides) {
    long t0 = System.nanoTime();
    try (Bare b = Bare.start(dir, entities, snapshotEvery, overrides)) {
      List<Long> values = b.values();
      long elapsed = System.nanoTime() - t0;
      if (values.stream().anyMatch(v -> v != events)) {
        throw new IllegalStateException("a counter recovered to a value other than " + events);
      }
      return elapsed / 1e9;
    }
  }
}
