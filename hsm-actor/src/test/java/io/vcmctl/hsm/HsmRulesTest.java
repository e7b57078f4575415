package io.vcmctl.hsm;

import static io.vcmctl.hsm.Views.enrolledBy;
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
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Each HSM-wide rule as a pure function: the refusal it gives, and when it gives none. */
class HsmRulesTest {

  final Fleet fleet = new Fleet();

  static void refuses(Code code, String rule, Optional<Refusal> r) {
    assertTrue(r.isPresent(), "expected " + code);
    assertEquals(code, r.get().code(), r.get().getMessage());
    if (rule != null) {
      assertTrue(r.get().getMessage().startsWith(rule + ":"), r.get().getMessage());
    }
    assertFalse(r.get().getMessage().contains("\n"));
  }

  @Test
  void createsNeedNetworkingInEffectNotJustPending() {
    Running s = running(2, fleet);
    assertTrue(HsmRules.networkInEffect(s).isEmpty());
    Running none = new Running(s.esn(), s.modulePublicKey(), s.licensing(), null, null, Duration.ZERO, Map.of(), 1,
        null);
    refuses(Code.NETWORK_NOT_SET, null, HsmRules.networkInEffect(none));
    Running pending = none.withPending(Network.ipv4("10.1.0.0/24"));
    assertTrue(HsmRules.networkInEffect(pending).get().getMessage().contains("hsmadmin reset"));
  }

  @Test
  void r3CreationStopsAtMaxCreatable() {
    Running base = new Running("E", "pub", new Licensing(true, SpeedRating.BASE, 5, List.of(), List.of(), List.of()),
        Network.ipv4("10.0.0.0/24"), null, Duration.ZERO, Map.of(), 1, null);
    Running four = base;
    for (int i = 0; i < 4; i++) {
      four = four.admit(UUID.randomUUID(), i + 1, null);
    }
    assertTrue(HsmRules.creationLimit(four).isEmpty(), "the fifth VCM of a base-speed HSM may be created");
    refuses(Code.CREATE_LIMIT_REACHED, "R3", HsmRules.creationLimit(four.admit(UUID.randomUUID(), 9, null)));
  }

  @Test
  void r3StartCountsActiveVcmsAndStartsOnTheirWay() {
    VcmView active = view(VcmStatus.ACTIVE, "10.0.0.1");
    VcmView a = view(VcmStatus.INACTIVE, "10.0.0.2");
    VcmView b = view(VcmStatus.INACTIVE, "10.0.0.3");
    Running s = running(2, fleet, active, a, b);
    assertTrue(HsmRules.startLimit(s, fleet, a.uuid()).isEmpty());
    fleet.reserved().hold(Reservations.Hold.start(a.uuid()));
    refuses(Code.ACTIVE_LIMIT_REACHED, "R3", HsmRules.startLimit(s, fleet, b.uuid()));
    assertTrue(HsmRules.startLimit(s, fleet, a.uuid()).isEmpty(), "a second start of the same VCM takes no new slot");
    assertTrue(HsmRules.startLimit(s, fleet, active.uuid()).isEmpty(), "an active VCM is the VCM's to refuse");
    fleet.reserved().release(Reservations.Hold.start(a.uuid()));
    assertTrue(HsmRules.startLimit(s, fleet, b.uuid()).isEmpty());
  }

  @Test
  void r2OneSerialCardreaderCountingCreationsAndChanges() {
    VcmView holder = view(UUID.randomUUID(), VcmStatus.INACTIVE, props(false, true, "10.0.0.1"), TenantFacts.INITIAL);
    running(2, fleet, holder);
    refuses(Code.SERIAL_CARDREADER_IN_USE, "R2", HsmRules.serialCardreader(fleet, null));
    assertTrue(HsmRules.serialCardreader(fleet, holder.uuid()).isEmpty(), "the holder may keep it");

    Fleet other = new Fleet();
    UUID creating = UUID.randomUUID();
    other.reserved().holdCreation(creating, props(false, true, "10.0.0.9"));
    refuses(Code.SERIAL_CARDREADER_IN_USE, "R2", HsmRules.serialCardreader(other, null));
    other.reserved().releaseCreation(creating);
    assertTrue(HsmRules.serialCardreader(other, null).isEmpty());
  }

  @Test
  void featuresMustBeLicensedAndTheRefusalNamesTheMissingOnes() {
    Licensing l = new Licensing(true, SpeedRating.MID, 2, List.of("StandardFeatures", "Extra"), List.of(), List.of());
    assertTrue(HsmRules.licensedFeatures(l, List.of("Extra")).isEmpty());
    Optional<Refusal> r = HsmRules.licensedFeatures(l, List.of("Extra", "Gold", "Silver"));
    refuses(Code.FEATURE_NOT_LICENSED, null, r);
    assertTrue(r.get().getMessage().contains("[Gold, Silver]"), r.get().getMessage());
    assertEquals(Code.INVALID_ARGUMENT, assertThrows(Refusal.class, () -> HsmRules.features("a||b")).code());
  }

  @Test
  void r9OneEnrollmentPerTenantCountingEnrollmentsOnTheirWay() {
    VcmView enrolled = view(UUID.randomUUID(), VcmStatus.ACTIVE, props(false, false, "10.0.0.1"), enrolledBy("T"));
    VcmView other = view(VcmStatus.ACTIVE, "10.0.0.2");
    running(2, fleet, enrolled, other);
    refuses(Code.TENANT_ALREADY_ENROLLED, "R9", HsmRules.oneEnrollment(fleet, "T", other.uuid()));
    assertTrue(HsmRules.oneEnrollment(fleet, "T", enrolled.uuid()).isEmpty(), "enrolling again to the same VCM");
    fleet.reserved().hold(Reservations.Hold.enrollment(other.uuid(), "U"));
    refuses(Code.TENANT_ALREADY_ENROLLED, "R9", HsmRules.oneEnrollment(fleet, "U", enrolled.uuid()));
  }

  @Test
  void aNetworkChangeThatStrandsAVcmIsRefusedNamingIt() {
    VcmView inside = view(VcmStatus.INACTIVE, "10.0.0.5");
    VcmView outside = view(VcmStatus.INACTIVE, "10.0.0.200");
    Running s = running(2, fleet, inside, outside);
    assertTrue(HsmRules.stranded(s, fleet, Network.ipv4("10.0.0.0/24")).isEmpty());
    Optional<Refusal> r = HsmRules.stranded(s, fleet, Network.ipv4("10.0.0.0/25"));
    refuses(Code.NETWORK_CONFLICT, null, r);
    assertTrue(r.get().getMessage().contains(outside.uuid() + " (10.0.0.200)"), r.get().getMessage());
    assertFalse(r.get().getMessage().contains(inside.uuid().toString()));
  }

  @Test
  void aPropertyChangeHoldsWhatItTakesAndChecksOnlyAStoppedVcm() {
    VcmView stopped = view(VcmStatus.INACTIVE, "10.0.0.1");
    VcmView taken = view(VcmStatus.INACTIVE, "10.0.0.2");
    VcmView active = view(VcmStatus.ACTIVE, "10.0.0.3");
    Running s = running(2, fleet, stopped, taken, active);
    assertEquals("10.0.0.9", HsmRules.propertyChange(s, fleet, stopped.uuid(), "ip-address", "10.0.0.9").ipAddress());
    assertEquals(Code.ADDRESS_UNAVAILABLE, assertThrows(Refusal.class,
        () -> HsmRules.propertyChange(s, fleet, stopped.uuid(), "ip_address", "10.0.0.2")).code());
    assertTrue(HsmRules.propertyChange(s, fleet, stopped.uuid(), "serial_cardreader", "True").serialCardreader());
    assertEquals(Code.FEATURE_NOT_LICENSED, assertThrows(Refusal.class,
        () -> HsmRules.propertyChange(s, fleet, stopped.uuid(), "features", "Gold")).code());
    assertEquals(Reservations.Hold.none(active.uuid()),
        HsmRules.propertyChange(s, fleet, active.uuid(), "ip_address", "10.0.0.2"), "the VCM refuses it (R7)");
  }

  @Test
  void anUnknownVcmIsNotFoundButOneThatHasNotAnsweredIsUnavailable() {
    UUID silent = UUID.randomUUID();
    fleet.markUnanswered(silent);
    assertEquals(Code.UNAVAILABLE, HsmRules.unknownVcm(fleet, silent).code());
    assertEquals(Code.NOT_FOUND, HsmRules.unknownVcm(fleet, UUID.randomUUID()).code());
  }
}
