package io.vcmctl.vcm;

import java.util.Locale;

/** The lifecycle state of a VCM as users see it. */
public enum VcmStatus {
  INACTIVE, ACTIVE, DISK_LIMIT_STOPPED, DELETED;

  /** {@code inactive}, {@code active}, {@code disk-limit-stopped}, {@code deleted}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
