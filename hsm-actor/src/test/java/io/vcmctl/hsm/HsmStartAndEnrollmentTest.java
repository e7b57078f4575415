package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Start and the active limit (R3), enrollment (R9), and the module clock. */
class HsmStartAndEnrollmentTest extends HsmTestBase {

  // ---- R3 at start --------------------------------------------------------------------------

  @Test
  void refusesStartBeyondLicensedActiveCount() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    List<UUID> vcms = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      vcms.add(create(f, "v" + i));
    }
    start(f, vcms.get(0));
    assertEquals(VcmStatus.ACTIVE, start(f, vcms.get(1)).status(), "the second of two is allowed");
    Refusal r = refusedStart(f, Code.ACTIVE_LIMIT_REACHED, vcms.get(2));
    assertTrue(r.getMessage().startsWith("R3: max_active_vcms (2)"), r.getMessage());
    stop(f, vcms.get(0), false);
    assertEquals(VcmStatus.ACTIVE, start(f, vcms.get(2)).status());
    HsmInfo info = info(f);
    assertEquals(2, info.vcmsActive());
  }

  @Test
  void refusesStartBeyondOneWithoutMultiTenantLicence() {
    HsmFixture f = freshHsm();
    setNetwork(f, Network.ipv4("10.1.0.0/24"));
    reset(f);
    UUID only = create(f, "only");
    assertEquals(VcmStatus.ACTIVE, start(f, only).status());
    assertEquals(1, info(f).vcmsActive());
  }

  @Test
  void startingAnActiveVcmIsRefusedWithoutTakingASlot() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    UUID a = create(f, "a");
    UUID b = create(f, "b");
    start(f, a);
    refusedStart(f, Code.ALREADY_ACTIVE, a);
    start(f, b);
    refusedStart(f, Code.ALREADY_ACTIVE, b);
    refusedStart(f, Code.NOT_FOUND, UUID.randomUUID());
  }

  // ---- R9 -----------------------------------------------------------------------------------

  @Test
  void aTenantCanBeEnrolledToOneVcmPerHsmAtATime() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    UUID b = create(f, tenant, Map.of("name", "b"), ProviderChoices.NONE).view().uuid();
    start(f, a);
    start(f, b);
    assertEquals(tenant.fingerprint(), tenantDoes(f, tenant, a, Action.ENROLL).facts().enrolledBy());
    Refusal r = refusedView(f, Code.TENANT_ALREADY_ENROLLED,
        reply -> new HsmEntity.TenantAction(b, tenant.principal(), Action.ENROLL, reply));
    assertTrue(r.getMessage().startsWith("R9:") && r.getMessage().contains(a.toString()), r.getMessage());

    // Re-enrolling the same VCM is not a second enrollment.
    tenantDoes(f, tenant, a, Action.ENROLL);
    assertNull(tenantDoes(f, tenant, a, Action.UNENROLL).facts().enrolledBy());
    assertEquals(tenant.fingerprint(), tenantDoes(f, tenant, b, Action.ENROLL).facts().enrolledBy(),
        "unenroll frees the slot");
    refusedView(f, Code.TENANT_ALREADY_ENROLLED,
        reply -> new HsmEntity.TenantAction(a, tenant.principal(), Action.ENROLL, reply));
  }

  @Test
  void anotherTenantsEnrollmentDoesNotCount() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant one = new TestTenant();
    TestTenant two = new TestTenant();
    UUID a = create(f, one, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    UUID b = create(f, two, Map.of("name", "b"), ProviderChoices.NONE).view().uuid();
    start(f, a);
    start(f, b);
    tenantDoes(f, one, a, Action.ENROLL);
    refusedView(f, Code.NOT_YOUR_VCM, reply -> new HsmEntity.TenantAction(a, two.principal(), Action.ENROLL, reply));
    assertEquals(two.fingerprint(), tenantDoes(f, two, b, Action.ENROLL).facts().enrolledBy());
  }

  @Test
  void anInactiveVcmCannotBeEnrolled() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    Refusal r = refusedView(f, Code.NOT_ACTIVE,
        reply -> new HsmEntity.TenantAction(a, tenant.principal(), Action.ENROLL, reply));
    assertTrue(r.getMessage().contains("only an active VCM can be enrolled"), r.getMessage());
    // The refused attempt left no reservation behind.
    UUID b = create(f, tenant, Map.of("name", "b"), ProviderChoices.NONE).view().uuid();
    start(f, b);
    tenantDoes(f, tenant, b, Action.ENROLL);
  }

  @Test
  void enrollmentSurvivesAStopAndStillHoldsTheSlot() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    UUID b = create(f, tenant, Map.of("name", "b"), ProviderChoices.NONE).view().uuid();
    start(f, a);
    start(f, b);
    tenantDoes(f, tenant, a, Action.ENROLL);
    VcmView stopped = stop(f, a, true);
    assertEquals(tenant.fingerprint(), stopped.facts().enrolledBy());
    refusedView(f, Code.TENANT_ALREADY_ENROLLED,
        reply -> new HsmEntity.TenantAction(b, tenant.principal(), Action.ENROLL, reply));
    delete(f, a);
    tenantDoes(f, tenant, b, Action.ENROLL);
  }

  // ---- the module clock ---------------------------------------------------------------------

  @Test
  void infoShowsModuleTimeWithTheOffset() {
    HsmFixture f = freshHsm();
    assertEquals(T0, info(f).moduleTime());
    Instant later = T0.plus(Duration.ofDays(3));
    assertEquals(later, f.<HsmInfo>ok(r -> new HsmEntity.SetTime(later, ADMIN, r)).moduleTime());
    assertEquals(later, info(f).moduleTime());
    assertEquals(Duration.ofDays(3), f.clock.offset());
    Instant earlier = T0.minus(Duration.ofHours(1));
    f.<HsmInfo>ok(r -> new HsmEntity.SetTime(earlier, ADMIN, r));
    assertEquals(earlier, info(f).moduleTime());
  }

  @Test
  void aStartRequestExpiredByModuleTimeIsRefusedNamingModuleTime() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a", "restrict_startup", "true"), ProviderChoices.NONE).view().uuid();
    byte[] request = tenant.startRequest(a, T0, Duration.ofHours(1));

    Refusal missing = refusedStart(f, Code.START_REQUEST_REQUIRED, a);
    assertTrue(missing.getMessage().startsWith("R4:"), missing.getMessage());

    Instant moduleTime = T0.plus(Duration.ofHours(2));
    f.<HsmInfo>ok(r -> new HsmEntity.SetTime(moduleTime, ADMIN, r));
    Refusal r = refusedView(f, Code.INVALID_REQUEST, reply -> new HsmEntity.StartVcm(a, request, ADMIN, reply));
    assertTrue(r.getMessage().contains("expired") && r.getMessage().contains("module time is now " + moduleTime),
        r.getMessage());

    // Back inside its validity, the same request starts the VCM.
    f.<HsmInfo>ok(reply -> new HsmEntity.SetTime(T0.plus(Duration.ofMinutes(59)), ADMIN, reply));
    assertEquals(VcmStatus.ACTIVE, f.<VcmView>ok(reply -> new HsmEntity.StartVcm(a, request, ADMIN, reply)).status());
  }

  @Test
  void aStartRequestValidForLongerThanADayIsRefused() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a", "restrict_startup", "true"), ProviderChoices.NONE).view().uuid();
    byte[] endless = tenant.startRequest(a, T0, Duration.between(T0, Instant.parse("+999999999-12-31T23:59:59Z")));
    Refusal r = refusedView(f, Code.INVALID_REQUEST, reply -> new HsmEntity.StartVcm(a, endless, ADMIN, reply));
    assertTrue(r.getMessage().contains("longer than the 24h a start request may be")
        && r.getMessage().contains("--valid-for 24h or less"), r.getMessage());
    byte[] day = tenant.startRequest(a, T0, Duration.ofHours(24));
    assertEquals(VcmStatus.ACTIVE, f.<VcmView>ok(reply -> new HsmEntity.StartVcm(a, day, ADMIN, reply)).status());
  }

  @Test
  void theClockOffsetSurvivesARestart() {
    HsmFixture f = freshHsm();
    Instant later = T0.plus(Duration.ofDays(1));
    f.<HsmInfo>ok(r -> new HsmEntity.SetTime(later, ADMIN, r));
    HsmFixture again = respawn(f);
    assertEquals(later, info(again).moduleTime());
  }
}
