package io.vcmctl.hsm;

import static io.vcmctl.hsm.Views.enrolledBy;
import static io.vcmctl.hsm.Views.props;
import static io.vcmctl.hsm.Views.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The HSM's mirror of its VCMs and what commands in flight hold. */
class FleetTest {

  final Fleet fleet = new Fleet();

  @Test
  void keepsTheNewestViewWhateverOrderAnswersArriveIn() {
    UUID u = UUID.randomUUID();
    VcmView older = new VcmView(u, VcmStatus.ACTIVE, props(false, false, "10.0.0.1"), TenantFacts.INITIAL, "k", "t",
        Instant.EPOCH, 4);
    VcmView newer = new VcmView(u, VcmStatus.INACTIVE, props(false, false, "10.0.0.1"), TenantFacts.INITIAL, "k", "t",
        Instant.EPOCH, 5);
    fleet.observe(newer);
    fleet.observe(older);
    assertEquals(VcmStatus.INACTIVE, fleet.view(u).orElseThrow().status());
    fleet.observe(new VcmView(u, VcmStatus.DELETED, newer.properties(), newer.facts(), "k", "t", Instant.EPOCH, 6));
    assertFalse(fleet.knows(u), "a deleted VCM leaves the mirror");
  }

  @Test
  void countsStartsOnTheirWayOnceAndOnlyForVcmsNotYetActive() {
    VcmView active = view(VcmStatus.ACTIVE, "10.0.0.1");
    VcmView idle = view(VcmStatus.INACTIVE, "10.0.0.2");
    fleet.observe(active);
    fleet.observe(idle);
    fleet.reserved().hold(Reservations.Hold.start(active.uuid()));
    fleet.reserved().hold(Reservations.Hold.start(idle.uuid()));
    fleet.reserved().hold(Reservations.Hold.start(idle.uuid()));
    assertEquals(1, fleet.active());
    assertEquals(2, fleet.activeOrStarting());
    fleet.reserved().release(Reservations.Hold.start(idle.uuid()));
    assertEquals(2, fleet.activeOrStarting(), "one of the two starts is still on its way");
    fleet.reserved().release(Reservations.Hold.start(idle.uuid()));
    assertEquals(1, fleet.activeOrStarting());
  }

  @Test
  void addressesInUseIncludeCreationsAndChangesButNotTheVcmAsked() {
    VcmView a = view(VcmStatus.INACTIVE, "10.0.0.1");
    fleet.observe(a);
    fleet.reserved().holdCreation(UUID.randomUUID(), props(false, false, "10.0.0.2"));
    fleet.reserved().hold(new Reservations.Hold(a.uuid(), false, false, "10.0.0.3", null));
    assertEquals(Set.of("10.0.0.1", "10.0.0.2", "10.0.0.3"), fleet.usedAddresses(null));
    assertEquals(Set.of("10.0.0.2", "10.0.0.3"), fleet.usedAddresses(a.uuid()));
  }

  @Test
  void findsATenantsEnrollmentInTheMirrorOrOnItsWay() {
    VcmView a = view(UUID.randomUUID(), VcmStatus.ACTIVE, props(false, false, "10.0.0.1"), enrolledBy("T"));
    fleet.observe(a);
    assertEquals(Optional.of(a.uuid()), fleet.enrolledVcmOf("T"));
    UUID b = UUID.randomUUID();
    fleet.reserved().hold(Reservations.Hold.enrollment(b, "U"));
    assertEquals(Optional.of(b), fleet.enrolledVcmOf("U"));
    fleet.reserved().release(Reservations.Hold.enrollment(b, "U"));
    assertTrue(fleet.enrolledVcmOf("U").isEmpty());
  }

  @Test
  void listsKnownVcmsInCreationOrderAndForgetsEverythingOnClear() {
    VcmView a = view(VcmStatus.INACTIVE, "10.0.0.1");
    VcmView b = view(VcmStatus.INACTIVE, "10.0.0.2");
    fleet.observe(b);
    fleet.observe(a);
    UUID unanswered = UUID.randomUUID();
    fleet.markUnanswered(unanswered);
    assertEquals(List.of(a, b), fleet.inOrder(List.of(a.uuid(), unanswered, b.uuid())));
    fleet.clear();
    assertTrue(fleet.views().isEmpty());
    assertFalse(fleet.isUnanswered(unanswered));
  }
}
