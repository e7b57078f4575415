package io.vcmctl.vcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmEntity.Action;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a tenant may do inside its VCM, decided without an actor system. */
class TenantActionsTest {

  static final UUID VCM = UUID.randomUUID();
  static final Principal TENANT = Principal.tenant("SHA256:tenant");
  static final EventMeta META = new EventMeta(Instant.EPOCH, TENANT, null);

  static VcmEntity.VcmData data(TenantFacts facts) {
    return new VcmEntity.VcmData(VCM, new VcmProperties(false, false, false, List.of(), "n", "10.0.0.1", "k"), facts,
        "key", TENANT.id(), Instant.EPOCH);
  }

  static TenantFacts enrolled() {
    return TenantFacts.INITIAL.withEnrolledBy(TENANT.id());
  }

  static Code refusal(VcmEntity.Existing s, Principal who, Action action) {
    return assertThrows(Refusal.class, () -> TenantActions.decide(VCM, s, who, action, META)).code();
  }

  @Test
  void onlyTheVcmsOwnTenantActs() {
    VcmEntity.Existing s = new VcmEntity.Active(data(enrolled()));
    assertEquals(Code.NOT_YOUR_VCM, refusal(s, Principal.tenant("SHA256:other"), Action.LOAD_WORLD));
    assertEquals(Code.NOT_YOUR_VCM, refusal(s, Principal.provider("admin"), Action.ENROLL));
    assertEquals(Code.NOT_YOUR_VCM, refusal(s, null, Action.ENROLL));
  }

  @Test
  void enrollOnlyAnActiveVcmAndActInsideOnlyOnceEnrolled() {
    assertEquals(Code.NOT_ACTIVE, refusal(new VcmEntity.Inactive(data(TenantFacts.INITIAL)), TENANT, Action.ENROLL));
    assertInstanceOf(VcmEntity.TenantEnrolled.class,
        TenantActions.decide(VCM, new VcmEntity.Active(data(TenantFacts.INITIAL)), TENANT, Action.ENROLL, META).event());
    assertEquals(Code.NOT_ENROLLED, refusal(new VcmEntity.Active(data(TenantFacts.INITIAL)), TENANT, Action.LOAD_WORLD));
    assertInstanceOf(VcmEntity.SecurityWorldLoaded.class,
        TenantActions.decide(VCM, new VcmEntity.Active(data(enrolled())), TENANT, Action.LOAD_WORLD, META).event());
  }

  @Test
  void aVcmStoppedForTheDiskLimitCanOnlyBeUnenrolled() {
    VcmEntity.Existing s = new VcmEntity.DiskLimitStopped(data(enrolled()), 17_000_000, 16_777_216);
    assertEquals(Code.DISK_LIMIT_STOPPED, refusal(s, TENANT, Action.LOAD_WORLD));
    assertInstanceOf(VcmEntity.TenantUnenrolled.class,
        TenantActions.decide(VCM, s, TENANT, Action.UNENROLL, META).event());
    assertEquals(Code.DISK_LIMIT_STOPPED, assertThrows(Refusal.class,
        () -> TenantActions.write(VCM, s, TENANT, 10, 100, META)).code());
  }

  @Test
  void auditLogMovesOffOnFinalizedOnlyForward() {
    VcmEntity.Existing on = new VcmEntity.Active(data(enrolled().withAuditLog(TenantFacts.AuditLog.ON)));
    assertEquals(Code.INVALID_ARGUMENT, refusal(on, TENANT, Action.AUDIT_ON));
    assertInstanceOf(VcmEntity.AuditLogFinalized.class,
        TenantActions.decide(VCM, on, TENANT, Action.AUDIT_FINALIZE, META).event());
    assertEquals(Code.INVALID_ARGUMENT, refusal(new VcmEntity.Active(data(enrolled())), TENANT, Action.AUDIT_FINALIZE));
  }

  @Test
  void anActionThatWouldChangeNothingRecordsNothingAndSaysSo() {
    VcmEntity.Existing enrolled = new VcmEntity.Active(data(enrolled().withSecurityWorldLoaded()));
    TenantActions.Decision again = TenantActions.decide(VCM, enrolled, TENANT, Action.ENROLL, META);
    assertEquals(null, again.event());
    assertEquals("already enrolled", again.unchanged());
    assertEquals("the Security World is already loaded",
        TenantActions.decide(VCM, enrolled, TENANT, Action.LOAD_WORLD, META).unchanged());
    assertEquals("already in operational mode",
        TenantActions.decide(VCM, enrolled, TENANT, Action.MODE_OPERATIONAL, META).unchanged());
    VcmEntity.Existing restartDue = new VcmEntity.Active(data(enrolled().withHardserverRestartRequired(true)));
    assertInstanceOf(VcmEntity.TenantEnrolled.class,
        TenantActions.decide(VCM, restartDue, TENANT, Action.ENROLL, META).event(),
        "enrolling again clears a pending hardserver restart, so it is recorded");
  }

  @Test
  void dataWritesAreBoundedAndNeedAnActiveEnrolledVcm() {
    VcmEntity.Existing s = new VcmEntity.Active(data(enrolled()));
    assertEquals(Code.INVALID_ARGUMENT, assertThrows(Refusal.class,
        () -> TenantActions.write(VCM, s, TENANT, 0, 100, META)).code());
    assertEquals(Code.INVALID_ARGUMENT, assertThrows(Refusal.class,
        () -> TenantActions.write(VCM, s, TENANT, 101, 100, META)).code());
    assertEquals(100, ((VcmEntity.TenantDataWritten) TenantActions.write(VCM, s, TENANT, 100, 100, META)).bytes());
    assertEquals(Code.NOT_ACTIVE, assertThrows(Refusal.class,
        () -> TenantActions.write(VCM, new VcmEntity.Inactive(data(enrolled())), TENANT, 1, 100, META)).code());
  }
}
