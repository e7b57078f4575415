package io.vcmctl.hsm;

import static io.vcmctl.hsm.Views.props;
import static io.vcmctl.hsm.Views.running;
import static io.vcmctl.hsm.Views.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The properties of a new VCM: the tenant's request, the provider's choices, the HSM's defaults and rules. */
class CreatePlanTest {

  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  final Fleet fleet = new Fleet();
  final TestTenant tenant = new TestTenant();

  VerifiedRequest request(Map<String, String> asked) {
    try {
      return new RequestVerifier().verifyCreate(SignedRequest.parse(tenant.createRequest(asked, T0)), T0);
    } catch (RequestException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void takesWhatTheTenantAskedWithTheHsmsDefaults() {
    Running s = running(2, fleet);
    VcmProperties p = CreatePlan.properties(s, fleet, request(Map.of("autostart", "true", "name", "pay")),
        ProviderChoices.NONE);
    assertTrue(p.autostart());
    assertEquals("pay", p.name());
    assertEquals("10.0.0.1", p.ipAddress());
    assertEquals(s.licensing().features(), p.features(), "all licensed features by default");
    assertEquals(tenant.requestKeyEncoded(), p.kTenantReq());
  }

  @Test
  void theProviderMayDropAutostartAndChooseNameAddressAndFeatures() {
    VcmProperties p = CreatePlan.properties(running(2, fleet), fleet, request(Map.of("autostart", "true")),
        new ProviderChoices("mine", false, null, "10.0.0.7", "Extra"));
    assertFalse(p.autostart());
    assertEquals("mine", p.name());
    assertEquals("10.0.0.7", p.ipAddress());
    assertEquals(List.of("Extra"), p.features());
  }

  @Test
  void r1IsCheckedWithTheOneTextOfVcmRules() {
    Refusal r = assertThrows(Refusal.class, () -> CreatePlan.properties(running(2, fleet), fleet,
        request(Map.of("autostart", "true", "restrict_startup", "true", "name", "x")), ProviderChoices.NONE));
    assertEquals(Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE, r.code());
    assertEquals(io.vcmctl.vcm.VcmRules.startupExclusion(true, true).orElseThrow().getMessage(), r.getMessage());
  }

  @Test
  void theProviderCannotAddAutostartTheTenantDidNotAskFor() {
    ProviderChoices autostart = new ProviderChoices(null, true, null, null, null);
    for (Map<String, String> asked : List.of(Map.of("name", "x"), Map.of("name", "x", "autostart", "false"),
        Map.of("name", "x", "restrict_startup", "true"))) {
      Refusal r = assertThrows(Refusal.class, () -> CreatePlan.properties(running(2, fleet), fleet, request(asked),
          autostart), asked::toString);
      assertEquals(Code.AUTOSTART_NOT_REQUESTED, r.code());
      assertTrue(r.getMessage().contains("tenant's consent"), r.getMessage());
    }
    assertTrue(CreatePlan.properties(running(2, fleet), fleet, request(Map.of("name", "x", "autostart", "true")),
        autostart).autostart(), "confirming what the tenant asked for");
    assertEquals(java.util.Optional.empty(), HsmRules.autostartConsent(false, false), "--no-autostart always works");
    assertEquals(java.util.Optional.empty(), HsmRules.autostartConsent(false, null));
  }

  @Test
  void refusesUnlicensedFeaturesATakenCardreaderAndNoName() {
    Running s = running(2, fleet, view(UUID.randomUUID(), VcmStatus.INACTIVE, props(false, true, "10.0.0.1"),
        TenantFacts.INITIAL));
    assertEquals(Code.FEATURE_NOT_LICENSED, assertThrows(Refusal.class, () -> CreatePlan.properties(s, fleet,
        request(Map.of("features", "Gold", "name", "x")), ProviderChoices.NONE)).code());
    assertEquals(Code.SERIAL_CARDREADER_IN_USE, assertThrows(Refusal.class, () -> CreatePlan.properties(s, fleet,
        request(Map.of("serial_cardreader", "true", "name", "x")), ProviderChoices.NONE)).code());
    assertEquals(Code.INVALID_ARGUMENT, assertThrows(Refusal.class, () -> CreatePlan.properties(s, fleet,
        request(Map.of()), ProviderChoices.NONE)).code());
    assertEquals("10.0.0.2", CreatePlan.properties(s, fleet, request(Map.of("name", "x")), ProviderChoices.NONE)
        .ipAddress(), "the next free address");
  }
}
