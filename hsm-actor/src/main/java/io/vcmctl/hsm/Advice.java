package io.vcmctl.hsm;

import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the operator guide gives as advice ("should") rather than rule: each a pure function
 * returning the one-line warning (without the {@code WARNING: } prefix) when a command goes
 * against it. A warning never refuses; the command's reply carries it to the operator.
 */
public final class Advice {

  private Advice() {}

  /** Seed: "create only one VCM per HSM per tenant". */
  public static Optional<String> oneVcmPerTenant(String tenant, Collection<VcmView> existing) {
    List<UUID> others = existing.stream()
        .filter(v -> v.status() != VcmStatus.DELETED && tenant.equals(v.tenant()))
        .map(VcmView::uuid).sorted().toList();
    if (others.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("this tenant already has VCM " + others.stream().map(UUID::toString)
        .reduce((a, b) -> a + ", " + b).orElseThrow() + " on this HSM; the operator guide advises one VCM per HSM"
        + " per tenant");
  }

  /**
   * Seed: "you should not create more VCMs with this property than your licence allows": after a
   * reset only the first {@code max_active_vcms} autostart VCMs start.
   *
   * @param autostart how many VCMs would have autostart after the command
   */
  public static Optional<String> autostartWithinLicence(long autostart, int maxActive) {
    if (autostart <= maxActive) {
      return Optional.empty();
    }
    return Optional.of(autostart + " VCMs would have autostart, more than max_active_vcms (" + maxActive
        + "): after a reset only the first " + maxActive + " start; the operator guide advises no more autostart"
        + " VCMs than the licence allows");
  }

  /** Seed: link-local addresses are only useful when every tenant's client is on the HSM's own host. */
  public static Optional<String> network(Network network) {
    if (network.kind() != Network.Kind.IPV6_LINK_LOCAL) {
      return Optional.empty();
    }
    return Optional.of("IPv6 link-local networking reaches only clients on the same host as the HSM; use it only"
        + " when every tenant's client runs there");
  }

  /** The warnings a property change gets: turning autostart on counts the VCM among the autostart ones. */
  static List<String> propertyChange(Fleet fleet, Licensing licensing, UUID vcm, String property, String value) {
    boolean turnsOn = VcmProperty.fromName(property).filter(p -> p == VcmProperty.AUTOSTART).isPresent()
        && VcmProperty.parseBoolean(value).orElse(false)
        && fleet.view(vcm).map(v -> !v.properties().autostart()).orElse(false);
    if (!turnsOn) {
      return List.of();
    }
    return autostartWithinLicence(autostartCount(fleet) + 1, licensing.maxActive()).stream().toList();
  }

  private static long autostartCount(Fleet fleet) {
    return fleet.views().stream().filter(v -> v.status() != VcmStatus.DELETED && v.properties().autostart()).count()
        + fleet.reserved().creations().values().stream().filter(p -> p.autostart()).count();
  }

  /** The warnings a create gets: the VCMs the HSM knows, those being created, and the new one. */
  static List<String> create(String tenant, boolean autostart, Fleet fleet, Licensing licensing) {
    List<String> warnings = new ArrayList<>();
    oneVcmPerTenant(tenant, fleet.views()).ifPresent(warnings::add);
    if (autostart) {
      autostartWithinLicence(autostartCount(fleet) + 1, licensing.maxActive()).ifPresent(warnings::add);
    }
    return List.copyOf(warnings);
  }

  /**
   * A VCM about to get an address freed (by a deleted VCM or one that moved) less than {@code
   * quarantine} ago: the clients of the VCM that had it may still point at it and would reach this one.
   */
  public static Optional<String> addressReuse(String ip, FreedAddresses freed, Instant now, Duration quarantine) {
    return freed.freedAt(ip).filter(at -> at.plus(quarantine).isAfter(now)).map(at -> ip + " was freed "
        + ago(Duration.between(at, now)) + " ago, within the address quarantine of " + ago(quarantine)
        + " (vcmctl.hsm.address-quarantine): clients of the VCM that had it may still reach this one;"
        + " choose another address unless they are gone");
  }

  private static String ago(Duration d) {
    if (d.toHours() >= 1) {
      return d.toHours() + " h";
    }
    return d.toMinutes() >= 1 ? d.toMinutes() + " min" : Math.max(0, d.toSeconds()) + " s";
  }
}
