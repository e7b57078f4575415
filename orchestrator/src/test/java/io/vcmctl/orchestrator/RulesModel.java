package io.vcmctl.orchestrator;

import io.vcmctl.hsm.Licensing;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A plain reference model of the operator guide's rules for the commands the model-based test
 * drives: licences (multi-tenancy, speed, active count), the creation and active limits (R3),
 * the tenant's consent to autostart, autostart and restrict_startup exclusive (R1), one serial
 * cardreader per HSM (R2), licensed features, the start request of a restrict_startup VCM (R4),
 * stop of a VCM in use (R5), delete of an active VCM (R6), property changes (R7) and the key that
 * signs them (R8), one enrolment per tenant and HSM and
 * only to an active VCM (R9), enrolment kept across stop and start (R10), tenant data and the
 * disk limit (R11), networking and addresses, and reset with autostart. Written from the rules,
 * not from the product's classes, so that the two can disagree. Where the rules leave the order
 * of two checks open, the model checks them in the product's order.
 */
final class RulesModel {

  /** R11: a VCM is stopped when its disk use is strictly greater than this. */
  static final long DISK_LIMIT = 16L * 1024 * 1024;
  /** The largest single data write (vcmctl.vcm.max-data-write). */
  static final long MAX_WRITE = 1024L * 1024 * 1024;
  /** What an active VCM takes without a Security World or data (vcmctl.vcm.simulated-runtime.base-memory). */
  static final long BASE_MEMORY = 32L * 1024 * 1024;
  /** What the platform takes with no VCM (vcmctl.hsm.platform-memory). */
  static final long PLATFORM_MEMORY = 512L * 1024 * 1024;
  /** A loaded Security World on disk and, while active, in memory (vcmctl.vcm.simulated-runtime). */
  static final long WORLD_DISK = 512L * 1024;
  static final long WORLD_MEMORY = 4L * 1024 * 1024;

  /** The platform feature every HSM has without a feature licence (vcmctl.hsm.base-features). */
  static final String BASE_FEATURE = "StandardFeatures";

  /** An IPv4 range: every address inside it but the network and broadcast ones is usable. */
  record Range(String cidr, long base, int length) {

    static Range of(String cidr) {
      int slash = cidr.indexOf('/');
      int length = Integer.parseInt(cidr.substring(slash + 1));
      long mask = (0xffffffffL << (32 - length)) & 0xffffffffL;
      return new Range(cidr, parse(cidr.substring(0, slash)).orElseThrow() & mask, length);
    }

    long size() {
      return 1L << (32 - length);
    }

    boolean contains(String ip) {
      return parse(ip).map(a -> a > base && a < base + size() - 1).orElse(false);
    }

    List<String> usable() {
      List<String> all = new ArrayList<>();
      for (long a = base + 1; a < base + size() - 1; a++) {
        all.add(format(a));
      }
      return all;
    }

    /** A dotted quad, or empty when the text is not one. */
    static Optional<Long> parse(String ip) {
      String[] parts = ip.split("\\.", -1);
      if (parts.length != 4) {
        return Optional.empty();
      }
      long a = 0;
      for (String p : parts) {
        if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
          return Optional.empty();
        }
        a = a * 256 + Integer.parseInt(p);
      }
      return Optional.of(a);
    }

    static String format(long a) {
      return (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
    }
  }

  /** A VCM as the model sees it. */
  static final class Vcm {
    final UUID uuid;
    final int tenant;
    VcmStatus status = VcmStatus.INACTIVE;
    Integer enrolled;
    boolean maintenance;
    boolean restartRequired;
    boolean worldLoaded;
    boolean autostart;
    boolean restrictStartup;
    boolean serialCardreader;
    String name;
    String ip;
    String features;
    /** The request-signing key, encoded: requests to start or modify the VCM must be signed by it. */
    String kTenantReq;
    long dataBytes;

    Vcm(UUID uuid, int tenant) {
      this.uuid = uuid;
      this.tenant = tenant;
    }

    boolean inUse() {
      return enrolled != null && !maintenance;
    }

    /** Disk use: the Security World once loaded and the tenant's data, active or not. */
    long disk() {
      return (worldLoaded ? WORLD_DISK : 0) + dataBytes;
    }
  }

  /** What a tenant's create request asks for, and what the provider decides (null: as requested). */
  record CreateAsk(int tenant, String requestKey, String name, boolean autostart, boolean restrictStartup,
      boolean serialCardreader, String features, Boolean providerAutostart, Boolean providerSerialCardreader,
      String providerIp) {}

  /**
   * What a tenant's properties request names, the key that signed it (encoded), and the property
   * and value the provider sets.
   */
  record PropertyAsk(String signer, Map<String, String> requested, String property, String value) {}

  /** An HSM as the model sees it: its licence, networking and its VCMs that are not deleted, in creation order. */
  static final class Hsm {
    boolean multiTenant;
    SpeedRating speed = SpeedRating.BASE;
    int licensedActive = 1;
    /** The platform features VCMs may have: the base one, plus those the newest licence naming any names. */
    final TreeSet<String> licensed = new TreeSet<>(List.of(BASE_FEATURE));
    Range network;
    Range pending;
    final Map<UUID, Vcm> vcms = new LinkedHashMap<>();
    /** Each address a VCM gave up (deleted or moved), with when (a counter): the most recently freed is handed out last. */
    final Map<String, Long> freed = new HashMap<>();
    private long freedCount;
    private Vcm planned;

    int maxCreatable() {
      if (!multiTenant) {
        return 1;
      }
      return speed == SpeedRating.BASE ? Licensing.BASE_MAX_CREATABLE : Licensing.HIGHER_MAX_CREATABLE;
    }

    int maxActive() {
      return multiTenant ? Math.min(licensedActive, maxCreatable()) : 1;
    }

    long active() {
      return vcms.values().stream().filter(v -> v.status == VcmStatus.ACTIVE).count();
    }

    Optional<Code> licence(boolean multi, SpeedRating rating, int active, List<String> features) {
      if (!features.isEmpty()) {
        licensed.clear();
        licensed.add(BASE_FEATURE);
        licensed.addAll(features);
      }
      multiTenant |= multi;
      if (rating.compareTo(speed) > 0) {
        speed = rating;
      }
      licensedActive = active;
      return Optional.empty();
    }

    /** The change is pending until a reset; it may not leave any VCM's address outside it. */
    Optional<Code> setNetwork(String cidr) {
      Range proposed = Range.of(cidr);
      if (vcms.values().stream().anyMatch(v -> !proposed.contains(v.ip))) {
        return Optional.of(Code.NETWORK_CONFLICT);
      }
      pending = proposed;
      return Optional.empty();
    }

    Optional<Code> create(CreateAsk ask) {
      planned = null;
      if (network == null) {
        return Optional.of(Code.NETWORK_NOT_SET);
      }
      if (vcms.size() >= maxCreatable()) {
        return Optional.of(Code.CREATE_LIMIT_REACHED);
      }
      if (Boolean.TRUE.equals(ask.providerAutostart()) && !ask.autostart()) {
        return Optional.of(Code.AUTOSTART_NOT_REQUESTED);
      }
      Vcm v = new Vcm(null, ask.tenant());
      v.autostart = ask.providerAutostart() != null ? ask.providerAutostart() : ask.autostart();
      v.restrictStartup = ask.restrictStartup();
      v.serialCardreader = ask.providerSerialCardreader() != null ? ask.providerSerialCardreader()
          : ask.serialCardreader();
      v.name = ask.name();
      v.kTenantReq = ask.requestKey();
      if (v.autostart && v.restrictStartup) {
        return Optional.of(Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE);
      }
      v.features = ask.features() == null ? String.join("|", licensed) : features(ask.features()).orElseThrow();
      if (!licensed.containsAll(List.of(v.features.split("\\|")))) {
        return Optional.of(Code.FEATURE_NOT_LICENSED);
      }
      if (v.serialCardreader && vcms.values().stream().anyMatch(o -> o.serialCardreader)) {
        return Optional.of(Code.SERIAL_CARDREADER_IN_USE);
      }
      Optional<Code> address = ask.providerIp() != null ? usableFor(null, ask.providerIp()) : Optional.empty();
      if (address.isPresent()) {
        return address;
      }
      v.ip = ask.providerIp() != null ? ask.providerIp() : assign().orElse(null);
      if (v.ip == null) {
        return Optional.of(Code.ADDRESS_UNAVAILABLE);
      }
      planned = v;
      return Optional.empty();
    }

    /** The VCM the last accepted create made, under the uuid the product gave it. */
    Vcm created(UUID uuid) {
      Vcm v = new Vcm(uuid, planned.tenant);
      v.autostart = planned.autostart;
      v.restrictStartup = planned.restrictStartup;
      v.serialCardreader = planned.serialCardreader;
      v.name = planned.name;
      v.ip = planned.ip;
      v.features = planned.features;
      v.kTenantReq = planned.kTenantReq;
      vcms.put(uuid, v);
      return v;
    }

    /**
     * The automatic address: the lowest never freed and unused one of the network (and of the
     * pending one, if any); when none is left, the one freed longest ago that is free again.
     */
    Optional<String> assign() {
      List<String> used = vcms.values().stream().map(v -> v.ip).toList();
      Optional<String> fresh = network.usable().stream()
          .filter(ip -> !used.contains(ip) && !freed.containsKey(ip) && (pending == null || pending.contains(ip)))
          .findFirst();
      return fresh.or(() -> freed.entrySet().stream()
          .filter(e -> !used.contains(e.getKey()) && network.contains(e.getKey())
              && (pending == null || pending.contains(e.getKey())))
          .min(Map.Entry.comparingByValue()).map(Map.Entry::getKey));
    }

    /** Whether {@code ip} may be the address of {@code vcm} (null: a new VCM). */
    private Optional<Code> usableFor(UUID vcm, String ip) {
      if (Range.parse(ip).isEmpty()) {
        return Optional.of(Code.INVALID_ARGUMENT);
      }
      if (!network.contains(ip) || (pending != null && !pending.contains(ip))) {
        return Optional.of(Code.ADDRESS_UNAVAILABLE);
      }
      boolean taken = vcms.values().stream().anyMatch(o -> !o.uuid.equals(vcm) && ip.equals(o.ip));
      return taken ? Optional.of(Code.ADDRESS_UNAVAILABLE) : Optional.empty();
    }

    /**
     * The address part of the rules in one place. An address a VCM gives up, by its deletion or
     * by an {@code ip_address} change, goes to the back of the line.
     */
    private void addressChanged(Vcm v, String to) {
      if (v.ip != null && !v.ip.equals(to)) {
        freed.put(v.ip, ++freedCount);
      }
      v.ip = to;
    }

    /** {@code signedBy}: the key that signed the start request, if one is given. */
    Optional<Code> start(UUID uuid, String signedBy) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.status == VcmStatus.INACTIVE && active() >= maxActive()) {
        return Optional.of(Code.ACTIVE_LIMIT_REACHED);
      }
      if (v.status == VcmStatus.ACTIVE) {
        return Optional.of(Code.ALREADY_ACTIVE);
      }
      if (v.status == VcmStatus.DISK_LIMIT_STOPPED) {
        return Optional.of(Code.DISK_LIMIT_STOPPED);
      }
      if (v.restrictStartup && signedBy == null) {
        return Optional.of(Code.START_REQUEST_REQUIRED);
      }
      if (signedBy != null && !signedBy.equals(v.kTenantReq)) {
        return Optional.of(Code.INVALID_REQUEST);
      }
      v.status = VcmStatus.ACTIVE;
      return Optional.empty();
    }

    Optional<Code> stop(UUID uuid, boolean force) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.status != VcmStatus.ACTIVE) {
        return Optional.of(Code.NOT_ACTIVE);
      }
      if (v.inUse() && !force) {
        return Optional.of(Code.VCM_IN_USE);
      }
      v.status = VcmStatus.INACTIVE;
      v.restartRequired |= force;
      return Optional.empty();
    }

    Optional<Code> delete(UUID uuid) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.status == VcmStatus.ACTIVE) {
        return Optional.of(Code.DELETE_WHILE_ACTIVE);
      }
      vcms.remove(uuid);
      addressChanged(v, null);
      return Optional.empty();
    }

    /** R7 and, for the properties that span the HSM's VCMs, R2 and the address rules. */
    Optional<Code> setProperty(UUID uuid, PropertyAsk ask) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      String property = ask.property();
      Optional<Boolean> flag = bool(ask.value());
      if (v.status == VcmStatus.INACTIVE) {
        if (property.equals("serial_cardreader") && flag.orElse(false)
            && vcms.values().stream().anyMatch(o -> o != v && o.serialCardreader)) {
          return Optional.of(Code.SERIAL_CARDREADER_IN_USE);
        }
        if (property.equals("ip_address")) {
          Optional<Code> address = usableFor(uuid, ask.value());
          if (address.isPresent()) {
            return address;
          }
        }
        if (property.equals("features")) {
          Optional<String> features = features(ask.value());
          if (features.isEmpty()) {
            return Optional.of(Code.INVALID_ARGUMENT);
          }
          if (!licensed.containsAll(List.of(features.get().split("\\|")))) {
            return Optional.of(Code.FEATURE_NOT_LICENSED);
          }
        }
      }
      if (v.status == VcmStatus.ACTIVE) {
        return Optional.of(Code.MODIFY_WHILE_ACTIVE);
      }
      if (v.status == VcmStatus.DISK_LIMIT_STOPPED) {
        return Optional.of(Code.DISK_LIMIT_STOPPED);
      }
      boolean isFlag = List.of("autostart", "restrict_startup", "serial_cardreader").contains(property);
      if (isFlag && flag.isEmpty()) {
        return Optional.of(Code.INVALID_ARGUMENT);
      }
      if (!ask.signer().equals(v.kTenantReq)) {
        return Optional.of(Code.INVALID_REQUEST);
      }
      String requested = ask.requested().get(property);
      if (requested == null) {
        return Optional.of(Code.PROPERTY_NOT_REQUESTED);
      }
      String value = property.equals("features") ? features(ask.value()).orElseThrow() : ask.value();
      boolean same = isFlag ? bool(requested).equals(flag)
          : property.equals("features") ? features(requested).equals(Optional.of(value)) : requested.equals(value);
      if (!same) {
        return Optional.of(Code.PROPERTY_MISMATCH);
      }
      boolean autostart = property.equals("autostart") ? flag.get() : v.autostart;
      boolean restrict = property.equals("restrict_startup") ? flag.get() : v.restrictStartup;
      if (autostart && restrict) {
        return Optional.of(Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE);
      }
      switch (property) {
        case "autostart" -> v.autostart = flag.get();
        case "restrict_startup" -> v.restrictStartup = flag.get();
        case "serial_cardreader" -> v.serialCardreader = flag.get();
        case "ip_address" -> addressChanged(v, ask.value());
        case "features" -> v.features = value;
        case "k_tenant_req" -> v.kTenantReq = value;
        default -> v.name = ask.value();
      }
      return Optional.empty();
    }

    /** Feature names joined by |, sorted and each once; empty when a name is not valid. */
    static Optional<String> features(String joined) {
      TreeSet<String> names = new TreeSet<>();
      for (String name : joined.split("\\|", -1)) {
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
          return Optional.empty();
        }
        names.add(name);
      }
      return Optional.of(String.join("|", names));
    }

    private static Optional<Boolean> bool(String value) {
      return switch (value) {
        case "true", "True" -> Optional.of(true);
        case "false", "False" -> Optional.of(false);
        default -> Optional.empty();
      };
    }

    Optional<Code> enroll(UUID uuid, int tenant) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      boolean elsewhere = vcms.values().stream()
          .anyMatch(o -> !o.uuid.equals(uuid) && Integer.valueOf(tenant).equals(o.enrolled));
      if (elsewhere) {
        return Optional.of(Code.TENANT_ALREADY_ENROLLED);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.status == VcmStatus.DISK_LIMIT_STOPPED) {
        return Optional.of(Code.DISK_LIMIT_STOPPED);
      }
      if (v.status != VcmStatus.ACTIVE) {
        return Optional.of(Code.NOT_ACTIVE);
      }
      v.enrolled = tenant;
      v.restartRequired = false;
      return Optional.empty();
    }

    Optional<Code> unenroll(UUID uuid, int tenant) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.enrolled == null) {
        return Optional.of(Code.NOT_ENROLLED);
      }
      v.enrolled = null;
      return Optional.empty();
    }

    /** What the tenant does inside its VCM needs it active and the tenant enrolled. */
    private Optional<Code> inside(Vcm v, int tenant) {
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.status == VcmStatus.DISK_LIMIT_STOPPED) {
        return Optional.of(Code.DISK_LIMIT_STOPPED);
      }
      if (v.status != VcmStatus.ACTIVE) {
        return Optional.of(Code.NOT_ACTIVE);
      }
      return v.enrolled == null ? Optional.of(Code.NOT_ENROLLED) : Optional.empty();
    }

    Optional<Code> mode(UUID uuid, int tenant, boolean maintenance) {
      Vcm v = vcms.get(uuid);
      Optional<Code> refused = inside(v, tenant);
      if (refused.isPresent()) {
        return refused;
      }
      v.maintenance = maintenance;
      return Optional.empty();
    }

    /** Tenant data; it counts as disk use, active or not. */
    /** The tenant loads its Security World; it stays across stop and start (R10). */
    Optional<Code> loadWorld(UUID uuid, int tenant) {
      Vcm v = vcms.get(uuid);
      Optional<Code> refused = inside(v, tenant);
      if (refused.isPresent()) {
        return refused;
      }
      v.worldLoaded = true;
      return Optional.empty();
    }

    /** The tenant says its hardserver was restarted after a forced stop. */
    Optional<Code> acknowledgeRestart(UUID uuid, int tenant) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.status == VcmStatus.DISK_LIMIT_STOPPED) {
        return Optional.of(Code.DISK_LIMIT_STOPPED);
      }
      if (!v.restartRequired) {
        return Optional.of(Code.INVALID_ARGUMENT);
      }
      v.restartRequired = false;
      return Optional.empty();
    }

    Optional<Code> writeData(UUID uuid, int tenant, long bytes) {
      Vcm v = vcms.get(uuid);
      Optional<Code> refused = inside(v, tenant);
      if (refused.isPresent()) {
        return refused;
      }
      if (bytes < 1 || bytes > MAX_WRITE) {
        return Optional.of(Code.INVALID_ARGUMENT);
      }
      v.dataBytes += bytes;
      return Optional.empty();
    }

    /** R11: a poll stops every VCM over the disk limit, active or not, for good; how many it stopped. */
    int poll() {
      List<Vcm> over = vcms.values().stream()
          .filter(v -> v.disk() > DISK_LIMIT && v.status != VcmStatus.DISK_LIMIT_STOPPED).toList();
      over.forEach(v -> v.status = VcmStatus.DISK_LIMIT_STOPPED);
      return over.size();
    }

    /**
     * Every active VCM stops (no restart needed: the tenant expects a reset), pending networking
     * takes effect, then the stopped autostart VCMs start in creation order up to max_active_vcms.
     * Unless forced, a reset that would stop a VCM in use is refused (R5).
     */
    Optional<Code> reset(boolean force) {
      if (!force && vcms.values().stream().anyMatch(v -> v.status == VcmStatus.ACTIVE && v.inUse())) {
        return Optional.of(Code.VCM_IN_USE);
      }
      vcms.values().stream().filter(v -> v.status == VcmStatus.ACTIVE).forEach(v -> v.status = VcmStatus.INACTIVE);
      if (pending != null) {
        network = pending;
        pending = null;
      }
      for (Vcm v : vcms.values()) {
        if (v.autostart && v.status == VcmStatus.INACTIVE && active() < maxActive()) {
          v.status = VcmStatus.ACTIVE;
        }
      }
      return Optional.empty();
    }

    /**
     * What the stats show just after a poll, VCM by VCM: an active VCM takes its base memory plus
     * its Security World and data, an inactive one none; disk counts active or not; from 80 % of
     * the limit it is approaching it.
     */
    List<String> stats() {
      return vcms.values().stream().map(v -> v.uuid + " " + v.name + " " + v.status.label() + " memory=" + memory(v)
          + " disk=" + v.disk() + " approaching=" + (v.disk() >= (long) Math.ceil(DISK_LIMIT * 0.8))).toList();
    }

    /** getenvstats: the platform's memory plus the active VCMs', and every VCM's disk. */
    String envStats() {
      return "mem_used=" + (PLATFORM_MEMORY + vcms.values().stream().mapToLong(Hsm::memory).sum())
          + " disk_used=" + vcms.values().stream().mapToLong(Vcm::disk).sum();
    }

    private static long memory(Vcm v) {
      return v.status == VcmStatus.ACTIVE ? BASE_MEMORY + (v.worldLoaded ? WORLD_MEMORY : 0) + v.dataBytes : 0;
    }

    List<Vcm> inOrder() {
      return new ArrayList<>(vcms.values());
    }
  }

  private RulesModel() {}
}
