package io.vcmctl.stats;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of a stats poller, from {@code vcmctl.stats}; checked at start-up so that a bad
 * value stops the process with a clear message instead of a poller that never polls.
 */
public record StatsSettings(Duration delay, Duration vcmTimeout, long diskLimit, double diskWarning) {

  public StatsSettings {
    if (delay.isZero() || delay.isNegative()) {
      throw new IllegalArgumentException("vcmctl.stats.delay must be positive, not " + delay);
    }
    if (vcmTimeout.isZero() || vcmTimeout.isNegative()) {
      throw new IllegalArgumentException("vcmctl.stats.vcm-timeout must be positive, not " + vcmTimeout);
    }
    if (diskLimit < 1) {
      throw new IllegalArgumentException("vcmctl.stats.disk-limit must be at least 1 byte, not " + diskLimit);
    }
    if (!(diskWarning > 0 && diskWarning <= 1)) {
      throw new IllegalArgumentException("vcmctl.stats.disk-warning must be above 0 and at most 1, not " + diskWarning);
    }
  }

  public static StatsSettings fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.stats");
    try {
      return new StatsSettings(c.getDuration("delay"), c.getDuration("vcm-timeout"), c.getBytes("disk-limit"),
          c.getDouble("disk-warning"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid stats settings: " + e.getMessage(), e);
    }
  }

  /** R11 is strict: exactly at the limit is not over it. */
  public boolean exceedsLimit(long diskBytes) {
    return diskBytes > diskLimit;
  }

  public boolean approachesLimit(long diskBytes) {
    return diskBytes >= (long) Math.ceil(diskLimit * diskWarning);
  }

  public StatsSettings withDelay(Duration newDelay) {
    return new StatsSettings(newDelay, vcmTimeout, diskLimit, diskWarning);
  }
}
