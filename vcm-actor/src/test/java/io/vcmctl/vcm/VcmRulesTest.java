package io.vcmctl.vcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal.Code;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Each VCM rule as a pure function: when it refuses, with which code and text, and when it does not. */
class VcmRulesTest {

  static final UUID VCM = UUID.fromString("4f9d05b8-95f4-41ab-8b0a-0c9c7ce14209");

  static Refusal refused(Code code, String rule, Optional<Refusal> r) {
    assertTrue(r.isPresent(), "expected " + code);
    assertEquals(code, r.get().code());
    assertTrue(r.get().getMessage().startsWith(rule + ":"), r.get().getMessage());
    return r.get();
  }

  static TenantFacts facts(String enrolledBy, TenantFacts.Mode mode, TenantFacts.AuditLog log) {
    return new TenantFacts(enrolledBy, false, mode, log, false, 0, 0);
  }

  @Test
  void r1AutostartAndRestrictStartupNeverBothTrue() {
    assertTrue(VcmRules.startupExclusion(true, false).isEmpty());
    assertTrue(VcmRules.startupExclusion(false, true).isEmpty());
    refused(Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE, "R1", VcmRules.startupExclusion(true, true));
    VcmProperties both = new VcmProperties(true, true, false, List.of(), "n", "10.0.0.1", "k");
    assertEquals(VcmRules.startupExclusion(true, true).orElseThrow().getMessage(),
        VcmRules.startupExclusion(both).orElseThrow().getMessage(), "one text for both forms");
  }

  @Test
  void r4ARestrictedVcmNeedsAStartRequest() {
    VcmProperties restricted = new VcmProperties(false, true, false, List.of(), "n", "10.0.0.1", "k");
    refused(Code.START_REQUEST_REQUIRED, "R4", VcmRules.startRequest(VCM, restricted, false));
    assertTrue(VcmRules.startRequest(VCM, restricted, true).isEmpty());
    assertTrue(VcmRules.startRequest(VCM, restricted.with(VcmProperty.RESTRICT_STARTUP, "false"), false).isEmpty());
  }

  @Test
  void r5AVcmInUseStopsOnlyWithForce() {
    TenantFacts inUse = facts("T", TenantFacts.Mode.OPERATIONAL, TenantFacts.AuditLog.OFF);
    refused(Code.VCM_IN_USE, "R5", VcmRules.stopInUse(VCM, inUse, false));
    assertTrue(VcmRules.stopInUse(VCM, inUse, true).isEmpty());
    assertTrue(VcmRules.stopInUse(VCM, facts("T", TenantFacts.Mode.MAINTENANCE, TenantFacts.AuditLog.OFF), false)
        .isEmpty(), "maintenance mode is not in use");
    assertTrue(VcmRules.stopInUse(VCM, TenantFacts.INITIAL, false).isEmpty(), "not enrolled is not in use");
  }

  @Test
  void r6AnAuditLogThatIsOnBlocksDeleteUnlessForced() {
    TenantFacts on = facts(null, TenantFacts.Mode.OPERATIONAL, TenantFacts.AuditLog.ON);
    refused(Code.AUDIT_LOG_NOT_FINALIZED, "R6", VcmRules.auditLogBlocksDelete(VCM, on, false));
    assertTrue(VcmRules.auditLogBlocksDelete(VCM, on, true).isEmpty());
    assertTrue(VcmRules.auditLogBlocksDelete(VCM, facts(null, TenantFacts.Mode.OPERATIONAL,
        TenantFacts.AuditLog.FINALIZED), false).isEmpty());
    assertTrue(VcmRules.deleteWhileActive(VCM).getMessage().contains("even with --force"));
  }

  @Test
  void r7TheMismatchTextIsTheOperatorGuidesOwn() {
    assertEquals("orchestrator setproperties: Invalid property value: restrict_startup mismatch",
        VcmRules.propertyMismatch(VcmProperty.RESTRICT_STARTUP).getMessage());
    assertEquals(Code.PROPERTY_NOT_REQUESTED, VcmRules.propertyNotRequested(VcmProperty.NAME).code());
  }

  @Test
  void r11OnlyStrictlyAboveTheLimit() {
    assertTrue(VcmRules.overDiskLimit(16_777_217, 16_777_216).isEmpty());
    assertEquals(Code.INVALID_ARGUMENT, VcmRules.overDiskLimit(16_777_216, 16_777_216).orElseThrow().code());
    Refusal r = VcmRules.diskLimitStopped(VCM, 17_000_000, 16_777_216, "started");
    assertEquals(Code.DISK_LIMIT_STOPPED, r.code());
    assertTrue(r.getMessage().startsWith("R11:") && r.getMessage().contains("vcmadmin delete"), r.getMessage());
  }
}
