package io.vcmctl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.softhsm.SoftHsmRuntime;
import io.vcmctl.softhsm.SoftHsmSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * 7. VCMs that are real PKCS#11 tokens (the {@code softhsm} runtime): durable start/stop
 * throughput of 20 VCMs through the facade, where each start runs a {@code p11-kit server} and
 * waits until it accepts and each stop ends it, against the same harness on the simulated
 * runtime in a second data directory, rounds alternating; and what an active VCM costs: its
 * server's resident and proportional set size (from /proc), and the orchestrator's heap.
 */
final class Tokens {

  static final int VCMS = 20;

  private Tokens() {}

  static void run(Bench bench) {
    Optional<String> missing = SoftHsmRuntime.missingProgram(SoftHsmSettings.fromConfig(ConfigFactory.load()));
    if (missing.isPresent()) {
      bench.table().add("7", "softhsm runtime", "not run", missing.get(), "", "");
      return;
    }
    int perVcm = bench.quick() ? 4 : 20;
    int rounds = bench.quick() ? 1 : 3;
    double[] real = new double[rounds];
    double[] realP50 = new double[rounds];
    double[] realP99 = new double[rounds];
    double[] simulated = new double[rounds];
    double[] simulatedP50 = new double[rounds];
    double[] ratio = new double[rounds];
    double[] rss = new double[rounds];
    double[] pss = new double[rounds];
    double[] heap = new double[rounds];
    // Short and outside the data directory: a socket path under it may pass 107 bytes.
    Path tokens = temporaryDirectory();
    try (Orchestrator o = Product.start(bench.dir("tokens-softhsm"), Product.IDLE_POLLER, softhsm(tokens));
        Orchestrator sim = Product.start(bench.dir("tokens-simulated"), Product.IDLE_POLLER)) {
      Product.ready(o);
      Product.ready(sim);
      List<UUID> vcms = Product.createAll(o, Product.createRequests(Product.tenants(VCMS)));
      List<UUID> simVcms = Product.createAll(sim, Product.createRequests(Product.tenants(VCMS)));
      Driver.Op lifecycle = lifecycle(o, vcms);
      Driver.Op simLifecycle = lifecycle(sim, simVcms);
      Driver.run(VCMS, 4, lifecycle);
      Driver.run(VCMS, 4, simLifecycle);
      for (int r = 0; r < rounds; r++) {
        Driver.Result p = Driver.run(VCMS, perVcm, lifecycle);
        Driver.Result s = Driver.run(VCMS, perVcm, simLifecycle);
        real[r] = p.perSecond();
        realP50[r] = p.percentileMillis(0.50);
        realP99[r] = p.percentileMillis(0.99);
        simulated[r] = s.perSecond();
        simulatedP50[r] = s.percentileMillis(0.50);
        ratio[r] = real[r] / simulated[r];

        long before = Machine.usedHeapAfterGc();
        Product.startAll(o, vcms);
        long after = Machine.usedHeapAfterGc();
        heap[r] = (after - before) / 1024.0 / VCMS;
        long[] memory = serverMemory(tokens, vcms);
        rss[r] = memory[0] / 1024.0 / VCMS;
        pss[r] = memory[1] / 1024.0 / VCMS;
        stopAll(o, vcms);
      }
      CompletableFuture.allOf(vcms.stream().map(v -> o.deleteVcm(v, true, Product.ADMIN).toCompletableFuture())
          .toArray(CompletableFuture[]::new)).join();
    } finally {
      // Servers outlive their orchestrator by design: whatever a failed run left ends here.
      ProcessHandle.allProcesses()
          .filter(p -> Arrays.stream(p.info().arguments().orElse(new String[0]))
              .anyMatch(arg -> arg.startsWith(tokens.toString())))
          .forEach(ProcessHandle::destroyForcibly);
      Machine.delete(tokens);
    }
    Table t = bench.table();
    String what = " (" + VCMS * perVcm + " cmds, " + VCMS + " in flight)";
    t.add("7", "start/stop, softhsm runtime (a p11-kit server each), cmd/s" + what, real, Table::count, Goal.NONE, 0);
    t.add("7", "  latency p50", realP50, Table::ms, Goal.NONE, 0);
    t.add("7", "  latency p99", realP99, Table::ms, Goal.NONE, 0);
    t.add("7", "start/stop, simulated runtime, same harness, cmd/s" + what, simulated, Table::count, Goal.NONE, 0);
    t.add("7", "  latency p50", simulatedP50, Table::ms, Goal.NONE, 0);
    t.add("7", "softhsm / simulated (per paired round)", ratio, Table::ratio, Goal.NONE, 0);
    t.add("7", "memory per active VCM: its p11-kit server, resident (RSS)", rss, Table::kib, Goal.NONE, 0);
    t.add("7", "  proportional (PSS: shared libraries split among the servers)", pss, Table::kib, Goal.NONE, 0);
    t.add("7", "  orchestrator heap per active VCM (full GC before and after starting " + VCMS + ")", heap,
        Table::kib, Goal.NONE, 0);
  }

  private static Config softhsm(Path tokens) {
    return ConfigFactory.empty()
        .withValue("vcmctl.runtime", ConfigValueFactory.fromAnyRef("softhsm"))
        .withValue("vcmctl.softhsm.directory", ConfigValueFactory.fromAnyRef(tokens.toString()));
  }

  /** Even counts per VCM: every round starts and ends with all of them inactive. */
  private static Driver.Op lifecycle(Orchestrator o, List<UUID> vcms) {
    return (w, nth) -> nth % 2 == 0
        ? o.startVcm(vcms.get(w), null, Product.ADMIN)
        : o.stopVcm(vcms.get(w), false, Product.ADMIN);
  }

  private static void stopAll(Orchestrator o, List<UUID> vcms) {
    CompletableFuture.allOf(vcms.stream().map(v -> o.stopVcm(v, false, Product.ADMIN).toCompletableFuture())
        .toArray(CompletableFuture[]::new)).join();
  }

  /** Summed RSS and PSS, in bytes, of the servers the VCMs' PID files name. */
  private static long[] serverMemory(Path tokens, List<UUID> vcms) {
    long[] sum = new long[2];
    try {
      for (UUID vcm : vcms) {
        String pid = Files.readString(tokens.resolve(vcm.toString()).resolve("p11-kit.pid")).strip();
        Path proc = Path.of("/proc", pid);
        sum[0] += kib(Files.readAllLines(proc.resolve("status")), "VmRSS:") * 1024;
        sum[1] += kib(Files.readAllLines(proc.resolve("smaps_rollup")), "Pss:") * 1024;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sum;
  }

  /** The value of a {@code Name:   123 kB} line of a /proc file. */
  private static long kib(List<String> lines, String name) {
    String line = lines.stream().filter(l -> l.startsWith(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + name + " in /proc"));
    return Long.parseLong(line.substring(name.length()).replace("kB", "").strip());
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("vcm-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
