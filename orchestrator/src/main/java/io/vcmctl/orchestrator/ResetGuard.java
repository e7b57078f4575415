package io.vcmctl.orchestrator;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.List;
import java.util.Optional;

/**
 * A reset stops every active VCM, so it keeps R5's etiquette: while a tenant uses its VCM
 * (enrolled, operational) the reset is refused, naming those VCMs, unless forced.
 */
final class ResetGuard {

  private ResetGuard() {}

  static Optional<Refusal> inUse(List<VcmView> vcms) {
    List<String> inUse = vcms.stream()
        .filter(v -> v.status() == VcmStatus.ACTIVE && v.facts().inUse())
        .map(v -> v.properties().name() + " (" + v.uuid() + ")")
        .toList();
    return inUse.isEmpty() ? Optional.empty() : Optional.of(new Refusal(Refusal.Code.VCM_IN_USE,
        "R5: the reset would stop VCMs in use (enrolled, operational mode): " + String.join(", ", inUse)
            + "; ask their tenants to switch to maintenance mode, or reset with --force (the tenants must then"
            + " restart their hardservers)"));
  }
}
