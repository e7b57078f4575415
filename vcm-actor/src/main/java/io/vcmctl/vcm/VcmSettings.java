package io.vcmctl.vcm;

import com.typesafe.config.Config;
import io.vcmctl.vcm.request.ValidityCaps;
import java.time.Duration;

/**
 * Settings of every VCM entity, from {@code vcmctl.vcm} in this module's reference.conf.
 *
 * @param clockSkew how far in the future a request's issued-at may lie before it is "not yet valid"
 * @param maxDataWrite the largest single tenant data write accepted
 * @param deviceTimeout how long the VCM waits for its device to carry out a lifecycle call
 * @param validityCaps how long a tenant request of each kind may be valid for
 */
public record VcmSettings(int snapshotEvery, int keepSnapshots, Duration clockSkew, long maxDataWrite,
    Duration deviceTimeout, ValidityCaps validityCaps) {

  public VcmSettings {
    if (snapshotEvery < 1 || keepSnapshots < 1) {
      throw new IllegalArgumentException("vcmctl.vcm.snapshot-every and keep-snapshots must be at least 1");
    }
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("vcmctl.vcm.request-clock-skew must not be negative");
    }
    if (maxDataWrite < 1) {
      throw new IllegalArgumentException("vcmctl.vcm.max-data-write must be at least 1 byte");
    }
    if (deviceTimeout.isNegative() || deviceTimeout.isZero()) {
      throw new IllegalArgumentException("vcmctl.vcm.device-timeout must be positive");
    }
  }

  public static VcmSettings fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.vcm");
    return new VcmSettings(
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        c.getDuration("request-clock-skew"),
        c.getBytes("max-data-write"),
        c.getDuration("device-timeout"),
        new ValidityCaps(c.getDuration("max-request-validity.create"), c.getDuration("max-request-validity.start"),
            c.getDuration("max-request-validity.properties")));
  }
}
