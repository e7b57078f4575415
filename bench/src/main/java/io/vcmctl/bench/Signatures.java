package io.vcmctl.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link Ed25519Verify} with JMH: 1 fork, 2 warm-up and 3 measured iterations of 1 s, 1 thread. */
final class Signatures {

  private Signatures() {}

  static void run(Bench bench) {
    TimeValue iteration = bench.quick() ? TimeValue.milliseconds(200) : TimeValue.seconds(1);
    Options options = new OptionsBuilder()
        .include(Ed25519Verify.class.getName() + "\\.")
        .mode(Mode.Throughput)
        .timeUnit(TimeUnit.SECONDS)
        // The quick smoke run stays in this JVM; a full run measures in a fresh one.
        .forks(bench.quick() ? 0 : 1)
        .warmupIterations(bench.quick() ? 1 : 2)
        .warmupTime(iteration)
        .measurementIterations(bench.quick() ? 1 : 3)
        .measurementTime(iteration)
        .threads(1)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results;
    try {
      results = new Runner(options).run();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
    }
    Map<String, Result<?>> byName = new HashMap<>();
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      byName.put(method.substring(method.lastIndexOf('.') + 1), r.getPrimaryResult());
    }
    Table t = bench.table();
    Result<?> bc = byName.get("bouncyCastle");
    Result<?> jdk = byName.get("sunEc");
    row(t, "Ed25519 verify, BouncyCastle 1.87 (the product's provider), ops/s per core", bc);
    row(t, "Ed25519 verify, JDK SunEC, ops/s per core", jdk);
    t.add("6", "  BouncyCastle / SunEC", Table.ratio(bc.getScore() / jdk.getScore()), "", "", "");
    row(t, "PublicKeys.verify (the product's call: re-reads the key, then BC verify)", byName.get("productVerify"));
    row(t, "whole create-request check (RequestVerifier.verifyCreate), ops/s", byName.get("createRequestCheck"));
  }

  private static void row(Table t, String figure, Result<?> r) {
    String spread = r.getStatistics().getN() > 1
        ? Table.count(r.getStatistics().getMin()) + " – " + Table.count(r.getStatistics().getMax()) + " ("
            + r.getStatistics().getN() + " iterations)"
        : "1 iteration";
    t.add("6", figure, Table.count(r.getScore()) + " (mean)", spread, "", "");
  }
}
