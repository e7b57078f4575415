package io.vcmctl.vcm;

import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.request.RequestException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The rules of one VCM (SPEC §4), each a function with its one text: every caller, whether the
 * VCM itself, the HSM planning a create or the tenant's command line, uses these. A refusal
 * names the rule and the way past it.
 */
public final class VcmRules {

  private VcmRules() {}

  /** R1: autostart and restrict_startup are never both true, at create and at modify. */
  public static Optional<Refusal> startupExclusion(boolean autostart, boolean restrictStartup) {
    return autostart && restrictStartup
        ? Optional.of(new Refusal(Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE, "R1: autostart and restrict_startup"
            + " cannot both be true; keep only one of them (vcmadmin create --no-autostart drops a requested"
            + " autostart)"))
        : Optional.empty();
  }

  public static Optional<Refusal> startupExclusion(VcmProperties p) {
    return startupExclusion(p.autostart(), p.restrictStartup());
  }

  /** R4: a restrict_startup VCM starts only with the tenant's start request. */
  public static Optional<Refusal> startRequest(UUID vcm, VcmProperties p, boolean requestGiven) {
    return p.restrictStartup() && !requestGiven
        ? Optional.of(new Refusal(Code.START_REQUEST_REQUIRED, "R4: VCM " + vcm + " has restrict_startup set;"
            + " start it with a start request signed by the tenant (--request FILE)"))
        : Optional.empty();
  }

  /** R5: a VCM in use by its tenant stops only with force. */
  public static Optional<Refusal> stopInUse(UUID vcm, TenantFacts facts, boolean force) {
    return !force && facts.inUse()
        ? Optional.of(new Refusal(Code.VCM_IN_USE, "R5: VCM " + vcm + " is in use (enrolled, operational mode);"
            + " ask the tenant to switch to maintenance mode, or stop it with --force (the tenant must then"
            + " restart its hardserver)"))
        : Optional.empty();
  }

  /** R6: an active VCM is never deleted, even with force. */
  public static Refusal deleteWhileActive(UUID vcm) {
    return new Refusal(Code.DELETE_WHILE_ACTIVE,
        "R6: VCM " + vcm + " is active and cannot be deleted, even with --force; stop it first");
  }

  /** R6: an audit log that is on (not finalized) blocks delete without force. */
  public static Optional<Refusal> auditLogBlocksDelete(UUID vcm, TenantFacts facts, boolean force) {
    return !force && facts.auditLog() == TenantFacts.AuditLog.ON
        ? Optional.of(new Refusal(Code.AUDIT_LOG_NOT_FINALIZED, "R6: VCM " + vcm + " has an audit log that is"
            + " not finalized; ask the tenant to finalize it, or delete with --force"))
        : Optional.empty();
  }

  /** R7: properties change only while the VCM is not active. */
  public static Refusal modifyWhileActive(UUID vcm) {
    return new Refusal(Code.MODIFY_WHILE_ACTIVE,
        "R7: VCM " + vcm + " is active; properties change only while it is stopped: stop it first");
  }

  /** R7: only a property the request names can change. */
  public static Refusal propertyNotRequested(VcmProperty property) {
    return new Refusal(Code.PROPERTY_NOT_REQUESTED,
        "R7: the request does not name " + property.key() + "; ask the tenant for a request that does");
  }

  /** R7: only to exactly the requested value; the operator guide's own text. */
  public static Refusal propertyMismatch(VcmProperty property) {
    return new Refusal(Code.PROPERTY_MISMATCH,
        "orchestrator setproperties: Invalid property value: " + property.key() + " mismatch");
  }

  /** R9, the VCM's half: only an active VCM can be enrolled. */
  public static Refusal enrollInactive(UUID vcm) {
    return new Refusal(Code.NOT_ACTIVE, "R9: only an active VCM can be enrolled; ask the provider to start VCM " + vcm);
  }

  /** R11: a VCM over the disk limit is stopped for good; only delete works. */
  public static Refusal diskLimitStopped(UUID vcm, long measuredBytes, long limitBytes, String verb) {
    return new Refusal(Code.DISK_LIMIT_STOPPED, "R11: VCM " + vcm + " was stopped for using " + measuredBytes
        + " bytes of disk (limit " + limitBytes + ") and cannot be " + verb + "; delete it with vcmadmin delete");
  }

  /** R11 applies only above the limit (strictly greater). */
  public static Optional<Refusal> overDiskLimit(long measuredBytes, long limitBytes) {
    return measuredBytes > limitBytes ? Optional.empty() : Optional.of(new Refusal(Code.INVALID_ARGUMENT,
        "R11: " + measuredBytes + " bytes do not exceed the limit of " + limitBytes));
  }

  // ---- the VCM's lifecycle and ownership --------------------------------------------------

  public static Refusal notFound(UUID vcm) {
    return new Refusal(Code.NOT_FOUND, "no VCM " + vcm + "; list VCMs with vcmadmin show");
  }

  public static Refusal alreadyExists(UUID vcm) {
    return new Refusal(Code.ALREADY_EXISTS, "VCM " + vcm + " already exists");
  }

  public static Refusal alreadyActive(UUID vcm) {
    return new Refusal(Code.ALREADY_ACTIVE, "VCM " + vcm + " is already active");
  }

  public static Refusal deleted(UUID vcm) {
    return new Refusal(Code.DELETED, "VCM " + vcm + " was deleted; its history remains for audit");
  }

  public static Refusal notActive(UUID vcm, VcmStatus status, String verb) {
    return new Refusal(Code.NOT_ACTIVE, "VCM " + vcm + " is " + status.label() + ", not active; cannot " + verb + " it");
  }

  public static Refusal notEnrolled(UUID vcm) {
    return new Refusal(Code.NOT_ENROLLED, "VCM " + vcm + " is not enrolled; enroll with its configuration file first");
  }

  public static Refusal notYourVcm(UUID vcm) {
    return new Refusal(Code.NOT_YOUR_VCM,
        "VCM " + vcm + " belongs to another tenant; use the sshadmin key it was created for");
  }

  public static Refusal invalidRequest(RequestException e) {
    return new Refusal(Code.INVALID_REQUEST, "invalid tenant request: " + e.getMessage());
  }

  public static Refusal invalidArgument(String message) {
    return new Refusal(Code.INVALID_ARGUMENT, message);
  }

  public static Refusal unknownProperty(String name) {
    return invalidArgument("unknown property " + SafeText.quote(name) + "; known: " + List.of(VcmProperty.values()));
  }
}
