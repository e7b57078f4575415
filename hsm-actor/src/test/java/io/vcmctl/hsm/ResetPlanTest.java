package io.vcmctl.hsm;

import static io.vcmctl.hsm.Views.props;
import static io.vcmctl.hsm.Views.running;
import static io.vcmctl.hsm.Views.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResetPlanTest {

  final Fleet fleet = new Fleet();

  static VcmView autostart(VcmStatus status, String ip) {
    return view(UUID.randomUUID(), status, props(true, false, ip), TenantFacts.INITIAL);
  }

  @Test
  void stopsEveryActiveVcmAndEveryOneWhoseStartIsOnItsWay() {
    VcmView active = view(VcmStatus.ACTIVE, "10.0.0.1");
    VcmView starting = view(VcmStatus.INACTIVE, "10.0.0.2");
    VcmView idle = view(VcmStatus.INACTIVE, "10.0.0.3");
    running(3, fleet, active, starting, idle);
    fleet.reserved().hold(Reservations.Hold.start(starting.uuid()));
    assertEquals(List.of(active.uuid(), starting.uuid()),
        ResetPlan.toStop(List.of(active, starting, idle), fleet.reserved()));
  }

  @Test
  void startsAutostartVcmsInCreationOrderUpToTheLicence() {
    VcmView a = autostart(VcmStatus.INACTIVE, "10.0.0.1");
    VcmView plain = view(VcmStatus.INACTIVE, "10.0.0.2");
    VcmView b = autostart(VcmStatus.INACTIVE, "10.0.0.3");
    VcmView c = autostart(VcmStatus.INACTIVE, "10.0.0.4");
    Running s = running(2, fleet, a, plain, b, c);
    ResetPlan.Starts plan = ResetPlan.starts(s, List.of(a, plain, b, c), 0);
    assertEquals(List.of(a.uuid(), b.uuid()), plan.toStart());
    assertEquals(List.of(c.uuid()), List.copyOf(plan.overLimit().keySet()));
    assertTrue(plan.overLimit().get(c.uuid()).startsWith("R3:"));
    assertEquals(List.of(), ResetPlan.starts(s, List.of(a, plain, b, c), 2).toStart(), "no room left");
  }

  @Test
  void reportsEveryActiveAutostartVcmAsStartedAndWhyTheOthersAreNot() {
    VcmView startedBefore = autostart(VcmStatus.ACTIVE, "10.0.0.1");
    VcmView started = autostart(VcmStatus.ACTIVE, "10.0.0.2");
    VcmView refused = autostart(VcmStatus.INACTIVE, "10.0.0.3");
    VcmView over = autostart(VcmStatus.INACTIVE, "10.0.0.4");
    Map<UUID, FanOut.Outcome<VcmView>> outcomes = Map.of(started.uuid(), FanOut.Outcome.of(started, null),
        refused.uuid(), FanOut.Outcome.of(null, new Refusal(Refusal.Code.NOT_ACTIVE, "no")));
    ResetPlan.Result r = ResetPlan.result(List.of(startedBefore, started, refused, over), outcomes,
        Map.of(over.uuid(), "R3: full"));
    assertEquals(List.of(startedBefore.uuid(), started.uuid()), r.started());
    assertEquals(Map.of(refused.uuid(), "no", over.uuid(), "R3: full"), r.notStarted());
  }
}
