package io.vcmctl.hsm;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** VCM views and HSM states built by hand, for the rule classes' unit tests (no actor system). */
final class Views {

  private Views() {}

  static VcmView view(VcmStatus status, String ip) {
    return view(UUID.randomUUID(), status, props(false, false, ip), TenantFacts.INITIAL);
  }

  static VcmView view(UUID uuid, VcmStatus status, VcmProperties p, TenantFacts facts) {
    return new VcmView(uuid, status, p, facts, "key", "SHA256:tenant-" + uuid, Instant.EPOCH, 1);
  }

  static VcmProperties props(boolean autostart, boolean serial, String ip) {
    return new VcmProperties(autostart, false, serial, List.of("StandardFeatures"), "vcm", ip, "k");
  }

  static TenantFacts enrolledBy(String tenant) {
    return new TenantFacts(tenant, false, TenantFacts.Mode.OPERATIONAL, TenantFacts.AuditLog.OFF, false, 0, 0);
  }

  /** A multi-tenant, mid-speed HSM with 10.0.0.0/24 in effect, holding these VCMs in this order. */
  static Running running(int maxActive, Fleet fleet, VcmView... vcms) {
    Map<UUID, Long> members = new LinkedHashMap<>();
    long order = 1;
    for (VcmView v : vcms) {
      members.put(v.uuid(), order++);
      fleet.observe(v);
    }
    return new Running("5E4D-03E0-D947", "pub", new Licensing(true, SpeedRating.MID, maxActive,
        List.of("StandardFeatures", "Extra"), List.of(), List.of()), Network.ipv4("10.0.0.0/24"), null, Duration.ZERO, members, order, null);
  }
}
