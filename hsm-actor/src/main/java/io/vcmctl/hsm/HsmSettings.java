package io.vcmctl.hsm;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/** Settings of every HSM entity, from {@code vcmctl.hsm} in this module's reference.conf. */
public record HsmSettings(
    long memTotal,
    long platformMemory,
    Duration vcmAskTimeout,
    int snapshotEvery,
    int keepSnapshots,
    int recoveryParallelism,
    List<String> baseFeatures,
    Duration addressQuarantine) {

  public HsmSettings {
    if (vcmAskTimeout.isNegative() || vcmAskTimeout.isZero()) {
      throw new IllegalArgumentException("vcmctl.hsm.vcm-ask-timeout must be positive");
    }
    if (recoveryParallelism < 1) {
      throw new IllegalArgumentException("vcmctl.hsm.recovery-parallelism must be at least 1");
    }
    if (snapshotEvery < 1 || keepSnapshots < 1) {
      throw new IllegalArgumentException("vcmctl.hsm.snapshot-every and keep-snapshots must be at least 1");
    }
    if (addressQuarantine.isNegative()) {
      throw new IllegalArgumentException("vcmctl.hsm.address-quarantine must not be negative");
    }
    baseFeatures = List.copyOf(baseFeatures);
  }

  public static HsmSettings fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.hsm");
    return new HsmSettings(
        c.getBytes("mem-total"),
        c.getBytes("platform-memory"),
        c.getDuration("vcm-ask-timeout"),
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        c.getInt("recovery-parallelism"),
        c.getStringList("base-features"),
        c.getDuration("address-quarantine"));
  }
}
