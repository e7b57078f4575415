package io.vcmctl.hsm;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The rules that span the VCMs of one HSM, each a pure function of the HSM's state and what
 * it knows of its VCMs ({@link Fleet}), returning the refusal, with its one text, when the rule
 * forbids the command. The VCM's own rules are {@link io.vcmctl.vcm.VcmRules}.
 */
final class HsmRules {

  private HsmRules() {}

  /** No VCM before networking is in effect. */
  static Optional<Refusal> networkInEffect(Running s) {
    if (s.network() != null) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Code.NETWORK_NOT_SET, s.pendingNetwork() == null
        ? "VCM networking is not set; run hsmadmin setnetwork, then hsmadmin reset"
        : "VCM networking " + s.pendingNetwork() + " is pending; run hsmadmin reset for it to take effect"));
  }

  /** R3: no create beyond max_creatable_vcms. */
  static Optional<Refusal> creationLimit(Running s) {
    if (s.members().size() < s.licensing().maxCreatable()) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Code.CREATE_LIMIT_REACHED, "R3: this HSM already has " + s.members().size()
        + " VCMs, its max_creatable_vcms; delete one with vcmadmin delete"
        + (s.licensing().multiTenant() ? "" : ", or apply a multi-tenant licence")));
  }

  /** R3: no start beyond max_active_vcms, counting starts on their way. */
  static Optional<Refusal> startLimit(Running s, Fleet fleet, UUID vcm) {
    boolean stopped = fleet.view(vcm).map(v -> v.status() == VcmStatus.INACTIVE).orElse(false);
    if (!stopped || fleet.reserved().isStarting(vcm) || fleet.activeOrStarting() < s.licensing().maxActive()) {
      return Optional.empty();
    }
    return Optional.of(activeLimit(s.licensing()));
  }

  static Refusal activeLimit(Licensing licensing) {
    return new Refusal(Code.ACTIVE_LIMIT_REACHED, "R3: max_active_vcms (" + licensing.maxActive()
        + ") VCMs are active or starting; stop one with vcmadmin stop, or apply a licence for more");
  }

  /**
   * autostart needs the tenant's consent (seed: "This property must be included in the tenant
   * request message"): the provider may drop a requested autostart, never add one.
   */
  static Optional<Refusal> autostartConsent(boolean requested, Boolean providerChoice) {
    if (!Boolean.TRUE.equals(providerChoice) || requested) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Code.AUTOSTART_NOT_REQUESTED, "autostart needs the tenant's consent: this request"
        + " does not ask for it, so --autostart cannot add it; leave --autostart out, or ask the tenant for a"
        + " request made with hsmadmin vcm create --autostart"));
  }

  /** R2: at most one VCM per HSM has the serial cardreader. */
  static Optional<Refusal> serialCardreader(Fleet fleet, UUID except) {
    return fleet.serialCardreaderHolder(except).map(holder -> new Refusal(Code.SERIAL_CARDREADER_IN_USE,
        "R2: VCM " + holder + " already has the serial cardreader; only one VCM per HSM can: set"
            + " serial_cardreader false on it first, or create with --no-serial-cardreader"));
  }

  /** A VCM's features are a subset of what this HSM is licensed for. */
  static Optional<Refusal> licensedFeatures(Licensing licensing, List<String> features) {
    List<String> missing = features.stream().filter(f -> !licensing.features().contains(f)).toList();
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Code.FEATURE_NOT_LICENSED, "features " + missing + " are not licensed on this"
        + " HSM (licensed: " + licensing.features() + "); apply a licence for them with hsmadmin fet, or leave them out"));
  }

  /** R9: a tenant is enrolled to at most one VCM per HSM. */
  static Optional<Refusal> oneEnrollment(Fleet fleet, String tenant, UUID vcm) {
    return fleet.enrolledVcmOf(tenant).filter(other -> !other.equals(vcm)).map(other -> new Refusal(
        Code.TENANT_ALREADY_ENROLLED, "R9: this tenant is already enrolled to VCM " + other + " on this HSM;"
            + " unenroll it first (hsmadmin vcm unenroll " + other + ")"));
  }

  /** A pending network change may not leave an existing VCM's address outside the new range. */
  static Optional<Refusal> stranded(Running s, Fleet fleet, Network proposed) {
    List<String> stranded = new ArrayList<>(fleet.views().stream()
        .filter(v -> !proposed.contains(v.properties().ipAddress()))
        .sorted(Comparator.comparing(v -> s.members().getOrDefault(v.uuid(), 0L)))
        .map(v -> v.uuid() + " (" + v.properties().ipAddress() + ")")
        .toList());
    fleet.reserved().creations().forEach((uuid, p) -> {
      if (!proposed.contains(p.ipAddress())) {
        stranded.add(uuid + " (" + p.ipAddress() + ", being created)");
      }
    });
    fleet.reserved().changingTo().stream().filter(ip -> !proposed.contains(ip)).sorted()
        .forEach(ip -> stranded.add("a VCM changing its address to " + ip));
    if (stranded.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Code.NETWORK_CONFLICT, "networking " + proposed
        + " would leave these VCMs outside the range: " + String.join(", ", stranded)
        + "; delete them or choose a range that contains them"));
  }

  /**
   * The HSM-wide side of changing a stopped VCM's property: R2 for the serial cardreader, the
   * address plan for an address, the licence for features. What the change must hold until the
   * VCM answers; nothing for a property the VCM will refuse anyway (unknown, or VCM not stopped).
   *
   * @throws Refusal naming the rule the change would break
   */
  static Reservations.Hold propertyChange(Running s, Fleet fleet, UUID vcm, String name, String value) {
    Optional<VcmProperty> property = VcmProperty.fromName(name);
    boolean stopped = fleet.view(vcm).map(v -> v.status() == VcmStatus.INACTIVE).orElse(false);
    if (property.isEmpty() || !stopped) {
      return Reservations.Hold.none(vcm);
    }
    switch (property.get()) {
      case SERIAL_CARDREADER:
        boolean serial = VcmProperty.parseBoolean(value).orElse(false);
        if (serial) {
          require(serialCardreader(fleet, vcm));
        }
        return new Reservations.Hold(vcm, false, serial, null, null);
      case IP_ADDRESS:
        return new Reservations.Hold(vcm, false, false, AddressPlan.checkChange(s, fleet, vcm, value), null);
      case FEATURES:
        require(licensedFeatures(s.licensing(), features(value)));
        return Reservations.Hold.none(vcm);
      default:
        return Reservations.Hold.none(vcm);
    }
  }

  /** Whether changing this property is checked against the other VCMs (R2, addresses). */
  static boolean spansVcms(String property) {
    return VcmProperty.fromName(property)
        .map(p -> p == VcmProperty.SERIAL_CARDREADER || p == VcmProperty.IP_ADDRESS).orElse(false);
  }

  /** A VCM the HSM does not know, or one that has not answered since the HSM restarted. */
  static Refusal unknownVcm(Fleet fleet, UUID vcm) {
    if (fleet.isUnanswered(vcm)) {
      return new Refusal(Code.UNAVAILABLE, "VCM " + vcm + " has not answered since the HSM restarted; it is being"
          + " asked again, try again");
    }
    return new Refusal(Code.NOT_FOUND, "no VCM " + vcm + " on this HSM; list VCMs with vcmadmin show");
  }

  static Refusal unavailable(UUID vcm, Throwable failure) {
    return new Refusal(Code.UNAVAILABLE, "VCM " + vcm + " did not answer in time (" + failure.getClass().getSimpleName()
        + "); its state is being re-read, try again");
  }

  /**
   * Features joined by {@code |}, checked.
   *
   * @throws Refusal when the text is not a list of feature names
   */
  static List<String> features(String joined) {
    try {
      return VcmProperties.splitFeatures(joined);
    } catch (IllegalArgumentException e) {
      throw new Refusal(Code.INVALID_ARGUMENT, e.getMessage());
    }
  }

  /** Throws the refusal, if any: for plans that compute a value and check rules on the way. */
  static void require(Optional<Refusal> refusal) {
    if (refusal.isPresent()) {
      throw refusal.get();
    }
  }

  static VcmView requireKnown(Fleet fleet, UUID vcm) {
    return fleet.view(vcm).orElseThrow(() -> unknownVcm(fleet, vcm));
  }

  /**
   * R5's etiquette for a reset, which stops every active VCM: while a tenant uses one (enrolled,
   * operational) the reset is refused, naming those VCMs, unless forced.
   */
  static Optional<Refusal> resetWhileInUse(Collection<VcmView> vcms) {
    List<String> inUse = vcms.stream()
        .filter(v -> v.status() == VcmStatus.ACTIVE && v.facts().inUse())
        .map(v -> v.properties().name() + " (" + v.uuid() + ")")
        .toList();
    return inUse.isEmpty() ? Optional.empty() : Optional.of(new Refusal(Code.VCM_IN_USE,
        "R5: the reset would stop VCMs in use (enrolled, operational mode): " + String.join(", ", inUse)
            + "; ask their tenants to switch to maintenance mode, or reset with --force (the tenants must then"
            + " restart their hardservers)"));
  }
}
