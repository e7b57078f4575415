package io.vcmctl.vcm;

import io.vcmctl.vcm.VcmRuntime.DeviceStatus;
import java.util.Optional;

/**
 * What the journal must say when the device disagrees with it: after a crash between asking the
 * device and recording its answer, or when the device changed behind the orchestrator's back
 * (a VCM process that died). The device is the truth about whether a VCM runs.
 */
final class DeviceSettlement {

  private DeviceSettlement() {}

  /** The state to record, and why; empty when the journal and the device agree or the device cannot tell. */
  record Settle(VcmStatus to, String reason) {}

  static Optional<Settle> decide(VcmStatus recorded, DeviceStatus device) {
    if (device == DeviceStatus.UNKNOWN) {
      return Optional.empty();
    }
    if (recorded == VcmStatus.ACTIVE && device != DeviceStatus.RUNNING) {
      return Optional.of(new Settle(VcmStatus.INACTIVE, device == DeviceStatus.ABSENT
          ? "the device no longer has it" : "the device reports it stopped (its process ended)"));
    }
    if (recorded == VcmStatus.INACTIVE && device == DeviceStatus.RUNNING) {
      return Optional.of(new Settle(VcmStatus.ACTIVE, "the device reports it running (a start was not recorded)"));
    }
    return Optional.empty();
  }

  /** A deleted VCM still on the device, or one stopped for the disk limit still running, is told again. */
  static boolean mustRepeat(VcmStatus recorded, DeviceStatus device) {
    return (recorded == VcmStatus.DELETED && (device == DeviceStatus.STOPPED || device == DeviceStatus.RUNNING))
        || (recorded == VcmStatus.DISK_LIMIT_STOPPED && device == DeviceStatus.RUNNING);
  }
}
