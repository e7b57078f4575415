package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash loop: a workload of commands over HTTP against {@code bin/orchestrator serve} as a
 * process, killed with {@code kill -9} at random moments and restarted on the same data
 * directory. After every restart each command the client saw acknowledged must be in the state
 * and in the history, once, and the HSM's invariants must hold. The command the kill cut off may
 * or may not have happened, but not half and not twice.
 *
 * <p>{@code -Dcrash.kills=N -Dcrash.seed=S} set the run; {@code bench/crash-loop} runs the long
 * version. The seed is printed so that a failure can be replayed.
 */
class CrashLoopTest {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final int MAX_ACTIVE = 4;

  @TempDir
  Path work;

  private final long seed = Long.getLong("crash.seed", System.nanoTime());
  private final int kills = Integer.getInteger("crash.kills", 2);
  private final Random random = new Random(seed);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final List<TestTenant> tenants = List.of(new TestTenant(), new TestTenant(), new TestTenant());
  /** What the client knows of every VCM it saw created, by uuid. */
  private final Map<String, Known> vcms = new LinkedHashMap<>();
  private ServeProcess server;
  private String token;
  private int acknowledged;
  private int names;

  /** A VCM as acknowledged: its owner, state, enrolment and the events its commands recorded. */
  private static final class Known {
    final String name;
    final TestTenant tenant;
    String state = "inactive";
    boolean enrolled;
    final List<String> events = new ArrayList<>(List.of("VcmCreated"));

    Known(String name, TestTenant tenant) {
      this.name = name;
      this.tenant = tenant;
    }
  }

  /** The command the kill may have cut off: what it would have changed, had it happened. */
  private record InFlight(String uuid, String name, TestTenant tenant, String event, String state, Boolean enrolled) {}

  @Test
  void everyAcknowledgedCommandSurvivesKillNine() throws Exception {
    System.out.println("crash-loop: seed " + seed + " (replay with -Dcrash.seed=" + seed + "), " + kills + " kills");
    Path data = work.resolve("data");
    start(data);
    String esn = call("GET", "/v1/hsms", null).json.path("hsms").get(0).asText();
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, MAX_ACTIVE, List.of(), Instant.now())
        .sign(DemoVendor.keyPair());
    expectOk(call("POST", "/v1/hsm/licence", json("licence", Base64.getEncoder().encodeToString(licence))));
    expectOk(call("POST", "/v1/hsm/network", json("ipv4", "10.30.0.0/24")));
    expectOk(call("POST", "/v1/hsm/reset", ""));

    int checked = 0;
    for (int k = 1; k <= kills; k++) {
      InFlight cut = runUntilKilled();
      start(data);
      checked = check(cut, "after kill " + k);
    }
    server.stop();
    System.out.println("crash-loop: " + kills + " kills survived, " + acknowledged + " acknowledged commands,"
        + " all " + checked + " VCMs' state and history checked after every restart (seed " + seed + ")");
  }

  /** Starts the daemon; its admin token changes at every start. */
  private void start(Path data) throws IOException {
    server = ServeProcess.start(work, data, START_TIMEOUT, Map.of());
    token = Files.readString(data.resolve("admin.token"), StandardCharsets.US_ASCII).strip();
  }

  /**
   * Runs commands until a kill at a random moment cuts one off; returns that one, or null when the
   * kill fell between two commands.
   */
  private InFlight runUntilKilled() throws InterruptedException {
    AtomicBoolean killed = new AtomicBoolean();
    long delayMillis = 300 + random.nextInt(2500);
    CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
      killed.set(true);
      server.process.destroyForcibly();
    }, CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
    InFlight cut = null;
    while (!killed.get()) {
      InFlight next = nextCommand();
      Answer a = send(next);
      if (a == null) {
        cut = next;
        break;
      }
      if (a.status == 200) {
        acknowledged++;
        apply(next, a);
      } else {
        assertEquals(409, a.status, () -> "only a rule may refuse " + next + ": " + a.raw);
      }
    }
    kill.join();
    server.kill();
    return killed.get() ? cut : fail("the workload stopped before the kill");
  }

  /** A command that would change something, chosen at random, as what it would change. */
  private InFlight nextCommand() {
    List<String> live = new ArrayList<>();
    vcms.forEach((uuid, v) -> {
      if (!v.state.equals("deleted")) {
        live.add(uuid);
      }
    });
    if (live.size() < 4 || random.nextInt(10) == 0) {
      TestTenant t = tenants.get(random.nextInt(tenants.size()));
      return new InFlight(null, "c" + ++names, t, "VcmCreated", "inactive", false);
    }
    String uuid = live.get(random.nextInt(live.size()));
    Known v = vcms.get(uuid);
    if (v.state.equals("active")) {
      return switch (random.nextInt(3)) {
        case 0 -> new InFlight(uuid, v.name, v.tenant, "VcmStopped", "inactive", null);
        case 1 -> v.enrolled ? new InFlight(uuid, v.name, v.tenant, "TenantUnenrolled", null, false)
            : new InFlight(uuid, v.name, v.tenant, "TenantEnrolled", null, true);
        default -> v.enrolled ? new InFlight(uuid, v.name, v.tenant, "VcmStopped", "inactive", null)
            : new InFlight(uuid, v.name, v.tenant, "TenantEnrolled", null, true);
      };
    }
    return random.nextInt(4) == 0 ? new InFlight(uuid, v.name, v.tenant, "VcmDeleted", "deleted", null)
        : new InFlight(uuid, v.name, v.tenant, "VcmStarted", "active", null);
  }

  /** Sends the command; null when the daemon died under it. */
  private Answer send(InFlight c) {
    try {
      return switch (c.event) {
        case "VcmCreated" -> call("POST", "/v1/vcms", json("request",
            Base64.getEncoder().encodeToString(c.tenant.createRequest(Map.of(), Instant.now())), "name", c.name));
        case "VcmStarted" -> call("POST", "/v1/vcms/" + c.uuid + "/start", "");
        case "VcmStopped" -> call("POST", "/v1/vcms/" + c.uuid + "/stop", json("force", true));
        case "VcmDeleted" -> call("POST", "/v1/vcms/" + c.uuid + "/delete", "");
        case "TenantEnrolled" -> tenantCall(c.tenant, "enroll", c.uuid);
        case "TenantUnenrolled" -> tenantCall(c.tenant, "unenroll", c.uuid);
        default -> throw new IllegalArgumentException(c.event);
      };
    } catch (IOException e) {
      return null;
    }
  }

  private void apply(InFlight c, Answer a) {
    String uuid = c.uuid != null ? c.uuid : a.json.path("uuid").asText();
    Known v = c.uuid != null ? vcms.get(uuid) : new Known(c.name, c.tenant);
    if (c.uuid == null) {
      assertTrue(vcms.put(uuid, v) == null, "a create answered with a uuid already known: " + a.raw);
    } else {
      v.events.add(c.event);
    }
    if (c.state != null) {
      v.state = c.state;
    }
    if (c.enrolled != null) {
      v.enrolled = c.enrolled;
    }
  }

  /**
   * Compares every known VCM with the daemon after a restart, settles the command the kill cut
   * off by what the daemon shows, and checks the invariants. Returns how many VCMs were checked.
   */
  private int check(InFlight cut, String when) throws IOException {
    String where = when + " (seed " + seed + ")";
    JsonNode list = expectOk(call("GET", "/v1/vcms", null)).json.path("vcms");
    if (cut != null && cut.uuid == null) {
      for (JsonNode shown : list) {
        if (cut.name.equals(shown.path("name").asText())) {
          vcms.put(shown.path("uuid").asText(), new Known(cut.name, cut.tenant));
        }
      }
    }
    Map<String, Integer> enrolments = new HashMap<>();
    Set<String> addresses = new HashSet<>();
    int active = 0;
    for (Map.Entry<String, Known> e : vcms.entrySet()) {
      String uuid = e.getKey();
      Known v = e.getValue();
      List<String> history = new ArrayList<>();
      for (JsonNode event : expectOk(call("GET", "/v1/vcms/" + uuid + "/history", null)).json.path("events")) {
        history.add(event.path("event").asText());
      }
      if (cut != null && uuid.equals(cut.uuid) && history.size() == v.events.size() + 1) {
        apply(cut, null);
      }
      assertEquals(v.events, history, () -> "the history of " + v.name + " " + uuid + " " + where);
      Answer read = call("GET", "/v1/vcms/" + uuid, null);
      if (v.state.equals("deleted")) {
        assertEquals(404, read.status, () -> "a deleted VCM " + v.name + " is back " + where + ": " + read.raw);
        continue;
      }
      JsonNode shown = expectOk(read).json;
      assertEquals(v.state, shown.path("state").asText(), () -> "the state of " + v.name + " " + where);
      assertEquals(v.enrolled, shown.path("enrolled").asBoolean(), () -> "the enrolment of " + v.name + " " + where);
      assertTrue(addresses.add(shown.at("/properties/ip_address").asText()), () -> "an address twice " + where
          + ": " + shown);
      if (v.enrolled) {
        enrolments.merge(shown.path("enrolled_by").asText(), 1, Integer::sum);
      }
      active += v.state.equals("active") ? 1 : 0;
    }
    int liveShown = 0;
    for (JsonNode shown : list) {
      liveShown += shown.path("state").asText().equals("deleted") ? 0 : 1;
    }
    assertEquals(addresses.size(), liveShown, () -> "VCMs the client never saw created " + where + ": " + list);
    int activeCount = active;
    enrolments.forEach((tenant, n) -> assertEquals(1, n, () -> "tenant " + tenant + " enrolled twice " + where));
    JsonNode info = expectOk(call("GET", "/v1/hsm/info", null)).json;
    assertEquals(activeCount, info.path("vcms_active").asInt(), () -> "the active count " + where + ": " + info);
    assertTrue(activeCount <= info.path("max_active_vcms").asInt(), () -> "more active than allowed " + where);
    return vcms.size();
  }

  private record Answer(int status, JsonNode json, String raw) {}

  private static Answer expectOk(Answer a) {
    assertEquals(200, a.status, a.raw);
    return a;
  }

  private static String json(Object... fieldsAndValues) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      o.set((String) fieldsAndValues[i], JsonViews.MAPPER.valueToTree(fieldsAndValues[i + 1]));
    }
    return o.toString();
  }

  private Answer call(String method, String path, String body) throws IOException {
    return exchange(HttpRequest.newBuilder(URI.create(server.url + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json"), method, body);
  }

  private Answer tenantCall(TestTenant tenant, String action, String uuid) throws IOException {
    String path = "/v1/tenant/vcms/" + uuid + "/" + action;
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url + path));
    TenantCall.sign(tenant.sshadmin, "POST", path, "{}".getBytes(StandardCharsets.UTF_8), Instant.now())
        .forEach(b::header);
    return exchange(b, "POST", "{}");
  }

  private Answer exchange(HttpRequest.Builder b, String method, String body) throws IOException {
    b.timeout(Duration.ofSeconds(60)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), JsonViews.MAPPER.readTree(r.body()), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
