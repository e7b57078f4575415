package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static io.vcmctl.hsm.HsmFixture.VENDOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.Tampering;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Licences: verified before they are trusted, and the limits of SPEC §3 that follow. */
class HsmLicenceTest extends HsmTestBase {

  static byte[] licence(String esn, boolean multiTenant, SpeedRating speed, int maxActive, List<String> features) {
    return Licence.of(esn, multiTenant, speed, maxActive, features, T0).sign(VENDOR);
  }

  Refusal refusedLicence(HsmFixture f, byte[] file) {
    Refusal r = refusedInfo(f, Code.INVALID_LICENCE, reply -> new HsmEntity.ApplyLicence(file, ADMIN, reply));
    assertTrue(r.getMessage().startsWith("licence refused: "), r.getMessage());
    return r;
  }

  // ---- verification -------------------------------------------------------------------------

  @Test
  void aLicenceTheVendorKeyTrustedNowDoesNotVerifyNoLongerCounts() {
    HsmFixture f = freshHsm();
    Licence licence = Licence.of(f.esn, true, SpeedRating.MID, 3, List.of(), T0);
    f.<HsmInfo>ok(r -> new HsmEntity.ApplyLicence(licence.sign(VENDOR), ADMIN, r));
    f.<HsmInfo>ok(r -> new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/16"), ADMIN, r));
    f.<HsmEntity.ResetOutcome>ok(r -> new HsmEntity.Reset(ADMIN, r));
    UUID a = create(f, "a");
    UUID b = create(f, "b");
    UUID c = create(f, "c");
    start(f, a);
    start(f, b);

    // The same journal, now trusting another vendor: the licence signed by the first no longer counts.
    kit.stop(f.hsm);
    HsmFixture other = new HsmFixture(kit, f.esn, f.env.keyDirectory(), f.env.runtime(),
        PublicKeys.generateEd25519().getPublic()).spawn();
    HsmInfo info = recoveredInfo(other);
    assertFalse(info.multiTenant());
    assertEquals(1, info.maxActiveVcms());
    assertEquals(1, info.maxCreatableVcms());
    assertEquals(1, info.licencesNotTrusted().size(), info.licencesNotTrusted().toString());
    assertTrue(info.licencesNotTrusted().get(0).contains("licence " + licence.id()), info.licencesNotTrusted().get(0));
    // Running VCMs keep running; no new one starts above the lower limit.
    assertEquals(2, info.vcmsActive());
    Refusal r = refusedStart(other, Code.ACTIVE_LIMIT_REACHED, c);
    assertTrue(r.getMessage().contains("max_active_vcms (1)"), r.getMessage());

    // Trusting the first vendor again, the licence counts again.
    HsmFixture back = respawn(other);
    HsmInfo again = recoveredInfo(back);
    assertTrue(again.multiTenant());
    assertEquals(3, again.maxActiveVcms());
    assertTrue(again.licencesNotTrusted().isEmpty());
    start(back, c);
  }

  @Test
  void aSnapshotTakenUnderAnotherVendorKeyCountsOnlyWhatTheKeyTrustedNowVerifies() {
    HsmFixture plain = freshHsm();
    HsmSettings s = plain.env.settings();
    // A snapshot after every event: recovery reads the licence from the snapshot, not from its event.
    HsmSettings everyEvent = new HsmSettings(s.memTotal(), s.platformMemory(), s.vcmAskTimeout(), 1, 1,
        s.recoveryParallelism(), s.baseFeatures(), s.addressQuarantine());
    kit.stop(plain.hsm);
    HsmFixture f = new HsmFixture(kit, plain.esn, plain.env.keyDirectory(), plain.env.runtime(), VENDOR.getPublic(),
        everyEvent).spawn();
    f.<HsmInfo>ok(r -> new HsmEntity.ApplyLicence(f.licence(true, SpeedRating.MID, 3), ADMIN, r));
    f.<HsmInfo>ok(r -> new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/16"), ADMIN, r));
    assertTrue(info(f).multiTenant());

    kit.stop(f.hsm);
    HsmFixture other = new HsmFixture(kit, f.esn, f.env.keyDirectory(), f.env.runtime(),
        PublicKeys.generateEd25519().getPublic(), everyEvent).spawn();
    HsmInfo info = recoveredInfo(other);
    assertFalse(info.multiTenant());
    assertEquals(1, info.maxActiveVcms());
    assertEquals(1, info.licencesNotTrusted().size(), info.licencesNotTrusted().toString());
    assertEquals("ipv4 10.20.0.0/16", info.pendingNetwork().toString(), "the rest of the snapshot is as it was");
  }

  @Test
  void refusesALicenceSignedByAnotherVendor() {
    HsmFixture f = freshHsm();
    byte[] file = Licence.of(f.esn, true, SpeedRating.HIGH, 100, List.of(), T0).sign(PublicKeys.generateEd25519());
    Refusal r = refusedLicence(f, file);
    assertTrue(r.getMessage().contains("not by the trusted vendor key"), r.getMessage());
  }

  @Test
  void refusesATamperedLicence() throws Exception {
    HsmFixture f = freshHsm();
    byte[] file = Tampering.replaceInPayload(f.licence(true, SpeedRating.BASE, 2), "\"speed\":\"base\"", "\"speed\":\"high\"");
    Refusal r = refusedLicence(f, file);
    assertTrue(r.getMessage().contains("altered after signing"), r.getMessage());
    assertEquals(SpeedRating.BASE, info(f).speedRating());
  }

  @Test
  void refusesALicenceForAnotherHsm() {
    HsmFixture f = freshHsm();
    Refusal r = refusedLicence(f, licence("0000-0000-0001", true, SpeedRating.HIGH, 10, List.of()));
    assertTrue(r.getMessage().contains("licence is for HSM 0000-0000-0001, not this HSM " + f.esn), r.getMessage());
  }

  @Test
  void refusesMalformedLicenceFilesEachWithItsOwnMessage() {
    HsmFixture f = freshHsm();
    byte[] good = f.licence(true, SpeedRating.MID, 10);
    List<String> messages = new ArrayList<>();

    messages.add(refusedLicence(f, "this is not a licence".getBytes(StandardCharsets.UTF_8)).getMessage());
    assertTrue(messages.get(0).contains("is not valid JSON"), messages.get(0));

    messages.add(refusedLicence(f, Arrays.copyOf(good, good.length / 2)).getMessage());
    assertTrue(messages.get(1).contains("ends early"), messages.get(1));

    messages.add(refusedLicence(f, new byte[0]).getMessage());
    assertTrue(messages.get(2).contains("is empty"), messages.get(2));

    byte[] oversized = new byte[64 * 1024 + 1];
    Arrays.fill(oversized, (byte) ' ');
    messages.add(refusedLicence(f, oversized).getMessage());
    assertTrue(messages.get(3).contains("the limit is 65536"), messages.get(3));

    messages.add(refusedLicence(f, "{\"format\":\"vcmctl-request/1\"}".getBytes(StandardCharsets.UTF_8)).getMessage());
    assertTrue(messages.get(4).contains("not a vcmctl-licence/1 file"), messages.get(4));

    assertEquals(messages.size(), new HashSet<>(messages).size(), () -> "distinct messages: " + messages);
    assertFalse(info(f).multiTenant());
  }

  @Test
  void aLicenceOfExactly64KiBIsReadAndOneByteMoreIsNot() {
    HsmFixture f = freshHsm();
    byte[] good = f.licence(true, SpeedRating.MID, 10);
    byte[] padded = Arrays.copyOf(good, 64 * 1024);
    Arrays.fill(padded, good.length, padded.length, (byte) ' ');
    HsmInfo info = applyLicence(f, padded);
    assertTrue(info.multiTenant());
    byte[] tooBig = Arrays.copyOf(padded, padded.length + 1);
    tooBig[tooBig.length - 1] = ' ';
    refusedLicence(f, tooBig);
  }

  // ---- limits -------------------------------------------------------------------------------

  @Test
  void withoutAMultiTenantLicenceOneVcmCanBeCreatedAndActive() {
    HsmFixture f = freshHsm();
    HsmInfo info = info(f);
    assertFalse(info.multiTenant());
    assertEquals(1, info.maxCreatableVcms());
    assertEquals(1, info.maxActiveVcms());
    // A licence that grants only features or speed keeps it single-tenant.
    info = applyLicence(f, licence(f.esn, false, SpeedRating.HIGH, 0, List.of("SEEIntegration")));
    assertFalse(info.multiTenant());
    assertEquals(SpeedRating.HIGH, info.speedRating());
    assertEquals(1, info.maxCreatableVcms());
    assertEquals(1, info.maxActiveVcms());
    assertTrue(info.features().contains("SEEIntegration"));
  }

  @Test
  void multiTenantOnBaseSpeedCreatesFive() {
    HsmFixture f = freshHsm();
    HsmInfo info = applyLicence(f, f.licence(true, SpeedRating.BASE, 3));
    assertTrue(info.multiTenant());
    assertEquals(SpeedRating.BASE, info.speedRating());
    assertEquals(5, info.maxCreatableVcms());
    assertEquals(3, info.maxActiveVcms());
  }

  @Test
  void multiTenantOnMidOrHighSpeedCreatesAThousand() {
    HsmFixture mid = freshHsm();
    HsmInfo info = applyLicence(mid, mid.licence(true, SpeedRating.MID, 10));
    assertEquals(1000, info.maxCreatableVcms());
    assertEquals(10, info.maxActiveVcms());
    HsmFixture high = freshHsm();
    info = applyLicence(high, high.licence(true, SpeedRating.HIGH, 1000));
    assertEquals(1000, info.maxCreatableVcms());
    assertEquals(1000, info.maxActiveVcms());
  }

  @Test
  void maxActiveIsTheLicensedCountButNeverAboveCreatable() {
    HsmFixture f = freshHsm();
    HsmInfo info = applyLicence(f, f.licence(true, SpeedRating.BASE, 3));
    assertEquals(3, info.maxActiveVcms());
    info = applyLicence(f, f.licence(true, SpeedRating.BASE, 10));
    assertEquals(5, info.maxCreatableVcms());
    assertEquals(5, info.maxActiveVcms(), "capped at max_creatable_vcms");
    info = applyLicence(f, f.licence(false, SpeedRating.MID, 0));
    assertEquals(1000, info.maxCreatableVcms());
    assertEquals(10, info.maxActiveVcms(), "the licensed count once creatable allows it");
  }

  @Test
  void aSpeedUpgradeRaisesTheRatingAndTheCreateLimit() {
    HsmFixture f = readyHsm(SpeedRating.BASE, 5);
    for (int i = 0; i < 5; i++) {
      create(f, "vcm" + i);
    }
    refusedCreate(f, Code.CREATE_LIMIT_REACHED,
        new io.vcmctl.vcm.TestTenant().createRequest(java.util.Map.of("name", "six"), T0), ProviderChoices.NONE);
    HsmInfo info = applyLicence(f, licence(f.esn, false, SpeedRating.MID, 0, List.of()));
    assertEquals(SpeedRating.MID, info.speedRating());
    assertTrue(info.multiTenant(), "multi-tenancy once granted stays");
    assertEquals(1000, info.maxCreatableVcms());
    assertEquals(5, info.maxActiveVcms());
    create(f, "six");
    assertEquals(6, info(f).vcmsCreated());
  }

  @Test
  void aLicenceNeverLowersTheSpeedRating() {
    HsmFixture f = freshHsm();
    applyLicence(f, f.licence(true, SpeedRating.HIGH, 20));
    HsmInfo info = applyLicence(f, f.licence(true, SpeedRating.BASE, 20));
    assertEquals(SpeedRating.HIGH, info.speedRating());
    assertEquals(1000, info.maxCreatableVcms());
    info = applyLicence(f, licence(f.esn, false, null, 0, List.of()));
    assertEquals(SpeedRating.HIGH, info.speedRating());
    assertEquals(20, info.maxActiveVcms(), "a licence without a count keeps the licensed one");
  }

  @Test
  void aLicenceBelowTheActiveCountAppliesButNoVcmStartsUntilBelowIt() {
    HsmFixture f = readyHsm(SpeedRating.MID, 4);
    List<UUID> vcms = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      vcms.add(create(f, "vcm" + i));
    }
    for (int i = 0; i < 3; i++) {
      start(f, vcms.get(i));
    }
    HsmInfo info = applyLicence(f, f.licence(true, SpeedRating.MID, 2));
    assertEquals(2, info.maxActiveVcms());
    assertEquals(3, info.vcmsActive(), "running VCMs keep running");
    assertEquals(3, list(f).stream().filter(v -> v.status() == VcmStatus.ACTIVE).count());

    UUID fourth = vcms.get(3);
    Refusal r = refusedStart(f, Code.ACTIVE_LIMIT_REACHED, fourth);
    assertTrue(r.getMessage().contains("max_active_vcms (2)"), r.getMessage());
    stop(f, vcms.get(0), false);
    refusedStart(f, Code.ACTIVE_LIMIT_REACHED, fourth);
    stop(f, vcms.get(1), false);
    assertEquals(VcmStatus.ACTIVE, start(f, fourth).status(), "1 active, below 2: starts");
    assertEquals(2, info(f).vcmsActive());
  }

  @Test
  void theNewestLicenceThatNamesFeaturesSetsThemAndOneWithoutLeavesThem() {
    HsmFixture f = freshHsm();
    assertEquals(List.of("StandardFeatures"), info(f).features());
    applyLicence(f, licence(f.esn, false, null, 0, List.of("SEEIntegration", "KeySafe")));
    HsmInfo info = applyLicence(f, licence(f.esn, false, SpeedRating.HIGH, 0, List.of()));
    assertEquals(List.of("KeySafe", "SEEIntegration", "StandardFeatures"), info.features());
    info = applyLicence(f, licence(f.esn, false, null, 0, List.of("KeySafe")));
    assertEquals(List.of("KeySafe", "StandardFeatures"), info.features(), "the standard ones always stay");
  }

  @Test
  void aLicenceThatDropsAFeatureInUseLeavesTheVcmsThatHaveItAndInfoNamesThem() {
    HsmFixture f = readyHsm(SpeedRating.MID, 4);
    UUID plain = create(f, "plain");
    applyLicence(f, licence(f.esn, true, SpeedRating.MID, 4, List.of("SEEIntegration")));
    UUID see = create(f, new TestTenant(), Map.of("name", "see", "features", "StandardFeatures|SEEIntegration"),
        ProviderChoices.NONE).view().uuid();
    assertTrue(info(f).unlicensedFeaturesInUse().isEmpty());

    HsmInfo info = applyLicence(f, licence(f.esn, true, SpeedRating.MID, 4, List.of("KeySafe")));
    assertEquals(List.of("KeySafe", "StandardFeatures"), info.features());
    assertEquals(Map.of("SEEIntegration", List.of(see)), info.unlicensedFeaturesInUse());
    assertEquals(List.of("SEEIntegration", "StandardFeatures"), view(f, see).properties().features(),
        "not silently taken from the VCM");
    assertEquals(VcmStatus.ACTIVE, start(f, see).status(), "it still starts");
    assertEquals(List.of("StandardFeatures"), view(f, plain).properties().features());

    Refusal r = refusedCreate(f, Code.FEATURE_NOT_LICENSED,
        new TestTenant().createRequest(Map.of("name", "more", "features", "SEEIntegration"), T0), ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("[SEEIntegration]"), r.getMessage());
  }
}
