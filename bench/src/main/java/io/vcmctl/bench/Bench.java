package io.vcmctl.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The benchmark harness behind {@code bench/run}: every figure of docs/benchmarks.md in one
 * JVM, printed as one table. {@code --quick} is a smoke run at small sizes; {@code --only
 * 1,3} runs some sections (for profiling one of them).
 */
public final class Bench {

  private final boolean quick;
  private final Path dataRoot;
  private final Table table;

  private Bench(boolean quick, Path dataRoot) {
    this.quick = quick;
    this.dataRoot = dataRoot;
    this.table = new Table(quick);
  }

  boolean quick() {
    return quick;
  }

  Table table() {
    return table;
  }

  /** A fresh data directory for one process of the run. */
  Path dir(String name) {
    Path dir = dataRoot.resolve(name);
    Machine.delete(dir);
    return dir;
  }

  public static void main(String[] args) {
    boolean quick = false;
    Set<String> only = new TreeSet<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick":
          quick = true;
          break;
        case "--only":
          if (i + 1 == args.length) {
            usage("--only needs a list of sections, e.g. --only 1,3");
          }
          only.addAll(Set.of(args[++i].split(",")));
          break;
        default:
          usage("unknown argument '" + args[i] + "'");
      }
    }
    Map<String, Consumer<Bench>> sections = new LinkedHashMap<>();
    sections.put("1", Lifecycle::run);
    sections.put("2", Creates::run);
    sections.put("3", ColdRestart::run);
    sections.put("4", StatsCycle::run);
    sections.put("6", Signatures::run);
    sections.put("7", Tokens::run);
    sections.put("9", AuditVerify::run);
    sections.put("10", SharedJournal::run);
    sections.put("11", Failover::run);
    sections.put("12", OperatorLookups::run);
    // Section 5 (heap per VCM) is measured in the create rounds of section 2.
    if (only.remove("5")) {
      only.add("2");
    }
    if (!sections.keySet().containsAll(only)) {
      usage("sections are 1 to 7 and 9 to 12");
    }
    Path root = Path.of(System.getProperty("bench.data", "bench/target/bench-data")).toAbsolutePath();
    Bench bench = new Bench(quick, root);
    double loadBefore = Machine.loadAverage();
    long t0 = System.nanoTime();
    // The data is removed by bench/run once this JVM has exited: the local snapshot store may
    // still be writing into a directory after its actor system has terminated.
    sections.forEach((id, section) -> {
      if (only.isEmpty() || only.contains(id)) {
        System.err.printf(Locale.ROOT, "[bench] section %s ...%n", id);
        long s = System.nanoTime();
        section.accept(bench);
        System.err.printf(Locale.ROOT, "[bench] section %s took %.0f s%n", id, (System.nanoTime() - s) / 1e9);
      }
    });
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    bench.table.print(System.out);
    // The load average before the run says whether others shared the machine; during it, it counts this run too.
    System.out.printf(Locale.ROOT, "%n%s run, %d cores, %s; load average %.2f before the run; took %dm%02ds%n",
        quick ? "quick (small sizes, goals do not apply)" : "full", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), loadBefore,
        took.toMinutes(), took.toSecondsPart());
    // Actor systems are shut down; JMH or the JIT may leave non-daemon threads behind.
    System.exit(0);
  }

  private static void usage(String problem) {
    System.err.println("ERROR: " + problem + "; usage: bench/run [--quick] [--only 1,2,3,4,5,6,7,8,9,10,11,12]");
    System.exit(2);
  }
}
