package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reset (reboot): every active VCM stops, pending networking applies, autostart VCMs start. */
class HsmResetTest extends HsmTestBase {

  static UUID createAutostart(HsmFixture f, String name) {
    return create(f, new TestTenant(), Map.of("name", name, "autostart", "true"), ProviderChoices.NONE).view().uuid();
  }

  @Test
  void resetStopsEveryActiveVcmKeepingItsStateAndStartsAutostartOnesInCreationOrder() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    TestTenant tenantA = new TestTenant();
    UUID a = create(f, tenantA, Map.of("name", "a", "autostart", "true"), ProviderChoices.NONE).view().uuid();
    TestTenant tenantB = new TestTenant();
    UUID b = create(f, tenantB, Map.of("name", "b"), ProviderChoices.NONE).view().uuid();
    UUID c = createAutostart(f, "c");
    UUID d = createAutostart(f, "d");
    start(f, a);
    start(f, b);
    tenantDoes(f, tenantA, a, Action.ENROLL);
    tenantDoes(f, tenantA, a, Action.LOAD_WORLD);
    tenantDoes(f, tenantB, b, Action.ENROLL);
    tenantDoes(f, tenantB, b, Action.LOAD_WORLD);
    tenantDoes(f, tenantB, b, Action.MODE_OPERATIONAL);

    HsmEntity.ResetOutcome outcome = reset(f);

    assertEquals(List.of(a, b), outcome.stopped(), "both active VCMs were stopped");
    assertEquals(List.of(a, c), outcome.started(), "autostart VCMs in creation order, up to max_active_vcms");
    assertEquals(Set.of(d), outcome.notStarted().keySet());
    assertTrue(outcome.notStarted().get(d).contains("max_active_vcms (2)"), outcome.notStarted().toString());
    assertEquals(2, outcome.info().vcmsActive());

    VcmView va = view(f, a);
    assertEquals(VcmStatus.ACTIVE, va.status());
    assertEquals(tenantA.fingerprint(), va.facts().enrolledBy(), "enrollment kept");
    assertTrue(va.facts().securityWorldLoaded(), "Security World kept");
    VcmView vb = view(f, b);
    assertEquals(VcmStatus.INACTIVE, vb.status(), "b is not autostart, and a reboot stops even a VCM in use");
    assertEquals(tenantB.fingerprint(), vb.facts().enrolledBy());
    assertTrue(vb.facts().securityWorldLoaded());
    assertFalse(vb.facts().hardserverRestartRequired(), "a reboot is not a forced stop");
    assertEquals(VcmStatus.ACTIVE, view(f, c).status());
    assertEquals(VcmStatus.INACTIVE, view(f, d).status());
    assertEquals(2, info(f).vcmsActive());
  }

  @Test
  void resetAppliesPendingNetworking() {
    HsmFixture f = readyHsm(SpeedRating.MID, 5);
    UUID a = createAutostart(f, "a");
    start(f, a);
    Network pending = Network.ipv4("10.20.0.0/24");
    setNetwork(f, pending);
    HsmEntity.ResetOutcome outcome = reset(f);
    assertEquals(pending, outcome.info().network());
    assertNull(outcome.info().pendingNetwork());
    assertEquals(List.of(a), outcome.stopped());
    assertEquals(List.of(a), outcome.started());
    assertTrue(outcome.notStarted().isEmpty());
  }

  @Test
  void resetWithNothingPendingKeepsNetworkingAndStartsEveryAutostartVcmThatFits() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    List<UUID> autostart = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      autostart.add(createAutostart(f, "auto" + i));
    }
    UUID manual = create(f, "manual");
    HsmEntity.ResetOutcome outcome = reset(f);
    assertEquals(List.of(), outcome.stopped());
    assertEquals(autostart, outcome.started());
    assertTrue(outcome.notStarted().isEmpty());
    assertEquals(Network.ipv4("10.20.0.0/16"), outcome.info().network());
    assertEquals(VcmStatus.INACTIVE, view(f, manual).status());
    assertEquals(4, info(f).vcmsActive());
  }

  @Test
  void resetRespectsALicenceLoweredBelowTheActiveCount() {
    HsmFixture f = readyHsm(SpeedRating.MID, 3);
    List<UUID> vcms = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      vcms.add(createAutostart(f, "v" + i));
      start(f, vcms.get(i));
    }
    applyLicence(f, f.licence(true, SpeedRating.MID, 1));
    assertEquals(3, info(f).vcmsActive());
    HsmEntity.ResetOutcome outcome = reset(f);
    assertEquals(vcms, outcome.stopped());
    assertEquals(List.of(vcms.get(0)), outcome.started());
    assertEquals(Set.of(vcms.get(1), vcms.get(2)), outcome.notStarted().keySet());
    assertEquals(1, info(f).vcmsActive());
  }

  @Test
  void resetLeavesARestrictStartupVcmStopped() {
    HsmFixture f = readyHsm(SpeedRating.MID, 3);
    TestTenant tenant = new TestTenant();
    UUID r = create(f, tenant, Map.of("name", "r", "restrict_startup", "true"), ProviderChoices.NONE).view().uuid();
    byte[] request = tenant.startRequest(r, HsmFixture.T0, java.time.Duration.ofHours(1));
    f.<VcmView>ok(reply -> new HsmEntity.StartVcm(r, request, ADMIN, reply));
    HsmEntity.ResetOutcome outcome = reset(f);
    assertEquals(List.of(r), outcome.stopped());
    assertEquals(List.of(), outcome.started());
    assertTrue(outcome.notStarted().isEmpty(), "it is not an autostart VCM");
    assertEquals(VcmStatus.INACTIVE, view(f, r).status());
  }

  @Test
  void aStartSentJustBeforeAResetIsStoppedByTheReset() {
    HsmFixture f = readyHsm(SpeedRating.MID, 5);
    UUID a = create(f, "a");
    var startProbe = kit.<org.apache.pekko.pattern.StatusReply<VcmView>>createTestProbe();
    var resetProbe = kit.<org.apache.pekko.pattern.StatusReply<HsmEntity.ResetOutcome>>createTestProbe();
    f.hsm.tell(new HsmEntity.StartVcm(a, null, ADMIN, startProbe.getRef()));
    f.hsm.tell(new HsmEntity.Reset(ADMIN, resetProbe.getRef()));
    assertTrue(startProbe.receiveMessage().isSuccess());
    HsmEntity.ResetOutcome outcome = resetProbe.receiveMessage().getValue();
    assertEquals(List.of(a), outcome.stopped(), "the start came first, so the reboot stops it");
    assertEquals(VcmStatus.INACTIVE, view(f, a).status());
    assertEquals(0, info(f).vcmsActive());
    assertEquals(0, outcome.info().vcmsActive());
  }

  @Test
  void commandsSentDuringAResetWaitForIt() {
    HsmFixture f = readyHsm(SpeedRating.MID, 5);
    UUID a = createAutostart(f, "a");
    var resetProbe = kit.<org.apache.pekko.pattern.StatusReply<HsmEntity.ResetOutcome>>createTestProbe();
    var infoProbe = kit.<org.apache.pekko.pattern.StatusReply<HsmInfo>>createTestProbe();
    f.hsm.tell(new HsmEntity.Reset(ADMIN, resetProbe.getRef()));
    f.hsm.tell(new HsmEntity.GetInfo(infoProbe.getRef()));
    assertEquals(List.of(a), resetProbe.receiveMessage().getValue().started());
    assertEquals(1, infoProbe.receiveMessage().getValue().vcmsActive(), "info answered after the reset finished");
  }

  @Test
  void anUnforcedResetIsRefusedWhileATenantUsesAVcmNamingItAndChangesNothing() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    TestTenant tenant = new TestTenant();
    UUID used = create(f, tenant, Map.of("name", "used"), ProviderChoices.NONE).view().uuid();
    UUID idle = create(f, "idle");
    start(f, used);
    start(f, idle);
    tenantDoes(f, tenant, used, Action.ENROLL);
    tenantDoes(f, tenant, used, Action.MODE_OPERATIONAL);
    List<VcmView> before = list(f);

    var refusal = this.<HsmEntity.ResetOutcome>refused(f, io.vcmctl.vcm.Refusal.Code.VCM_IN_USE,
        r -> new HsmEntity.Reset(ADMIN, false, r));
    assertTrue(refusal.getMessage().contains("used (" + used + ")"), refusal.getMessage());
    assertFalse(refusal.getMessage().contains(idle.toString()), "only the VCMs in use are named");
    assertEquals(before, list(f), "a refusal changes nothing");

    tenantDoes(f, tenant, used, Action.MODE_MAINTENANCE);
    HsmEntity.ResetOutcome outcome = f.ok(r -> new HsmEntity.Reset(ADMIN, false, r));
    assertEquals(List.of(used, idle), outcome.stopped(), "in maintenance mode the reset goes ahead");
  }
}
