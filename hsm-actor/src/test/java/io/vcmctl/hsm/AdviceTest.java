package io.vcmctl.hsm;

import static io.vcmctl.hsm.Views.props;
import static io.vcmctl.hsm.Views.running;
import static io.vcmctl.hsm.Views.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The operator guide's advice: warnings, never refusals. */
class AdviceTest {

  final Fleet fleet = new Fleet();

  @Test
  void warnsOfASecondVcmForTheSameTenantNamingTheFirst() {
    VcmView first = view(UUID.randomUUID(), VcmStatus.INACTIVE, props(false, false, "10.0.0.1"), TenantFacts.INITIAL);
    String warning = Advice.oneVcmPerTenant(first.tenant(), List.of(first)).orElseThrow();
    assertTrue(warning.contains(first.uuid().toString()) && warning.contains("one VCM per HSM per tenant"), warning);
    assertEquals(Optional.empty(), Advice.oneVcmPerTenant("SHA256:someone-else", List.of(first)));
    assertEquals(Optional.empty(), Advice.oneVcmPerTenant(first.tenant(), List.of()));
  }

  @Test
  void warnsWhenAutostartVcmsWouldOutnumberTheLicensedActiveCount() {
    assertEquals(Optional.empty(), Advice.autostartWithinLicence(2, 2), "as many as the licence allows is fine");
    String warning = Advice.autostartWithinLicence(3, 2).orElseThrow();
    assertTrue(warning.contains("max_active_vcms (2)") && warning.contains("only the first 2 start"), warning);
  }

  @Test
  void aCreateCountsTheAutostartVcmsThereAreAndTheNewOne() {
    VcmView auto = view(UUID.randomUUID(), VcmStatus.INACTIVE, props(true, false, "10.0.0.1"), TenantFacts.INITIAL);
    Running s = running(1, fleet, auto);
    List<String> warnings = Advice.create("SHA256:new-tenant", true, fleet, s.licensing());
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).contains("2 VCMs would have autostart"), warnings::toString);
    assertEquals(List.of(), Advice.create("SHA256:new-tenant", false, fleet, s.licensing()),
        "a VCM without autostart adds none");
    assertEquals(2, Advice.create(auto.tenant(), true, fleet, s.licensing()).size(), "both pieces of advice");
  }

  @Test
  void turningAutostartOnCountsTheVcmOnceAndOtherChangesNotAtAll() {
    VcmView auto = view(UUID.randomUUID(), VcmStatus.INACTIVE, props(true, false, "10.0.0.1"), TenantFacts.INITIAL);
    VcmView plain = view(UUID.randomUUID(), VcmStatus.INACTIVE, props(false, false, "10.0.0.2"), TenantFacts.INITIAL);
    Running s = running(1, fleet, auto, plain);
    List<String> on = Advice.propertyChange(fleet, s.licensing(), plain.uuid(), "autostart", "True");
    assertEquals(1, on.size(), on::toString);
    assertTrue(on.get(0).contains("2 VCMs would have autostart"), on::toString);
    assertEquals(List.of(), Advice.propertyChange(fleet, s.licensing(), auto.uuid(), "autostart", "true"),
        "already autostart: nothing changes");
    assertEquals(List.of(), Advice.propertyChange(fleet, s.licensing(), plain.uuid(), "autostart", "false"));
    assertEquals(List.of(), Advice.propertyChange(fleet, s.licensing(), plain.uuid(), "name", "true"));
  }

  @Test
  void warnsThatLinkLocalNetworkingReachesOnlyTheHsmsOwnHost() {
    assertTrue(Advice.network(Network.ipv6LinkLocal()).orElseThrow().contains("same host as the HSM"));
    assertEquals(Optional.empty(), Advice.network(Network.ipv4("10.0.0.0/24")));
  }
}
