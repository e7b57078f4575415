package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;

/**
 * Resource use of one VCM as its runtime reports it.
 *
 * @param cpuSeconds CPU time the VCM has used since it last started
 * @param tokenInitialized whether the runtime saw the tenant initialise its module (a loaded
 *     Security World); {@code null} where the runtime cannot observe it
 */
public record Usage(long memoryBytes, long diskBytes, double cpuSeconds, Boolean tokenInitialized)
    implements CborSerializable {

  /** Figures of a runtime that observes no tenant facts and no CPU time. */
  public static Usage of(long memoryBytes, long diskBytes) {
    return new Usage(memoryBytes, diskBytes, 0, null);
  }
}
