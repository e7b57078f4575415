package io.vcmctl.hsm;

import io.vcmctl.vcm.VcmProperties;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What commands in flight hold until their VCM answers: an active slot, the serial cardreader,
 * an address, a tenant's enrollment, or a whole VCM being created. Counting these alongside
 * the VCMs' own state keeps concurrent commands from overshooting an HSM-wide limit.
 */
final class Reservations {

  /** One command's holdings. */
  record Hold(UUID vcm, boolean startSlot, boolean serialCardreader, String ipAddress, String enrollment) {

    static Hold none(UUID vcm) {
      return new Hold(vcm, false, false, null, null);
    }

    static Hold start(UUID vcm) {
      return new Hold(vcm, true, false, null, null);
    }

    static Hold enrollment(UUID vcm, String tenant) {
      return new Hold(vcm, false, false, null, tenant);
    }
  }

  private final Map<UUID, Integer> starts = new HashMap<>();
  private final Map<UUID, Integer> serial = new HashMap<>();
  private final Map<String, Integer> addresses = new HashMap<>();
  private final Map<String, UUID> enrollments = new HashMap<>();
  private final Map<UUID, VcmProperties> creations = new HashMap<>();

  void hold(Hold h) {
    if (h.startSlot()) {
      starts.merge(h.vcm(), 1, Integer::sum);
    }
    if (h.serialCardreader()) {
      serial.merge(h.vcm(), 1, Integer::sum);
    }
    if (h.ipAddress() != null) {
      addresses.merge(h.ipAddress(), 1, Integer::sum);
    }
    if (h.enrollment() != null) {
      enrollments.put(h.enrollment(), h.vcm());
    }
  }

  void release(Hold h) {
    if (h.startSlot()) {
      starts.computeIfPresent(h.vcm(), (k, n) -> n > 1 ? n - 1 : null);
    }
    if (h.serialCardreader()) {
      serial.computeIfPresent(h.vcm(), (k, n) -> n > 1 ? n - 1 : null);
    }
    if (h.ipAddress() != null) {
      addresses.computeIfPresent(h.ipAddress(), (k, n) -> n > 1 ? n - 1 : null);
    }
    if (h.enrollment() != null) {
      enrollments.remove(h.enrollment(), h.vcm());
    }
  }

  void holdCreation(UUID vcm, VcmProperties properties) {
    creations.put(vcm, properties);
  }

  void releaseCreation(UUID vcm) {
    creations.remove(vcm);
  }

  boolean isCreating(UUID vcm) {
    return creations.containsKey(vcm);
  }

  Map<UUID, VcmProperties> creations() {
    return creations;
  }

  boolean isStarting(UUID vcm) {
    return starts.containsKey(vcm);
  }

  Set<UUID> starting() {
    return starts.keySet();
  }

  /** A VCM other than {@code except} holding the serial cardreader: changing to it, or being created with it. */
  Optional<UUID> serialCardreader(UUID except) {
    return serial.keySet().stream().filter(u -> !u.equals(except)).findFirst()
        .or(() -> creations.entrySet().stream().filter(e -> e.getValue().serialCardreader())
            .map(Map.Entry::getKey).findFirst());
  }

  /** Addresses being taken: by VCMs being created and by VCMs changing their address. */
  Collection<String> addresses() {
    java.util.List<String> out = new java.util.ArrayList<>(addresses.keySet());
    creations.values().forEach(p -> out.add(p.ipAddress()));
    return out;
  }

  /** Addresses that VCMs are changing to (not counting creations). */
  Set<String> changingTo() {
    return addresses.keySet();
  }

  Optional<UUID> enrollmentOf(String tenant) {
    return Optional.ofNullable(enrollments.get(tenant));
  }

  void clear() {
    starts.clear();
    serial.clear();
    addresses.clear();
    enrollments.clear();
    creations.clear();
  }
}
