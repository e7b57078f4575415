package io.vcmctl.hsm;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmProperty;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Which address a VCM gets: inside the effective range (and the pending one, if a change is
 * waiting for the reset), unique on the HSM, assigned automatically unless the provider names one.
 */
final class AddressPlan {

  private AddressPlan() {}

  /**
   * The lowest free address never used before; when all have been, the one freed longest ago,
   * so that a just-freed address is handed out last.
   *
   * @throws Refusal when none is left
   */
  static String assign(Network effective, Network pending, Set<String> used, FreedAddresses freed) {
    Set<String> avoid = new HashSet<>(used);
    avoid.addAll(freed.at().keySet());
    return effective.firstFree(avoid, Optional.ofNullable(pending))
        .or(() -> freed.leastRecent(ip -> !used.contains(ip) && effective.contains(ip)
            && (pending == null || pending.contains(ip))))
        .orElseThrow(() -> new Refusal(Code.ADDRESS_UNAVAILABLE, "no free address left in " + effective
            + (pending == null ? "" : " that also fits the pending " + pending)
            + "; delete a VCM or choose a larger range"));
  }

  /**
   * The canonical form of an address the provider chose, if it is usable.
   *
   * @throws Refusal when it is not an address, lies outside the range or is taken
   */
  static String check(Network effective, Network pending, Set<String> used, String raw) {
    String ip;
    try {
      ip = VcmProperties.canonical(VcmProperty.IP_ADDRESS, raw);
    } catch (IllegalArgumentException e) {
      throw new Refusal(Code.INVALID_ARGUMENT, e.getMessage());
    }
    if (!effective.contains(ip) || (pending != null && !pending.contains(ip))) {
      throw new Refusal(Code.ADDRESS_UNAVAILABLE, ip + " is not a usable address of " + effective
          + (pending == null ? "" : " and of the pending " + pending)
          + "; choose one inside the range, or leave --ip-address out to have one assigned");
    }
    if (used.contains(ip)) {
      throw new Refusal(Code.ADDRESS_UNAVAILABLE, ip + " is already used by another VCM; choose another address");
    }
    return ip;
  }

  /** The address {@code vcm} may change to: every other VCM's address counts as used. */
  static String checkChange(HsmEntity.Running s, Fleet fleet, UUID vcm, String raw) {
    return check(s.network(), s.pendingNetwork(), fleet.usedAddresses(vcm), raw);
  }
}
