package io.vcmctl.orchestrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.EnvStats;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.hsm.Network;
import io.vcmctl.orchestrator.DeletedVcm;
import io.vcmctl.orchestrator.HistoryEntry;
import io.vcmctl.orchestrator.access.Operator;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestCheck;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The JSON shapes of the HTTP API and of the command lines' {@code --json} output: one place,
 * stable snake_case keys, the names SPEC §7 gives.
 */
public final class JsonViews {

  public static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final Pattern SNAKE = Pattern.compile("([a-z0-9])([A-Z])");

  private JsonViews() {}

  public static ObjectNode info(HsmInfo i) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("esn", i.esn());
    o.put("speed_rating", i.speedRating().label());
    o.put("multi_tenant", i.multiTenant());
    o.put("max_creatable_vcms", i.maxCreatableVcms());
    o.put("max_active_vcms", i.maxActiveVcms());
    o.put("vcms_created", i.vcmsCreated());
    o.put("vcms_active", i.vcmsActive());
    o.put("vcms_recovering", i.vcmsRecovering());
    o.put("network", network(i.network()));
    o.put("pending_network", network(i.pendingNetwork()));
    o.put("features", String.join("|", i.features()));
    o.put("module_time", i.moduleTime().toString());
    o.put("module_key_fingerprint", i.moduleKeyFingerprint());
    i.licencesNotTrusted().forEach(o.putArray("licences_not_trusted")::add);
    ObjectNode unlicensed = o.putObject("unlicensed_features_in_use");
    i.unlicensedFeaturesInUse().forEach((feature, vcms) -> {
      var users = unlicensed.putArray(feature);
      vcms.forEach(u -> users.add(u.toString()));
    });
    return o;
  }

  /** {@code ipv4 10.0.0.0/24}, {@code ipv6 2001:db8::/64}, {@code ipv6-link-local fe80::/64}, or null. */
  public static String network(Network n) {
    return n == null ? null : n.toString();
  }

  public static ObjectNode envStats(EnvStats s) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("mem_total", s.memTotal());
    o.put("mem_used", s.memUsed());
    o.put("disk_used", s.diskUsed());
    return o;
  }

  /** {@code vcmadmin show --json UUID}: state, properties, and the tenant-side facts. */
  public static ObjectNode vcm(VcmView v) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("uuid", v.uuid().toString());
    o.put("name", v.properties().name());
    o.put("state", v.status().label());
    o.set("properties", properties(v.properties()));
    TenantFacts f = v.facts();
    o.put("enrolled", f.enrolled());
    o.put("enrolled_by", f.enrolledBy());
    o.put("security_world_loaded", f.securityWorldLoaded());
    o.put("mode", f.mode().label());
    o.put("audit_log", f.auditLog().label());
    o.put("hardserver_restart_required", f.hardserverRestartRequired());
    o.put("tenant", v.tenant());
    o.put("created_at", v.createdAt().toString());
    if (v.unchanged() != null) {
      o.put("unchanged", v.unchanged());
    }
    return o;
  }

  public static ObjectNode pkcs11(VcmRuntime.Pkcs11Access access) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("p11_kit_server_address", access.serverAddress());
    o.put("client_module", access.clientModule());
    return o;
  }

  public static ObjectNode properties(VcmProperties p) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("autostart", p.autostart());
    o.put("restrict_startup", p.restrictStartup());
    o.put("serial_cardreader", p.serialCardreader());
    o.put("features", String.join("|", p.features()));
    o.put("name", p.name());
    o.put("ip_address", p.ipAddress());
    o.put("k_tenant_req", p.kTenantReq());
    o.put("k_tenant_req_fingerprint", PublicKeys.fingerprint(p.kTenantReq()));
    return o;
  }

  public static ObjectNode vcms(List<VcmView> views) {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode a = o.putArray("vcms");
    views.forEach(v -> a.add(vcm(v)));
    return o;
  }

  /**
   * {@code vcmadmin create --json}: the uuid, the address, the configuration file (its bytes,
   * base64, for the client to write) and every property that differs from the request.
   */
  public static ObjectNode created(HsmEntity.CreatedVcm c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("uuid", c.view().uuid().toString());
    o.put("ip_address", c.view().properties().ipAddress());
    o.put("esn", c.esn());
    o.put("config_file_name", configFileName(c.view().uuid()));
    o.put("config", Base64.getEncoder().encodeToString(c.tenantConfig()));
    ArrayNode d = o.putArray("differences");
    for (VcmEntity.PropertyDifference diff : c.differences()) {
      ObjectNode x = d.addObject();
      x.put("property", diff.property());
      x.put("requested", diff.requested());
      x.put("actual", diff.actual());
    }
    o.set("vcm", vcm(c.view()));
    return withWarnings(o, c.warnings());
  }

  /** The operator guide's advice a command went against, as {@code warnings} (always present, maybe empty). */
  public static ObjectNode withWarnings(ObjectNode reply, List<String> warnings) {
    ArrayNode w = reply.putArray("warnings");
    warnings.forEach(w::add);
    return reply;
  }

  public static String configFileName(UUID vcm) {
    return "vcm-" + vcm + ".config";
  }

  public static ObjectNode reset(HsmEntity.ResetOutcome r) {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode stopped = o.putArray("stopped");
    r.stopped().forEach(u -> stopped.add(u.toString()));
    ArrayNode started = o.putArray("started");
    r.started().forEach(u -> started.add(u.toString()));
    ObjectNode notStarted = o.putObject("not_started");
    r.notStarted().forEach((u, why) -> notStarted.put(u.toString(), why));
    o.set("info", info(r.info()));
    return o;
  }

  /**
   * {@code vcmadmin stats --json}: one entry per VCM with the time each figure was collected, and
   * whether any poll has reported since the daemon started (before that the figures are placeholders).
   */
  public static ObjectNode stats(HsmEntity.StoredStats stored) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("collected_since_start", stored.collectedSinceStart());
    ArrayNode a = o.putArray("stats");
    for (HsmEntity.VcmStats s : stored.vcms()) {
      ObjectNode x = a.addObject();
      x.put("uuid", s.uuid().toString());
      x.put("name", s.name());
      x.put("state", s.status() == null ? null : s.status().label());
      x.put("memory_bytes", s.memoryBytes());
      x.put("disk_bytes", s.diskBytes());
      x.put("cpu_seconds", s.cpuSeconds());
      x.put("collected_at", s.collectedAt() == null ? null : s.collectedAt().toString());
      x.put("answering", s.answering());
      x.put("approaching_disk_limit", s.approachingDiskLimit());
    }
    return o;
  }

  /** {@code vcmadmin history --json}: the VCM's events in order. */
  public static ObjectNode history(UUID vcm, List<HistoryEntry> entries) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("uuid", vcm.toString());
    o.set("events", events(entries));
    return o;
  }

  /** History entries in order, each with its {@code details} as an object (VCM and HSM histories alike). */
  public static ArrayNode events(List<HistoryEntry> entries) {
    ArrayNode a = MAPPER.createArrayNode();
    for (HistoryEntry e : entries) {
      ObjectNode x = a.addObject();
      x.put("seq", e.sequenceNr());
      x.put("at", e.at().toString());
      x.put("event", e.event());
      x.put("by", e.by().toString());
      x.put("request_digest", e.requestDigest());
      x.set("details", snakeCase(details(e.details())));
    }
    return a;
  }

  private static JsonNode details(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Written by the facade from the event itself; kept as text rather than lost.
      return MAPPER.getNodeFactory().textNode(json);
    }
  }

  /** The event's fields under the API's snake_case names ({@code kTenantReq}: {@code k_tenant_req}), at any depth. */
  static JsonNode snakeCase(JsonNode node) {
    if (node.isArray()) {
      ArrayNode a = MAPPER.createArrayNode();
      node.forEach(item -> a.add(snakeCase(item)));
      return a;
    }
    if (!node.isObject()) {
      return node;
    }
    ObjectNode o = MAPPER.createObjectNode();
    node.properties().forEach(field -> o.set(SNAKE.matcher(field.getKey()).replaceAll("$1_$2").toLowerCase(Locale.ROOT),
        snakeCase(field.getValue())));
    return o;
  }

  /** {@code GET /v1/vcms/deleted}: each deleted VCM as its history left it. */
  public static ObjectNode deleted(List<DeletedVcm> deleted) {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode a = o.putArray("vcms");
    for (DeletedVcm d : deleted) {
      ObjectNode x = a.addObject();
      x.put("uuid", d.uuid().toString());
      x.put("name", d.name());
      x.put("state", "deleted");
      x.putObject("properties").put("ip_address", d.ipAddress());
      x.put("created_at", d.createdAt().toString());
      x.put("deleted_at", d.deletedAt().toString());
      x.put("deleted_by", d.deletedBy().toString());
    }
    return o;
  }

  /** A refusal as the API returns it: a stable code and the one-line message. */
  public static ObjectNode error(String code, String message) {
    ObjectNode o = MAPPER.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    return o;
  }

  public static ObjectNode error(Refusal r) {
    return error(r.code().name(), r.getMessage());
  }

  public static ObjectNode esns(List<String> esns, Instant now) {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode a = o.putArray("hsms");
    esns.forEach(a::add);
    o.put("time", now.toString());
    return o;
  }

  /** {@code POST /v1/vcms/{uuid}/check-request}: accepted, or the refusal the VCM would give, and by which clock. */
  public static ObjectNode checkedRequest(Orchestrator.CheckedRequest c) {
    RequestCheck.Verdict v = c.verdict();
    ObjectNode o = MAPPER.createObjectNode();
    o.put("uuid", c.uuid().toString());
    o.put("esn", c.esn());
    o.put("kind", v.kind() == null ? null : v.kind().wireName());
    o.put("digest", v.digest());
    o.put("signer", v.signer());
    o.put("k_tenant_req_fingerprint", v.expectedSigner());
    o.put("clock", "module time of HSM " + c.esn());
    o.put("module_time", v.moduleNow().toString());
    o.put("accepted", v.accepted());
    if (v.accepted()) {
      o.putNull("refusal");
    } else {
      o.set("refusal", error(v.refusal()).get("error"));
    }
    return o;
  }

  /** An operator as the API and the command lines show it: never its token or hash. */
  public static ObjectNode operator(Operator op) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", op.name());
    o.put("role", op.role().label());
    o.put("state", op.active() ? "active" : "revoked");
    o.put("created_at", op.createdAt().toString());
    o.put("revoked_at", op.revokedAt() == null ? null : op.revokedAt().toString());
    return o;
  }
}
