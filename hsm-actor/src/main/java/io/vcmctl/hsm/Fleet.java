package io.vcmctl.hsm;

import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What an HSM knows of its VCMs: the newest view of each (a mirror rebuilt from the children
 * at every recovery, never persisted by the HSM), the members that have not answered since, and
 * what commands in flight hold reserved. The HSM-wide rules ({@link HsmRules}) are functions
 * of this and the HSM's own state.
 */
final class Fleet {

  private final Map<UUID, VcmView> views = new HashMap<>();
  private final Set<UUID> unanswered = new HashSet<>();
  private final Set<UUID> recovering = new HashSet<>();
  private final Reservations reserved = new Reservations();

  Reservations reserved() {
    return reserved;
  }

  Optional<VcmView> view(UUID vcm) {
    return Optional.ofNullable(views.get(vcm));
  }

  boolean knows(UUID vcm) {
    return views.containsKey(vcm);
  }

  Collection<VcmView> views() {
    return views.values();
  }

  /** Keeps the newest view of each VCM (answers can arrive out of order); a deleted VCM leaves. */
  void observe(VcmView answer) {
    VcmView view = answer.state();
    unanswered.remove(view.uuid());
    if (view.status() == VcmStatus.DELETED) {
      views.remove(view.uuid());
      return;
    }
    views.merge(view.uuid(), view, (old, neu) -> neu.sequenceNr() >= old.sequenceNr() ? neu : old);
  }

  void forget(UUID vcm) {
    views.remove(vcm);
    unanswered.remove(vcm);
  }

  /** Members whose state is not known yet after a restart. */
  void recovering(java.util.Collection<UUID> members) {
    recovering.addAll(members);
  }

  void recovered(UUID vcm) {
    recovering.remove(vcm);
  }

  boolean isRecovering(UUID vcm) {
    return recovering.contains(vcm);
  }

  /** Whether every member's state is known, as an HSM-wide rule needs. */
  boolean allRecovered() {
    return recovering.isEmpty();
  }

  int stillRecovering() {
    return recovering.size();
  }

  /** A member that did not answer at recovery: known to exist, not yet in the mirror. */
  void markUnanswered(UUID vcm) {
    unanswered.add(vcm);
  }

  boolean isUnanswered(UUID vcm) {
    return unanswered.contains(vcm);
  }

  /** After a restart of the HSM actor everything here is stale. */
  void clear() {
    views.clear();
    unanswered.clear();
    recovering.clear();
    reserved.clear();
  }

  /** The known VCMs in creation order. */
  List<VcmView> inOrder(Collection<UUID> membersInOrder) {
    List<VcmView> out = new ArrayList<>();
    for (UUID uuid : membersInOrder) {
      VcmView v = views.get(uuid);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  /** Active VCMs as their views say. */
  int active() {
    return (int) views.values().stream().filter(VcmView::isActive).count();
  }

  /** Active VCMs plus those whose start is on its way: what the active limit is checked against. */
  int activeOrStarting() {
    int n = active();
    for (UUID uuid : reserved.starting()) {
      VcmView v = views.get(uuid);
      if (v == null || !v.isActive()) {
        n++;
      }
    }
    return n;
  }

  Optional<UUID> enrolledVcmOf(String tenant) {
    return reserved.enrollmentOf(tenant).or(() -> views.values().stream()
        .filter(v -> tenant.equals(v.facts().enrolledBy())).map(VcmView::uuid).findFirst());
  }

  Optional<UUID> serialCardreaderHolder(UUID except) {
    return views.values().stream()
        .filter(v -> v.properties().serialCardreader() && !v.uuid().equals(except))
        .map(VcmView::uuid).findFirst()
        .or(() -> reserved.serialCardreader(except));
  }

  /** Features that VCMs have but {@code licensed} lacks, each with the VCMs that have it, by name. */
  SortedMap<String, List<UUID>> unlicensedFeaturesInUse(Collection<UUID> membersInOrder, List<String> licensed) {
    SortedMap<String, List<UUID>> inUse = new TreeMap<>();
    for (VcmView v : inOrder(membersInOrder)) {
      v.properties().features().stream().filter(f -> !licensed.contains(f))
          .forEach(f -> inUse.computeIfAbsent(f, k -> new ArrayList<>()).add(v.uuid()));
    }
    return inUse;
  }

  /** Every address in use or being taken, except that of {@code except}. */
  Set<String> usedAddresses(UUID except) {
    Set<String> used = new HashSet<>(reserved.addresses());
    views.values().stream().filter(v -> !v.uuid().equals(except)).forEach(v -> used.add(v.properties().ipAddress()));
    return used;
  }
}
