package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.T0;
import static io.vcmctl.hsm.HsmFixture.VENDOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.Tampering;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity.PropertyDifference;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Create: the request verified, R1, R2, R3, licensed features, differences and the tenant configuration file. */
class HsmCreateTest extends HsmTestBase {

  static byte[] request(Map<String, String> asked) {
    return new TestTenant().createRequest(asked, T0);
  }

  static ProviderChoices choices(Boolean autostart, Boolean serial) {
    return new ProviderChoices(null, autostart, serial, null, null);
  }

  // ---- R3 -----------------------------------------------------------------------------------

  @Test
  void refusesCreateBeyondOneWithoutMultiTenantLicence() {
    HsmFixture f = freshHsm();
    setNetwork(f, Network.ipv4("10.20.0.0/16"));
    reset(f);
    UUID only = create(f, "only");
    Refusal r = refusedCreate(f, Code.CREATE_LIMIT_REACHED, request(Map.of("name", "second")), ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("max_creatable_vcms") && r.getMessage().contains("multi-tenant licence"),
        r.getMessage());
    delete(f, only);
    create(f, "second");
    assertEquals(1, info(f).vcmsCreated());
  }

  @Test
  void refusesCreateBeyondLicensedCreateCount() {
    HsmFixture f = readyHsm(SpeedRating.BASE, 5);
    for (int i = 0; i < 4; i++) {
      create(f, "v" + i);
    }
    UUID fifth = create(f, "v4");
    assertEquals(5, info(f).vcmsCreated(), "the fifth of five is allowed");
    Refusal r = refusedCreate(f, Code.CREATE_LIMIT_REACHED, request(Map.of("name", "v5")), ProviderChoices.NONE);
    assertTrue(r.getMessage().startsWith("R3: this HSM already has 5 VCMs"), r.getMessage());
    delete(f, fifth);
    create(f, "v5");
    assertEquals(5, info(f).vcmsCreated());
  }

  // ---- the request --------------------------------------------------------------------------

  @Test
  void refusesATamperedCreateRequest() throws Exception {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    byte[] tampered = Tampering.replaceInPayload(request(Map.of("name", "payments")), "payments", "paymentz");
    Refusal r = refusedCreate(f, Code.INVALID_REQUEST, tampered, ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("altered after signing") || r.getMessage().contains("does not verify"),
        r.getMessage());
  }

  @Test
  void refusesAnExpiredCreateRequestByModuleTime() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    byte[] expired = new TestTenant().createRequest(Map.of("name", "old"), T0.minus(Duration.ofHours(25)));
    Refusal r = refusedCreate(f, Code.INVALID_REQUEST, expired, ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("expired") && r.getMessage().contains("module time is now " + T0), r.getMessage());
    // Just inside its validity it is accepted.
    create(f, new TestTenant(), Map.of("name", "fresh"), ProviderChoices.NONE);
    byte[] lastMinute = new TestTenant().createRequest(Map.of("name", "edge"), T0.minus(Duration.ofHours(24)));
    assertEquals(VcmStatus.INACTIVE, f.<HsmEntity.CreatedVcm>ok(r2 -> new HsmEntity.CreateVcm(lastMinute,
        ProviderChoices.NONE, HsmFixture.ADMIN, r2)).view().status());
  }

  @Test
  void refusesACreateRequestValidForLongerThanThirtyDays() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Duration forever = Duration.between(T0, Instant.parse("+999999999-12-31T23:59:59Z"));
    byte[] endless = new TestTenant().createRequest(Map.of("name", "endless"), T0, forever);
    Refusal r = refusedCreate(f, Code.INVALID_REQUEST, endless, ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("longer than the 720h (30 days) a create request may be")
        && r.getMessage().contains("--valid-for 720h or less"), r.getMessage());
    refusedCreate(f, Code.INVALID_REQUEST, new TestTenant().createRequest(Map.of("name", "long"), T0,
        Duration.ofDays(30).plusSeconds(1)), ProviderChoices.NONE);
    byte[] month = new TestTenant().createRequest(Map.of("name", "month"), T0, Duration.ofDays(30));
    assertEquals(VcmStatus.INACTIVE, f.<HsmEntity.CreatedVcm>ok(r2 -> new HsmEntity.CreateVcm(month,
        ProviderChoices.NONE, HsmFixture.ADMIN, r2)).view().status());
  }

  @Test
  void refusesMalformedCreateRequests() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    refusedCreate(f, Code.INVALID_REQUEST, new byte[0], ProviderChoices.NONE);
    refusedCreate(f, Code.INVALID_REQUEST, "garbage".getBytes(), ProviderChoices.NONE);
    byte[] good = request(Map.of("name", "x"));
    refusedCreate(f, Code.INVALID_REQUEST, java.util.Arrays.copyOf(good, good.length / 2), ProviderChoices.NONE);
  }

  @Test
  void refusesAVcmWithoutAName() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Refusal r = refusedCreate(f, Code.INVALID_ARGUMENT, request(Map.of()), ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("needs a name"), r.getMessage());
    assertEquals("given", f.<HsmEntity.CreatedVcm>ok(reply -> new HsmEntity.CreateVcm(request(Map.of()),
        new ProviderChoices("given", null, null, null, null), HsmFixture.ADMIN, reply)).view().properties().name());
  }

  // ---- R1 -----------------------------------------------------------------------------------

  @Test
  void refusesAutostartWithRestrictStartupUnlessTheProviderTurnsAutostartOff() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Map<String, String> asked = Map.of("name", "r1", "autostart", "true", "restrict_startup", "true");
    TestTenant tenant = new TestTenant();
    Refusal r = refusedCreate(f, Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE, tenant.createRequest(asked, T0),
        ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("--no-autostart"), r.getMessage());

    HsmEntity.CreatedVcm created = create(f, tenant, asked, choices(false, null));
    assertFalse(created.view().properties().autostart());
    assertTrue(created.view().properties().restrictStartup());
    assertEquals(List.of(new PropertyDifference("autostart", "true", "false")), created.differences());
  }

  // ---- autostart needs the tenant's consent --------------------------------------------------

  @Test
  void refusesAutostartTheTenantDidNotAskForAndRecordsNothing() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Refusal r = refusedCreate(f, Code.AUTOSTART_NOT_REQUESTED, request(Map.of("name", "a")), choices(true, null));
    assertTrue(r.getMessage().contains("tenant's consent") && r.getMessage().contains("--autostart"), r.getMessage());
    refusedCreate(f, Code.AUTOSTART_NOT_REQUESTED, request(Map.of("name", "a", "autostart", "false")),
        choices(true, null));
    refusedCreate(f, Code.AUTOSTART_NOT_REQUESTED, request(Map.of("name", "r1", "restrict_startup", "true")),
        choices(true, null));
    assertEquals(0, info(f).vcmsCreated());

    HsmEntity.CreatedVcm asked = create(f, new TestTenant(), Map.of("name", "b", "autostart", "true"),
        choices(true, null));
    assertTrue(asked.view().properties().autostart(), "--autostart on a request that asks for it is fine");
    assertEquals(List.of(), asked.differences());
  }

  // ---- the operator guide's advice: warnings in the reply, never refusals ---------------------

  @Test
  void warnsOfASecondVcmForATenantAndOfMoreAutostartVcmsThanTheLicenceStarts() {
    HsmFixture f = readyHsm(SpeedRating.MID, 1);
    TestTenant tenant = new TestTenant();
    Map<String, String> auto = Map.of("name", "a", "autostart", "true");
    HsmEntity.CreatedVcm first = create(f, tenant, auto, ProviderChoices.NONE);
    assertEquals(List.of(), first.warnings());

    HsmEntity.CreatedVcm second = create(f, tenant, auto, ProviderChoices.NONE);
    assertEquals(2, second.warnings().size(), second.warnings()::toString);
    assertTrue(second.warnings().get(0).contains(first.view().uuid().toString()), second.warnings()::toString);
    assertTrue(second.warnings().get(1).contains("2 VCMs would have autostart"), second.warnings()::toString);
    assertEquals(2, info(f).vcmsCreated(), "advice never refuses");

    assertEquals(List.of(), create(f, new TestTenant(), Map.of("name", "c"), ProviderChoices.NONE).warnings());
  }

  @Test
  void warnsWhenTurningAutostartOnWouldOutnumberTheLicensedActiveCount() {
    HsmFixture f = readyHsm(SpeedRating.MID, 1);
    create(f, new TestTenant(), Map.of("name", "a", "autostart", "true"), ProviderChoices.NONE);
    TestTenant tenant = new TestTenant();
    UUID b = create(f, tenant, Map.of("name", "b"), ProviderChoices.NONE).view().uuid();
    byte[] request = tenant.propertiesRequest(b, Map.of("autostart", "true", "name", "bee"), T0);

    HsmEntity.PropertySet renamed = f.ok(r -> new HsmEntity.SetVcmProperty(b, request, "name", "bee",
        HsmFixture.ADMIN, r));
    assertEquals(List.of(), renamed.warnings(), "only autostart counts");
    HsmEntity.PropertySet set = f.ok(r -> new HsmEntity.SetVcmProperty(b, request, "autostart", "true",
        HsmFixture.ADMIN, r));
    assertTrue(set.view().properties().autostart(), "advice never refuses");
    assertEquals(1, set.warnings().size(), set.warnings()::toString);
    assertTrue(set.warnings().get(0).contains("2 VCMs would have autostart"), set.warnings()::toString);
  }

  // ---- R2 -----------------------------------------------------------------------------------

  @Test
  void refusesASecondSerialCardreaderUntilTheFirstGivesItUp() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant first = new TestTenant();
    UUID holder = create(f, first, Map.of("name", "a", "serial_cardreader", "true"), ProviderChoices.NONE).view().uuid();
    Refusal r = refusedCreate(f, Code.SERIAL_CARDREADER_IN_USE, request(Map.of("name", "b", "serial_cardreader", "true")),
        ProviderChoices.NONE);
    assertTrue(r.getMessage().contains(holder.toString()), r.getMessage());
    refusedCreate(f, Code.SERIAL_CARDREADER_IN_USE, request(Map.of("name", "b")), choices(null, true));
    // Without the cardreader, or with the provider's --no-serial-cardreader, it is fine.
    HsmEntity.CreatedVcm without = create(f, new TestTenant(), Map.of("name", "b", "serial_cardreader", "true"),
        choices(null, false));
    assertFalse(without.view().properties().serialCardreader());
    assertEquals(List.of(new PropertyDifference("serial_cardreader", "true", "false")), without.differences());

    setProperty(f, first, holder, "serial_cardreader", "false");
    HsmEntity.CreatedVcm second = create(f, new TestTenant(), Map.of("name", "c", "serial_cardreader", "true"),
        ProviderChoices.NONE);
    assertTrue(second.view().properties().serialCardreader());
    // And now the first cannot take it back.
    byte[] back = first.propertiesRequest(holder, Map.of("serial_cardreader", "true"), T0);
    this.<HsmEntity.PropertySet>refused(f, Code.SERIAL_CARDREADER_IN_USE, reply -> new HsmEntity.SetVcmProperty(
        holder, back, "serial_cardreader", "true", HsmFixture.ADMIN, reply));
  }

  // ---- features -----------------------------------------------------------------------------

  @Test
  void refusesFeaturesThatAreNotLicensed() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Refusal r = refusedCreate(f, Code.FEATURE_NOT_LICENSED, request(Map.of("name", "a", "features", "SEEIntegration")),
        ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("SEEIntegration"), r.getMessage());
    refusedCreate(f, Code.FEATURE_NOT_LICENSED, request(Map.of("name", "a")),
        new ProviderChoices(null, null, null, null, "StandardFeatures|SEEIntegration"));

    applyLicence(f, Licence.of(f.esn, false, null, 0, List.of("SEEIntegration"), T0).sign(VENDOR));
    HsmEntity.CreatedVcm created = create(f, new TestTenant(), Map.of("name", "a", "features", "SEEIntegration"),
        ProviderChoices.NONE);
    assertEquals(List.of("SEEIntegration"), created.view().properties().features());
  }

  @Test
  void featuresDefaultToEverythingLicensed() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    applyLicence(f, Licence.of(f.esn, false, null, 0, List.of("SEEIntegration"), T0).sign(VENDOR));
    HsmEntity.CreatedVcm created = create(f, new TestTenant(), Map.of("name", "a"), ProviderChoices.NONE);
    assertEquals(List.of("SEEIntegration", "StandardFeatures"), created.view().properties().features());
  }

  // ---- differences and the tenant configuration file ----------------------------------------

  @Test
  void reportsEveryPropertyTheProviderChangedFromTheRequest() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Map<String, String> asked = Map.of("name", "payments", "autostart", "true", "serial_cardreader", "true",
        "features", "StandardFeatures");
    HsmEntity.CreatedVcm created = create(f, new TestTenant(), asked,
        new ProviderChoices("pay-1", false, false, "10.20.0.77", null));
    Set<PropertyDifference> differences = Set.copyOf(created.differences());
    assertEquals(Set.of(
        new PropertyDifference("name", "payments", "pay-1"),
        new PropertyDifference("autostart", "true", "false"),
        new PropertyDifference("serial_cardreader", "true", "false")), differences);
    assertEquals("10.20.0.77", created.view().properties().ipAddress());

    HsmEntity.CreatedVcm same = create(f, new TestTenant(), Map.of("name", "same", "autostart", "true"),
        ProviderChoices.NONE);
    assertEquals(List.of(), same.differences(), "no difference when the provider chose nothing else");
    assertTrue(same.view().properties().autostart());
  }

  @Test
  void theTenantConfigurationFileNamesTheVcmAndIsSignedByTheModuleKey() throws Exception {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    HsmEntity.CreatedVcm created = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE);
    TenantConfig config = TenantConfig.read(created.tenantConfig());
    VcmView view = created.view();
    assertEquals(view.uuid(), config.vcm());
    assertEquals(view.properties().ipAddress(), config.ipAddress());
    assertEquals(f.esn, config.esn());
    assertEquals(info(f).moduleKeyFingerprint(), PublicKeys.fingerprint(config.moduleKey()));
    assertEquals(T0, config.issuedAt());
    assertEquals(tenant.fingerprint(), view.tenant());
    assertEquals(tenant.requestKeyEncoded(), view.properties().kTenantReq());

    byte[] forged = Tampering.replaceInPayload(created.tenantConfig(), view.properties().ipAddress(), "10.20.99.99");
    assertThrows(RequestException.class, () -> TenantConfig.read(forged));
  }

  @Test
  void aCreatedVcmIsListedInactiveAndCounted() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    UUID a = create(f, "a");
    UUID b = create(f, "b");
    List<VcmView> vcms = list(f);
    assertEquals(List.of(a, b), vcms.stream().map(VcmView::uuid).toList(), "creation order");
    assertTrue(vcms.stream().allMatch(v -> v.status() == VcmStatus.INACTIVE));
    assertEquals(2, info(f).vcmsCreated());
    assertEquals(0, info(f).vcmsActive());
    assertEquals(Set.of(a, b), vcms.stream().map(VcmView::uuid).collect(Collectors.toSet()));
  }
}
