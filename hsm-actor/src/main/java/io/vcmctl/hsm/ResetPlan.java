package io.vcmctl.hsm;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The steps of a reset as pure functions of the VCMs in creation order: which to stop, which
 * autostart VCMs to start within the licence, and what to report afterwards.
 */
final class ResetPlan {

  private ResetPlan() {}

  /** The autostart VCMs to start now, and those the active limit leaves stopped, with why. */
  record Starts(List<UUID> toStart, Map<UUID, String> overLimit) {}

  /** What the reset reports. */
  record Result(List<UUID> started, Map<UUID, String> notStarted) {}

  /** Every active VCM; one whose start is on its way handles that start first, then the stop. */
  static List<UUID> toStop(List<VcmView> inOrder, Reservations reserved) {
    return inOrder.stream().filter(v -> v.isActive() || reserved.isStarting(v.uuid())).map(VcmView::uuid).toList();
  }

  /** Stopped autostart VCMs in creation order, up to max_active_vcms. */
  static Starts starts(Running s, List<VcmView> inOrder, int activeOrStarting) {
    List<UUID> autostart = inOrder.stream()
        .filter(v -> v.status() == VcmStatus.INACTIVE && v.properties().autostart()).map(VcmView::uuid).toList();
    int room = Math.max(0, s.licensing().maxActive() - activeOrStarting);
    Map<UUID, String> overLimit = new LinkedHashMap<>();
    String why = HsmRules.activeLimit(s.licensing()).getMessage();
    autostart.stream().skip(room).forEach(u -> overLimit.put(u, why));
    return new Starts(autostart.stream().limit(room).toList(), overLimit);
  }

  /**
   * Every autostart VCM active after the start step was started by this reset (everything was
   * stopped first and other commands waited), including any started before a crash; the others
   * report why.
   */
  static Result result(List<VcmView> inOrder, Map<UUID, FanOut.Outcome<VcmView>> outcomes,
      Map<UUID, String> overLimit) {
    List<UUID> started = new ArrayList<>();
    Map<UUID, String> notStarted = new LinkedHashMap<>();
    for (VcmView v : inOrder) {
      if (v.properties().autostart() && v.isActive()) {
        started.add(v.uuid());
      } else if (overLimit.containsKey(v.uuid())) {
        notStarted.put(v.uuid(), overLimit.get(v.uuid()));
      } else if (outcomes.containsKey(v.uuid())) {
        notStarted.put(v.uuid(), outcomes.get(v.uuid()).problem());
      }
    }
    return new Result(started, notStarted);
  }
}
