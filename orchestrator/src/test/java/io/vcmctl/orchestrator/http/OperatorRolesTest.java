package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.access.Permission;
import io.vcmctl.orchestrator.access.Role;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Named operators on a real daemon: every provider endpoint called with each role's token.
 * Allowed calls work; the others are refused with one line naming the role needed, are
 * recorded in the access log, and change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class OperatorRolesTest {

  /** One provider endpoint: its call, with {@code {uuid}} and {@code {victim}} filled in per role. */
  private record Endpoint(String method, String path, String body, Permission needs) {}

  private Daemon daemon;
  private ApiClient admin;
  private String licence;

  @BeforeAll
  void start() {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("operator-roles").root(), 0, List.of(), Duration.ofHours(1),
        null, new PrintStream(OutputStream.nullOutputStream()));
    admin = new ApiClient(daemon.url(), daemon.tokenFile());
    String esn = daemon.orchestrator().esns().get(0);
    licence = b64(Licence.of(esn, true, SpeedRating.MID, 50, List.of(), Instant.now()).sign(DemoVendor.keyPair()));
    admin.post("/v1/hsm/licence", json("licence", licence)).ok();
    admin.post("/v1/hsm/network", json("ipv4", "10.30.0.0/24")).ok();
    admin.post("/v1/hsm/reset", "").ok();
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  /** Every endpoint a provider calls, in an order each allowed role can run through. */
  private List<Endpoint> endpoints() {
    String request = b64(new TestTenant().createRequest(Map.of(), Instant.now()));
    return List.of(
        new Endpoint("GET", "/v1/hsms", null, Permission.READ),
        new Endpoint("GET", "/v1/hsm/info", null, Permission.READ),
        new Endpoint("GET", "/v1/hsm/envstats", null, Permission.READ),
        new Endpoint("GET", "/v1/vcms", null, Permission.READ),
        new Endpoint("GET", "/v1/vcms/{uuid}", null, Permission.READ),
        new Endpoint("GET", "/v1/stats", null, Permission.READ),
        new Endpoint("GET", "/v1/stats/poller", null, Permission.READ),
        new Endpoint("GET", "/v1/version", null, Permission.READ),
        new Endpoint("GET", "/metrics", null, Permission.READ),
        new Endpoint("GET", "/v1/vcms/deleted", null, Permission.READ),
        new Endpoint("POST", "/v1/vcms/{uuid}/check-request", json("request", request).toString(), Permission.READ),
        new Endpoint("GET", "/v1/vcms/{uuid}/history", null, Permission.HISTORY),
        new Endpoint("GET", "/v1/hsm/history", null, Permission.HISTORY),
        new Endpoint("GET", "/v1/hsm/audit", null, Permission.AUDIT_EXPORT),
        new Endpoint("GET", "/v1/operators/log", null, Permission.AUDIT_EXPORT),
        new Endpoint("GET", "/v1/operators", null, Permission.OPERATORS),
        new Endpoint("POST", "/v1/hsm/licence", json("licence", licence).toString(), Permission.LICENCES),
        new Endpoint("POST", "/v1/hsm/network", json("ipv4", "10.30.0.0/24").toString(), Permission.NETWORK),
        new Endpoint("POST", "/v1/hsm/time", "{}", Permission.CLOCK),
        new Endpoint("POST", "/v1/vcms", json("request", request, "name", "made").toString(), Permission.VCM_LIFECYCLE),
        new Endpoint("POST", "/v1/vcms/{uuid}/start", "{}", Permission.VCM_LIFECYCLE),
        new Endpoint("POST", "/v1/vcms/{uuid}/stop", "{}", Permission.VCM_LIFECYCLE),
        new Endpoint("POST", "/v1/vcms/{uuid}/properties", json("request", request, "property", "name", "value", "x")
            .toString(), Permission.VCM_LIFECYCLE),
        new Endpoint("POST", "/v1/vcms/{uuid}/delete", "{}", Permission.VCM_LIFECYCLE),
        new Endpoint("POST", "/v1/hsm/reset", "", Permission.RESET),
        new Endpoint("POST", "/v1/hsms", json("esn", "0000-0000-0001").toString(), Permission.FLEET),
        new Endpoint("POST", "/v1/operators", json("name", "{victim}-new", "role", "auditor").toString(),
            Permission.OPERATORS),
        new Endpoint("POST", "/v1/operators/{victim}/rotate", "{}", Permission.OPERATORS),
        new Endpoint("POST", "/v1/operators/{victim}/revoke", "{}", Permission.OPERATORS));
  }

  @Test
  void eachRoleGetsExactlyItsEndpointsAndEveryRefusalIsRecordedAndChangesNothing() {
    Set<Permission> covered = EnumSet.noneOf(Permission.class);
    endpoints().forEach(e -> covered.add(e.needs()));
    assertEquals(EnumSet.allOf(Permission.class), covered, "an endpoint for every permission");
    for (Role role : Role.values()) {
      String name = "r-" + role.label();
      ApiClient caller = new ApiClient(daemon.url(), add(name, role));
      String uuid = createVcm();
      String victim = name + "-victim";
      add(victim, Role.AUDITOR);
      for (Endpoint e : endpoints()) {
        String path = e.path().replace("{uuid}", uuid).replace("{victim}", victim);
        String body = e.body() == null ? null : e.body().replace("{victim}", victim);
        String before = state();
        int logged = admin.get("/v1/operators/log").ok().json().get("entries").size();
        Answer answer = caller.send(e.method(), path, body, Map.of("Authorization", "Bearer " + caller.token(),
            "Content-Type", "application/json"));
        String call = role.label() + " " + e.method() + " " + path;
        if (role.allows(e.needs())) {
          assertNotEquals(401, answer.status(), call + ": " + answer.raw());
          assertNotEquals(403, answer.status(), call + ": " + answer.raw());
          // These are a rule's refusal, not a role's: the request names no such change, the
          // check finds a create request for a start, and one process cannot add an HSM.
          if (!path.endsWith("/properties") && !path.endsWith("/check-request") && !path.equals("/v1/hsms")) {
            assertEquals(200, answer.status(), call + ": " + answer.raw());
          }
          continue;
        }
        answer.refused(403, OperatorAuth.ROLE_NOT_ALLOWED);
        assertEquals(e.needs().what() + " needs the role " + Role.needed(e.needs()) + "; operator " + name
            + " has the role " + role.label(), answer.message(), call);
        assertEquals(before, state(), call + " changed something");
        JsonNode entries = admin.get("/v1/operators/log").ok().json().get("entries");
        assertEquals(logged + 1, entries.size(), call + " was not recorded");
        JsonNode last = entries.get(entries.size() - 1);
        assertEquals("provider:" + name, last.get("by").asText(), call);
        assertEquals("refused", last.get("outcome").asText(), call);
        assertEquals(e.method() + " " + path, last.get("what").asText(), call);
        assertEquals(Role.needed(e.needs()), last.get("needed").asText(), call);
      }
    }
  }

  @Test
  void theRoleTableIsTheOneOfTheOperatorGuide() {
    assertEquals("admin", Role.needed(Permission.LICENCES));
    assertEquals("admin", Role.needed(Permission.NETWORK));
    assertEquals("admin", Role.needed(Permission.RESET));
    assertEquals("admin", Role.needed(Permission.CLOCK));
    assertEquals("admin", Role.needed(Permission.OPERATORS));
    assertEquals("admin or operator", Role.needed(Permission.VCM_LIFECYCLE));
    assertEquals("admin or auditor", Role.needed(Permission.AUDIT_EXPORT));
    assertEquals("admin or auditor or operator", Role.needed(Permission.HISTORY));
    assertEquals("admin or auditor or operator", Role.needed(Permission.READ));
  }

  @Test
  void aRotatedOrRevokedTokenIsRefusedAtOnce() {
    String first = add("rotating", Role.OPERATOR);
    ApiClient before = new ApiClient(daemon.url(), first);
    before.get("/v1/hsms").ok();
    String second = admin.post("/v1/operators/rotating/rotate", "{}").ok().json().get("token").asText();
    assertNotEquals(first, second);
    before.get("/v1/hsms").refused(401, ApiError.UNAUTHORIZED);
    ApiClient after = new ApiClient(daemon.url(), second);
    after.get("/v1/hsms").ok();

    JsonNode revoked = admin.post("/v1/operators/rotating/revoke", "{}").ok().json();
    assertEquals("revoked", revoked.get("state").asText());
    after.get("/v1/hsms").refused(401, ApiError.UNAUTHORIZED);
    admin.post("/v1/operators/rotating/rotate", "{}").refused(409, OperatorRoutes.OPERATOR_REFUSED);
    admin.post("/v1/operators", json("name", "rotating", "role", "auditor")).refused(409,
        OperatorRoutes.OPERATOR_REFUSED);
  }

  @Test
  void theHistoryAndTheDaemonLogNameTheOperatorWhoActed() {
    ApiClient olga = new ApiClient(daemon.url(), add("olga", Role.OPERATOR));
    TestTenant tenant = new TestTenant();
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(CommandLog.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    String uuid;
    try {
      uuid = olga.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
          "name", "olgas")).ok().json().get("uuid").asText();
      olga.post("/v1/vcms/" + uuid + "/start", "").ok();
      admin.post("/v1/vcms/" + uuid + "/stop", "").ok();
    } finally {
      log.detachAppender(lines);
    }
    assertEquals(List.of("create by provider:olga on VCM " + uuid + ": ok",
        "start by provider:olga on VCM " + uuid + ": ok", "stop by provider:admin on VCM " + uuid + ": ok"),
        lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    List<String> by = new ArrayList<>();
    new ApiClient(daemon.url(), add("audrey", Role.AUDITOR)).get("/v1/vcms/" + uuid + "/history").ok().json()
        .get("events").forEach(e -> by.add(e.get("event").asText() + " " + e.get("by").asText()));
    assertEquals(List.of("VcmCreated provider:olga", "VcmStarted provider:olga", "VcmStopped provider:admin"), by);
  }

  @Test
  void badOperatorInputIsOneLineAndChangesNothing() {
    admin.post("/v1/operators", json("name", "Bad Name", "role", "auditor")).refused(400, "INVALID_ARGUMENT");
    admin.post("/v1/operators", json("name", "fine", "role", "root")).refused(400, "INVALID_ARGUMENT");
    admin.post("/v1/operators", json("name", "fine", "role", "auditor", "token", "mine")).refused(400,
        "INVALID_ARGUMENT");
    admin.post("/v1/operators/nobody/rotate", "{}").refused(404, "NOT_FOUND");
    assertTrue(admin.get("/v1/operators").ok().json().findValues("name").stream()
        .noneMatch(n -> n.asText().equals("fine")));
  }

  private String add(String name, Role role) {
    return admin.post("/v1/operators", json("name", name, "role", role.label())).ok().json().get("token").asText();
  }

  private String createVcm() {
    String request = b64(new TestTenant().createRequest(Map.of(), Instant.now()));
    return admin.post("/v1/vcms", json("request", request, "name", "target")).ok().json().get("uuid").asText();
  }

  /** What a refused call must leave as it was: the VCMs, the HSM's settings and the operators. */
  private String state() {
    JsonNode info = admin.get("/v1/hsm/info").ok().json();
    ((com.fasterxml.jackson.databind.node.ObjectNode) info).remove("module_time");
    return admin.get("/v1/vcms").ok().json() + "\n" + info + "\n" + admin.get("/v1/operators").ok().json();
  }
}
