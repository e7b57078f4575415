package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP API end to end on a real daemon (LevelDB, loopback): the provider's and the
 * tenant's paths, and how both are authenticated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class HttpApiTest {

  private Daemon daemon;
  private ApiClient api;
  private String esn;
  private Answer licenced;
  private Answer networked;
  private Answer reset;

  @BeforeAll
  void start() {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("http-api").root(), 0, List.of(), Duration.ofHours(1), null,
        new PrintStream(OutputStream.nullOutputStream()));
    api = new ApiClient(daemon.url(), daemon.tokenFile());
    esn = daemon.orchestrator().esns().get(0);
    // The HSM is provisioned through the API itself; provisioningAnswers checks the answers.
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, 50, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    licenced = api.post("/v1/hsm/licence", json("licence", b64(licence)));
    networked = api.post("/v1/hsm/network", json("ipv4", "10.20.0.0/24"));
    reset = api.post("/v1/hsm/reset", "");
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  @Test
  void provisioningAnswers() {
    licenced.ok();
    assertTrue(licenced.json().get("multi_tenant").asBoolean());
    assertEquals(50, licenced.json().get("max_active_vcms").asInt());
    networked.ok();
    assertEquals("ipv4 10.20.0.0/24", networked.json().get("pending_network").asText());
    reset.ok();
    assertEquals("ipv4 10.20.0.0/24", reset.json().at("/info/network").asText());
    assertTrue(reset.json().at("/info/pending_network").isNull());
    assertTrue(reset.json().get("not_started").isObject());

    Answer hsms = api.get("/v1/hsms").ok();
    assertEquals(List.of(esn), texts(hsms.json().get("hsms")));
    Instant.parse(hsms.json().get("time").asText());
    Answer info = api.get("/v1/hsm/info?esn=" + esn.toLowerCase()).ok();
    assertEquals(esn, info.json().get("esn").asText());
    assertEquals("mid", info.json().get("speed_rating").asText());
    Answer env = api.get("/v1/hsm/envstats").ok();
    assertTrue(env.json().get("mem_total").asLong() > env.json().get("mem_used").asLong());
    assertEquals("vcm-orchestrator", env.headers().firstValue("Server").orElseThrow());
    assertEquals("application/json", env.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void checkRequestSaysAcceptedOrTheRefusalAndChangesNothing() {
    TestTenant tenant = new TestTenant();
    String uuid = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
        "name", "asked")).ok().json().get("uuid").asText();
    String before = api.get("/v1/vcms/" + uuid).ok().json().toString();
    byte[] good = tenant.propertiesRequest(java.util.UUID.fromString(uuid), Map.of("name", "asked2"), Instant.now());

    JsonNode accepted = api.post("/v1/vcms/" + uuid + "/check-request", json("request", b64(good))).ok().json();
    assertTrue(accepted.get("accepted").asBoolean(), accepted::toString);
    assertTrue(accepted.get("refusal").isNull(), accepted::toString);
    assertEquals("properties", accepted.get("kind").asText());
    assertEquals(esn, accepted.get("esn").asText());
    assertEquals("module time of HSM " + esn, accepted.get("clock").asText());

    byte[] stranger = new TestTenant().propertiesRequest(java.util.UUID.fromString(uuid), Map.of("name", "x"),
        Instant.now());
    JsonNode refused = api.post("/v1/vcms/" + uuid + "/check-request", json("request", b64(stranger))).ok().json();
    assertFalse(refused.get("accepted").asBoolean(), refused::toString);
    assertEquals("INVALID_REQUEST", refused.at("/refusal/code").asText());
    assertTrue(refused.at("/refusal/message").asText().contains("not by the VCM's current k_tenant_req"),
        refused::toString);

    api.post("/v1/vcms/" + uuid + "/check-request", json("request", b64(good), "extra", 1))
        .refused(400, "INVALID_ARGUMENT");
    api.get("/v1/vcms/" + uuid + "/check-request").refused(405, "METHOD_NOT_ALLOWED");
    assertEquals(before, api.get("/v1/vcms/" + uuid).ok().json().toString(), "checking changed nothing");
  }

  @Test
  void vcmLifecycleAsProviderAndTenant() {
    TestTenant tenant = new TestTenant();
    Answer created = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
        "name", "happy", "features", null)).ok();
    String uuid = created.json().get("uuid").asText();
    assertEquals(esn, created.json().get("esn").asText());
    assertTrue(created.json().get("ip_address").asText().startsWith("10.20.0."));
    assertEquals("vcm-" + uuid + ".config", created.json().get("config_file_name").asText());
    assertTrue(Base64.getDecoder().decode(created.json().get("config").asText()).length > 0);
    assertTrue(created.json().get("differences").isArray());
    assertEquals("inactive", created.json().at("/vcm/state").asText());
    assertEquals("happy", created.json().at("/vcm/name").asText());

    Answer shown = api.get("/v1/vcms/" + uuid).ok();
    assertEquals(tenant.fingerprint(), shown.json().get("tenant").asText());
    assertEquals(tenant.requestKeyEncoded(), shown.json().at("/properties/k_tenant_req").asText());
    assertTrue(texts(api.get("/v1/vcms").ok().json().findValues("uuid")).contains(uuid));

    assertEquals("active", api.post("/v1/vcms/" + uuid + "/start", "").ok().json().get("state").asText());
    Answer enrolled = api.tenant(tenant, "enroll", uuid, "{}").ok();
    assertTrue(enrolled.json().get("enrolled").asBoolean());
    assertEquals(tenant.fingerprint(), enrolled.json().get("enrolled_by").asText());
    api.tenant(tenant, "world-load", uuid, "").ok();
    api.tenant(tenant, "data-write", uuid, "{\"bytes\": 4096}").ok();

    // Rules refuse with 409 and change nothing.
    api.post("/v1/vcms/" + uuid + "/delete", json("force", true)).refused(409, "DELETE_WHILE_ACTIVE");
    api.post("/v1/vcms/" + uuid + "/stop", "{}").refused(409, "VCM_IN_USE");
    assertEquals("active", api.get("/v1/vcms/" + uuid).ok().json().get("state").asText());

    Answer stopped = api.post("/v1/vcms/" + uuid + "/stop", json("force", true)).ok();
    assertEquals("inactive", stopped.json().get("state").asText());
    assertTrue(stopped.json().get("hardserver_restart_required").asBoolean());
    assertTrue(stopped.json().get("enrolled").asBoolean());

    JsonNode stats = api.get("/v1/stats").ok().json().get("stats");
    JsonNode mine = find(stats, uuid);
    assertEquals("happy", mine.get("name").asText());
    assertEquals("inactive", mine.get("state").asText());
    assertTrue(mine.has("memory_bytes") && mine.has("disk_bytes") && mine.has("collected_at"));

    assertEquals("deleted", api.post("/v1/vcms/" + uuid + "/delete", "").ok().json().get("state").asText());

    JsonNode events = api.get("/v1/vcms/" + uuid + "/history").ok().json().get("events");
    List<String> names = new ArrayList<>();
    events.forEach(e -> names.add(e.get("event").asText()));
    assertEquals(List.of("VcmCreated", "VcmStarted", "TenantEnrolled", "SecurityWorldLoaded", "TenantDataWritten",
        "VcmStopped", "VcmDeleted"), names);
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i + 1, events.get(i).get("seq").asLong());
    }
    assertEquals("provider:admin", events.get(0).get("by").asText());
    assertFalse(events.get(0).get("request_digest").isNull());
    assertEquals("tenant:" + tenant.fingerprint(), events.get(2).get("by").asText());
  }

  @Test
  void aTenantCannotActOnAnotherTenantsVcm() {
    String uuid = activeVcm(new TestTenant());
    TestTenant intruder = new TestTenant();
    Answer refused = api.tenant(intruder, "enroll", uuid, "{}").refused(403, "NOT_YOUR_VCM");
    assertTrue(refused.message().contains(uuid));
    assertFalse(api.get("/v1/vcms/" + uuid).ok().json().get("enrolled").asBoolean());
  }

  @Test
  void aReplayedTenantCallIsRefused() {
    TestTenant tenant = new TestTenant();
    String uuid = activeVcm(tenant);
    String path = "/v1/tenant/vcms/" + uuid + "/enroll";
    Map<String, String> signed = TenantCall.sign(tenant.sshadmin, "POST", path, new byte[0], Instant.now());
    api.send("POST", path, "", signed).ok();
    api.tenant(tenant, "unenroll", uuid, "").ok();

    api.send("POST", path, "", signed).refused(401, ApiError.REPLAYED_CALL);
    assertFalse(api.get("/v1/vcms/" + uuid).ok().json().get("enrolled").asBoolean());
  }

  @Test
  void aStaleTenantCallIsRefused() {
    TestTenant tenant = new TestTenant();
    String uuid = activeVcm(tenant);
    api.tenant(tenant, "enroll", uuid, "{}", Instant.now().minus(Duration.ofMinutes(6))).refused(401, ApiError.STALE_CALL);
    api.tenant(tenant, "enroll", uuid, "{}", Instant.now().plus(Duration.ofMinutes(6))).refused(401, ApiError.STALE_CALL);
    assertFalse(api.get("/v1/vcms/" + uuid).ok().json().get("enrolled").asBoolean());
    api.tenant(tenant, "enroll", uuid, "{}", Instant.now().plus(Duration.ofMinutes(4))).ok();
  }

  @Test
  void anUnsignedOrAlteredTenantCallIsRefused() {
    TestTenant tenant = new TestTenant();
    String uuid = activeVcm(tenant);
    String path = "/v1/tenant/vcms/" + uuid + "/data-write";
    byte[] body = "{\"bytes\": 10}".getBytes(StandardCharsets.UTF_8);

    Answer unsigned = api.send("POST", path, "{}", Map.of()).refused(401, ApiError.UNAUTHORIZED);
    assertTrue(unsigned.message().contains(TenantCall.SIGNATURE), unsigned.message());
    // The admin token is no tenant credential.
    api.send("POST", path, "{}", Map.of("Authorization", "Bearer " + token())).refused(401, ApiError.UNAUTHORIZED);

    Map<String, String> signed = TenantCall.sign(tenant.sshadmin, "POST", path, body, Instant.now());
    api.send("POST", path, "{\"bytes\": 99999}", signed).refused(401, ApiError.BAD_SIGNATURE);
    String otherVcm = "/v1/tenant/vcms/" + activeVcm(tenant) + "/data-write";
    api.send("POST", otherVcm, "{\"bytes\": 10}", signed).refused(401, ApiError.BAD_SIGNATURE);

    Map<String, String> wrongKey = new java.util.HashMap<>(TenantCall.sign(tenant.sshadmin, "POST", path, body,
        Instant.now()));
    wrongKey.put(TenantCall.KEY, new TestTenant().requestKeyEncoded());
    api.send("POST", path, "{\"bytes\": 10}", wrongKey).refused(401, ApiError.BAD_SIGNATURE);
    Map<String, String> badKey = new java.util.HashMap<>(signed);
    badKey.put(TenantCall.KEY, "bm90IGEga2V5");
    api.send("POST", path, "{\"bytes\": 10}", badKey).refused(401, ApiError.UNAUTHORIZED);

    JsonNode vcm = api.get("/v1/vcms/" + uuid).ok().json();
    assertEquals(List.of("VcmCreated", "VcmStarted"), texts(api.get("/v1/vcms/" + uuid + "/history").ok()
        .json().findValues("event")));
    assertFalse(vcm.get("enrolled").asBoolean());
  }

  @Test
  void providerCallsNeedTheAdminToken() {
    Answer missing = api.send("GET", "/v1/hsm/info", null, Map.of()).refused(401, ApiError.UNAUTHORIZED);
    assertTrue(missing.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    String pendingBefore = api.get("/v1/hsm/info").ok().json().get("pending_network").toString();
    int vcmsBefore = api.get("/v1/vcms").ok().json().get("vcms").size();

    String wrong = "Bearer " + "0".repeat(64);
    api.send("POST", "/v1/hsm/network", "{\"ipv4\": \"10.99.0.0/24\"}", Map.of("Authorization", wrong))
        .refused(401, ApiError.UNAUTHORIZED);
    api.send("POST", "/v1/hsm/reset", "", Map.of("Authorization", "Bearer " + token() + "x"))
        .refused(401, ApiError.UNAUTHORIZED);
    api.send("POST", "/v1/hsm/reset", "", Map.of("Authorization", "Basic " + token()))
        .refused(401, ApiError.UNAUTHORIZED);
    byte[] request = new TestTenant().createRequest(Map.of(), Instant.now());
    api.send("POST", "/v1/vcms", json("request", b64(request)).toString(), Map.of())
        .refused(401, ApiError.UNAUTHORIZED);

    assertEquals(pendingBefore, api.get("/v1/hsm/info").ok().json().get("pending_network").toString());
    assertEquals(vcmsBefore, api.get("/v1/vcms").ok().json().get("vcms").size());
  }

  private String activeVcm(TestTenant tenant) {
    String uuid = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())), "name", "t"))
        .ok().json().get("uuid").asText();
    api.post("/v1/vcms/" + uuid + "/start", "{}").ok();
    return uuid;
  }

  private String token() {
    try {
      return java.nio.file.Files.readString(daemon.tokenFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode find(JsonNode array, String uuid) {
    for (JsonNode n : array) {
      if (uuid.equals(n.get("uuid").asText())) {
        return n;
      }
    }
    throw new AssertionError("no " + uuid + " in " + array);
  }

  private static List<String> texts(Iterable<JsonNode> nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.asText()));
    return out;
  }
}
