package io.vcmctl.vcm;

import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmEntity.Event;
import java.util.UUID;

/**
 * What a tenant may do inside its VCM, and the event each allowed action becomes: pure
 * decisions over the VCM's phase and facts, so that {@link VcmEntity} only persists them.
 */
final class TenantActions {

  private TenantActions() {}

  /** The event an action becomes, or, for an action that would change nothing, why not. */
  record Decision(Event event, String unchanged) {

    static Decision record(Event event) {
      return new Decision(event, null);
    }

    static Decision nothing(String why) {
      return new Decision(null, why);
    }
  }

  /**
   * What {@code action} becomes. An action that would change nothing records nothing, so that
   * repeating it cannot grow the journal or flood the history.
   *
   * @throws Refusal when the caller is not the VCM's tenant, or the phase or facts forbid it
   */
  static Decision decide(UUID vcm, VcmEntity.Existing s, Principal tenant, Action action, EventMeta meta) {
    checkOwner(vcm, s.data(), tenant);
    TenantFacts f = s.data().facts();
    boolean active = s.status() == VcmStatus.ACTIVE;
    if (action != Action.UNENROLL) {
      checkNotStoppedForDisk(vcm, s);
    }
    switch (action) {
      case ENROLL:
        if (!active) {
          throw VcmRules.enrollInactive(vcm);
        }
        // Enrolling again clears a pending hardserver restart, so only then is it news.
        return f.enrolled() && !f.hardserverRestartRequired() ? Decision.nothing("already enrolled")
            : Decision.record(new VcmEntity.TenantEnrolled(vcm, tenant.id(), meta));
      case UNENROLL:
        if (!f.enrolled()) {
          throw VcmRules.notEnrolled(vcm);
        }
        return Decision.record(new VcmEntity.TenantUnenrolled(vcm, meta));
      case ACKNOWLEDGE_RESTART:
        if (!f.hardserverRestartRequired()) {
          throw VcmRules.invalidArgument("VCM " + vcm + " does not need a hardserver restart");
        }
        return Decision.record(new VcmEntity.HardserverRestartAcknowledged(vcm, meta));
      default:
        break;
    }
    checkInUse(vcm, s.status(), f);
    switch (action) {
      case LOAD_WORLD:
        return f.securityWorldLoaded() ? Decision.nothing("the Security World is already loaded")
            : Decision.record(new VcmEntity.SecurityWorldLoaded(vcm, meta));
      case MODE_OPERATIONAL:
        return mode(vcm, f, TenantFacts.Mode.OPERATIONAL, meta);
      case MODE_MAINTENANCE:
        return mode(vcm, f, TenantFacts.Mode.MAINTENANCE, meta);
      case AUDIT_ON:
        if (f.auditLog() == TenantFacts.AuditLog.ON) {
          throw VcmRules.invalidArgument("the audit log of VCM " + vcm + " is already on");
        }
        return Decision.record(new VcmEntity.AuditLogEnabled(vcm, meta));
      case AUDIT_FINALIZE:
        if (f.auditLog() != TenantFacts.AuditLog.ON) {
          throw VcmRules.invalidArgument("the audit log of VCM " + vcm + " is " + f.auditLog().label()
              + "; only a log that is on can be finalized");
        }
        return Decision.record(new VcmEntity.AuditLogFinalized(vcm, meta));
      default:
        throw new IllegalArgumentException("unhandled tenant action " + action);
    }
  }

  private static Decision mode(UUID vcm, TenantFacts f, TenantFacts.Mode mode, EventMeta meta) {
    return f.mode() == mode ? Decision.nothing("already in " + mode.label() + " mode")
        : Decision.record(new VcmEntity.ModeChanged(vcm, mode, meta));
  }

  /** The tenant may reach its module: its own VCM, active and enrolled. */
  static void mayUse(UUID vcm, VcmEntity.Existing s, Principal tenant) {
    checkOwner(vcm, s.data(), tenant);
    checkNotStoppedForDisk(vcm, s);
    checkInUse(vcm, s.status(), s.data().facts());
  }

  /** Simulated tenant data, written inside an active, enrolled VCM. */
  static Event write(UUID vcm, VcmEntity.Existing s, Principal tenant, long bytes, long maxWrite, EventMeta meta) {
    checkOwner(vcm, s.data(), tenant);
    checkNotStoppedForDisk(vcm, s);
    checkInUse(vcm, s.status(), s.data().facts());
    if (bytes < 1 || bytes > maxWrite) {
      throw VcmRules.invalidArgument("--bytes must be between 1 and " + maxWrite);
    }
    return new VcmEntity.TenantDataWritten(vcm, bytes, meta);
  }

  private static void checkOwner(UUID vcm, VcmEntity.VcmData data, Principal tenant) {
    if (tenant == null || tenant.kind() != Principal.Kind.TENANT || !data.tenant().equals(tenant.id())) {
      throw VcmRules.notYourVcm(vcm);
    }
  }

  private static void checkNotStoppedForDisk(UUID vcm, VcmEntity.Existing s) {
    if (s instanceof VcmEntity.DiskLimitStopped d) {
      throw VcmRules.diskLimitStopped(vcm, d.measuredBytes(), d.limitBytes(), "used");
    }
  }

  /** In-VCM actions need the VCM running and the tenant enrolled to it. */
  private static void checkInUse(UUID vcm, VcmStatus status, TenantFacts f) {
    if (status != VcmStatus.ACTIVE) {
      throw VcmRules.notActive(vcm, status, "use");
    }
    if (!f.enrolled()) {
      throw VcmRules.notEnrolled(vcm);
    }
  }
}
