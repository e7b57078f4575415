package io.vcmctl.orchestrator.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.vcmctl.stats.StatsSettings;
import java.time.Duration;

/**
 * Settings of the metrics, health and console endpoints, from {@code vcmctl.orchestrator.ops},
 * with the stats poller's settings whose freshness they judge.
 */
public record OpsSettings(Duration hsmTimeout, StatsSettings stats) {

  public OpsSettings {
    if (hsmTimeout.isZero() || hsmTimeout.isNegative()) {
      throw new IllegalArgumentException("vcmctl.orchestrator.ops.hsm-timeout must be positive, not " + hsmTimeout);
    }
  }

  public static OpsSettings fromConfig(Config config) {
    try {
      return new OpsSettings(config.getDuration("vcmctl.orchestrator.ops.hsm-timeout"), StatsSettings.fromConfig(config));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid ops settings: " + e.getMessage(), e);
    }
  }

  /** Stats older than this are stale: the poller has missed at least one cycle. */
  public Duration staleAfter() {
    return stats.delay().multipliedBy(2);
  }
}
