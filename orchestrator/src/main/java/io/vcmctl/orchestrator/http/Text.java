package io.vcmctl.orchestrator.http;

import java.time.Duration;

/** Durations as the command lines write them. */
final class Text {

  private Text() {}

  /** {@code 30s}, {@code 5m}, {@code 24h}: the form the command lines take. */
  static String duration(Duration d) {
    long s = d.toSeconds();
    return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
  }
}
