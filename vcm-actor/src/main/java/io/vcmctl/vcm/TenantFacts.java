package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;

/**
 * What the tenant has done inside its VCM; kept across stop and start (R10).
 *
 * @param enrolledBy fingerprint of the enrolled tenant's sshadmin key, or {@code null}
 * @param auditRecords records appended to the audit log while it was on (drives its disk use)
 * @param dataBytes tenant data written to the VCM's persistent storage
 */
public record TenantFacts(
    String enrolledBy,
    boolean securityWorldLoaded,
    Mode mode,
    AuditLog auditLog,
    boolean hardserverRestartRequired,
    long auditRecords,
    long dataBytes)
    implements CborSerializable {

  public enum Mode {
    OPERATIONAL, MAINTENANCE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public enum AuditLog {
    OFF, ON, FINALIZED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final TenantFacts INITIAL =
      new TenantFacts(null, false, Mode.OPERATIONAL, AuditLog.OFF, false, 0, 0);

  public boolean enrolled() {
    return enrolledBy != null;
  }

  /** In use by its tenant: stopping it without force would cut the tenant off (R5). */
  public boolean inUse() {
    return enrolled() && mode == Mode.OPERATIONAL;
  }

  /** Enrolling (or re-enrolling) clears a pending hardserver restart; unenrolling keeps it. */
  TenantFacts withEnrolledBy(String fingerprint) {
    boolean restart = fingerprint == null && hardserverRestartRequired;
    return new TenantFacts(fingerprint, securityWorldLoaded, mode, auditLog, restart, auditRecords, dataBytes);
  }

  TenantFacts withSecurityWorldLoaded() {
    return new TenantFacts(enrolledBy, true, mode, auditLog, hardserverRestartRequired, auditRecords, dataBytes);
  }

  TenantFacts withMode(Mode newMode) {
    return new TenantFacts(enrolledBy, securityWorldLoaded, newMode, auditLog, hardserverRestartRequired, auditRecords, dataBytes);
  }

  TenantFacts withAuditLog(AuditLog newAuditLog) {
    return new TenantFacts(enrolledBy, securityWorldLoaded, mode, newAuditLog, hardserverRestartRequired, auditRecords, dataBytes);
  }

  TenantFacts withHardserverRestartRequired(boolean required) {
    return new TenantFacts(enrolledBy, securityWorldLoaded, mode, auditLog, required, auditRecords, dataBytes);
  }

  TenantFacts withDataWritten(long bytes) {
    return new TenantFacts(enrolledBy, securityWorldLoaded, mode, auditLog, hardserverRestartRequired, auditRecords, dataBytes + bytes);
  }

  /** Every tenant-visible change is one audit record while the audit log is on. */
  TenantFacts audited() {
    return auditLog == AuditLog.ON
        ? new TenantFacts(enrolledBy, securityWorldLoaded, mode, auditLog, hardserverRestartRequired, auditRecords + 1, dataBytes)
        : this;
  }
}
