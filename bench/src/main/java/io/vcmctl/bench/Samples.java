package io.vcmctl.bench;

import java.util.Arrays;

/** Order statistics over measured values; the harness keeps raw longs instead of a histogram. */
final class Samples {

  private Samples() {}

  /** The value at quantile {@code q} (0..1) of an already sorted array, nearest-rank. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double min(double[] values) {
    return Arrays.stream(values).min().orElseThrow();
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElseThrow();
  }
}
