package io.vcmctl.orchestrator.cli;

import static io.vcmctl.orchestrator.cli.BinCommand.freePort;
import static io.vcmctl.orchestrator.cli.BinCommand.repositoryRoot;
import static io.vcmctl.orchestrator.cli.BinCommand.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product as a user meets it: the real {@code bin/} scripts, each a JVM of its own, against
 * a real daemon started with {@code bin/orchestrator serve}. It walks the README's quick start
 * as written, then checks through the command line that every rule's refusal is one
 * {@code ERROR:} line, a non-zero exit and no change of state ({@code vcmadmin show --json} and
 * {@code hsmadmin info --json} before and after), and that acknowledged commands survive
 * {@code kill -9}.
 *
 * <p>The steps build on each other (one HSM, one journal), so they run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration DISK_LIMIT_DEADLINE = Duration.ofSeconds(60);
  private static final String MISMATCH = "ERROR: Failed to set VCM properties: orchestrator setproperties:"
      + " Invalid property value: restrict_startup mismatch";

  @TempDir
  static Path work;

  private final Path repo = repositoryRoot();
  private ServeProcess server;
  /** The last state seen, while nothing is known to have changed it since. */
  private JsonNode known;

  private String esn;
  private UUID alice;
  private UUID bob;
  private String aliceRequestKey;

  @BeforeAll
  void startTheDaemon() throws IOException {
    Files.createSymbolicLink(work.resolve("bin"), repo.resolve("bin"));
    server = ServeProcess.start(work, work.resolve("data"), START_TIMEOUT, Map.of());
  }

  @AfterAll
  void stopTheDaemon() throws InterruptedException {
    if (server != null) {
      server.stop();
    }
  }

  // ---- the README ------------------------------------------------------------------------

  @Test
  @Order(1)
  void theReadmeQuickStartRunsAsWritten() throws IOException {
    String script = quickStart(Files.readString(repo.resolve("README.md")));
    Result r = run(env(), List.of("bash", "-euo", "pipefail", "-c", script));
    assertEquals(0, r.exit(), () -> "the README's quick start failed:\n" + r);
    assertEquals("", r.err(), () -> "the README's quick start wrote to stderr:\n" + r);

    alice = UUID.fromString(Files.readString(work.resolve("created.txt")).lines()
        .filter(l -> l.startsWith("uuid: ")).findFirst().orElseThrow().substring(6));
    assertTrue(r.out().contains("config_file: vcm-" + alice + ".config"), r::toString);
    assertTrue(r.out().matches("(?s).*\\nNAME +UUID +STATE +MEMORY +DISK +OF_LIMIT +COLLECTED\\n.*"), r::toString);
    assertOwnerOnly(work.resolve("vcm-" + alice + ".config"));
    assertOwnerOnly(work.resolve("tenant").resolve("sshadmin.key"));
    assertOwnerOnly(work.resolve("tenant").resolve("request.key"));

    JsonNode vcm = json(ok("vcmadmin", "show", "--json", alice.toString()));
    assertEquals("active", vcm.path("state").asText());
    assertTrue(vcm.path("enrolled").asBoolean());
    assertEquals("alice", vcm.path("name").asText());
    assertEquals("10.0.0.1", vcm.path("properties").path("ip_address").asText());
    aliceRequestKey = vcm.path("properties").path("k_tenant_req").asText();

    JsonNode events = json(ok("vcmadmin", "history", "--json", alice.toString())).path("events");
    assertEquals(3, events.size(), events::toString);
    assertEquals("provider:admin", events.get(0).path("by").asText());
    assertFalse(events.get(0).path("request_digest").isNull(), "the create names the request that allowed it");
    assertEquals("tenant:" + vcm.path("tenant").asText(), events.get(2).path("by").asText());

    JsonNode info = json(ok("hsmadmin", "info", "--json"));
    esn = info.path("esn").asText();
    assertEquals("mid", info.path("speed_rating").asText());
    assertEquals(1000, info.path("max_creatable_vcms").asInt());
    assertEquals(10, info.path("max_active_vcms").asInt());
    assertEquals("ipv4 10.0.0.0/24", info.path("network").asText());
  }

  // ---- requests and properties: R1, R4, R7, R8 -------------------------------------------

  @Test
  @Order(2)
  void requestsAndPropertiesFollowTheRules() throws IOException {
    local("hsmadmin", "vcm", "create", "--tenant-dir", "tenant-bob", "--restrict-startup", "--name", "bob",
        "--out", "bob.json");
    JsonNode created = json(ok("vcmadmin", "create", "--request", "bob.json", "--json", "bob"));
    bob = UUID.fromString(created.path("uuid").asText());
    assertEquals("10.0.0.2", created.path("ip_address").asText());
    assertEquals("vcm-" + bob + ".config", created.path("config_file").asText());
    assertTrue(created.path("vcm").path("properties").path("restrict_startup").asBoolean());
    assertOwnerOnly(work.resolve("vcm-" + bob + ".config"));

    // The provider cannot add autostart: only the tenant's request can ask for it.
    assertTrue(refused("vcmadmin", "create", "--request", "bob.json", "--autostart", "bob2")
        .contains("autostart needs the tenant's consent"));
    assertTrue(refused("vcmadmin", "start", bob.toString()).contains("R4"));

    local("hsmadmin", "vcm", "start-request", "--tenant-dir", "tenant-bob", "--out", "start-alice.json",
        alice.toString());
    refused("vcmadmin", "start", "--request", "start-alice.json", bob.toString());

    local("hsmadmin", "vcm", "start-request", "--tenant-dir", "tenant-bob", "--valid-for", "1h",
        "--out", "start-bob.json", bob.toString());
    assertTrue(ok("hsmadmin", "settime", "2100-01-01T00:00:00Z").out().contains("module_time: 2100-01-01T00:00"));
    assertTrue(refused("vcmadmin", "start", "--request", "start-bob.json", bob.toString()).contains("expired"));
    Instant moduleTime = Instant.parse(ok("hsmadmin", "settime").out().strip().substring("module_time: ".length()));
    assertTrue(Duration.between(moduleTime, Instant.now()).abs().compareTo(Duration.ofMinutes(1)) < 0,
        "settime without TIME should follow the host clock, not " + moduleTime);

    local("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-bob", "--out", "props-bob.json",
        bob.toString(), "restrict_startup=false", "autostart=true", "name=bobby");
    assertTrue(refused("vcmadmin", "properties", "set", "--request", "props-bob.json", bob.toString(), "autostart",
        "true").contains("R1"));
    assertEquals(MISMATCH, refused("vcmadmin", "properties", "set", "--request", "props-bob.json", bob.toString(),
        "restrict_startup", "True"));
    assertTrue(refused("vcmadmin", "properties", "set", "--request", "props-bob.json", bob.toString(),
        "serial_cardreader", "true").contains("R7"));
    assertTrue(ok("vcmadmin", "properties", "set", "--request", "props-bob.json", bob.toString(), "restrict-startup",
        "False").out().contains("restrict_startup: false"));
    ok("vcmadmin", "properties", "set", "--request", "props-bob.json", bob.toString(), "autostart", "true");

    local("hsmadmin", "vcm", "properties-request", "--out", "props-alice.json", alice.toString(), "name=alpha");
    assertTrue(refused("vcmadmin", "properties", "set", "--request", "props-alice.json", alice.toString(), "name",
        "alpha").contains("R7"));

    // R8: only bob's current request key may replace it.
    local("hsmadmin", "vcm", "properties-request", "--out", "steal.json", bob.toString(),
        "k_tenant_req=" + aliceRequestKey);
    refused("vcmadmin", "properties", "set", "--request", "steal.json", bob.toString(), "k_tenant_req",
        aliceRequestKey);
    local("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-bob", "--out", "rotate.json",
        bob.toString(), "k_tenant_req=" + aliceRequestKey);
    ok("vcmadmin", "properties", "set", "--request", "rotate.json", bob.toString(), "k-tenant-req", aliceRequestKey);
    refused("vcmadmin", "properties", "set", "--request", "props-bob.json", bob.toString(), "name", "bobby");

    JsonNode b = json(ok("vcmadmin", "show", "--json", bob.toString())).path("properties");
    assertFalse(b.path("restrict_startup").asBoolean());
    assertTrue(b.path("autostart").asBoolean());
    assertEquals("bob", b.path("name").asText());
    assertEquals(aliceRequestKey, b.path("k_tenant_req").asText());
  }

  // ---- limits, stop, start, enroll, delete: R2, R3, R5, R6, R9, R10 -------------------------

  @Test
  @Order(3)
  void startStopEnrollAndDeleteFollowTheRules() throws IOException {
    String serial = warned("one VCM per HSM per tenant", "vcmadmin", "create", "--request", "bob.json",
        "--serial-cardreader", "bob-serial").out();
    assertTrue(serial.contains("differs_from_request: name requested bob, set bob-serial"), serial);
    assertTrue(refused("vcmadmin", "create", "--request", "req.json", "--serial-cardreader", "alice-serial")
        .contains("R2"));

    // R3: a licence below the active count applies, and then nothing more starts.
    local("orchestrator", "licence", "issue", "--vendor-key", "data/demo-vendor/vendor.key", "--esn", esn,
        "--multi-tenant", "--max-active", "1", "--out", "licence-1.json");
    assertTrue(ok("hsmadmin", "fet", "licence-1.json").out().contains("max_active_vcms: 1"));
    assertTrue(refused("vcmadmin", "start", bob.toString()).contains("R3"));
    ok("hsmadmin", "fet", "licence.json");
    assertTrue(ok("vcmadmin", "start", bob.toString()).out().contains("state: active"));

    // R5 and R10: in use means --force; enrollment and the Security World survive stop and start.
    ok("hsmadmin", "vcm", "world", "load", alice.toString());
    assertTrue(refused("vcmadmin", "stop", alice.toString()).contains("R5"));
    assertTrue(ok("vcmadmin", "stop", "--force", alice.toString()).out().contains("hardserver_restart_required: true"));
    ok("vcmadmin", "start", alice.toString());
    JsonNode a = json(ok("vcmadmin", "show", "--json", alice.toString()));
    assertEquals("active", a.path("state").asText());
    assertTrue(a.path("enrolled").asBoolean());
    assertTrue(a.path("security_world_loaded").asBoolean());
    assertTrue(a.path("hardserver_restart_required").asBoolean());
    ok("hsmadmin", "vcm", "mode", "maintenance", alice.toString());
    assertTrue(ok("vcmadmin", "stop", alice.toString()).out().contains("state: inactive"));
    ok("vcmadmin", "start", alice.toString());

    // R9: one enrollment per tenant and HSM, only on an active VCM; unenroll frees the slot.
    Files.createDirectories(work.resolve("configs"));
    JsonNode alice2 = json(warned("one VCM per HSM per tenant", "vcmadmin", "create", "--request", "req.json",
        "--outdir", "configs", "--json", "alice2"));
    assertTrue(alice2.path("warnings").get(0).asText().contains(alice.toString()), alice2::toString);
    UUID second = UUID.fromString(alice2.path("uuid").asText());
    String config = "configs/vcm-" + second + ".config";
    assertTrue(refused("hsmadmin", "vcm", "enroll", config).contains("R9"));
    ok("vcmadmin", "start", second.toString());
    assertTrue(refused("hsmadmin", "vcm", "enroll", config).contains("R9"));
    ok("hsmadmin", "vcm", "unenroll", alice.toString());
    assertTrue(ok("hsmadmin", "vcm", "enroll", config).out().contains("enrolled: true"));

    // R6: never an active VCM; an audit log that is on needs --force.
    assertTrue(refused("vcmadmin", "delete", "--force", second.toString()).contains("R6"));
    ok("hsmadmin", "vcm", "audit", "on", second.toString());
    ok("vcmadmin", "stop", "--force", second.toString());
    assertTrue(refused("vcmadmin", "delete", second.toString()).contains("R6"));
    assertTrue(ok("vcmadmin", "delete", "--force", second.toString()).out().contains("state: deleted"));
    List<String> history = ok("vcmadmin", "history", second.toString()).out().lines().toList();
    assertTrue(history.get(0).startsWith("seq"), history::toString);
    assertTrue(history.get(history.size() - 1).contains("provider:admin"), history::toString);
  }

  // ---- the disk limit: R11 -----------------------------------------------------------------

  @Test
  @Order(4)
  void aVcmOverTheDiskLimitCanOnlyBeDeleted() throws IOException {
    ok("hsmadmin", "vcm", "enroll", "--tenant-dir", "tenant-bob", "vcm-" + bob + ".config");
    ok("hsmadmin", "vcm", "data", "write", "--tenant-dir", "tenant-bob", "--bytes", "17000000", bob.toString());
    Instant deadline = Instant.now().plus(DISK_LIMIT_DEADLINE);
    String state;
    do {
      // Each look is a JVM start (about a second): that is the polling interval.
      state = json(ok("vcmadmin", "show", "--json", bob.toString())).path("state").asText();
    } while (!state.equals("disk-limit-stopped") && Instant.now().isBefore(deadline));
    assertEquals("disk-limit-stopped", state, "the poller did not stop the VCM within " + DISK_LIMIT_DEADLINE);
    assertTrue(refused("vcmadmin", "start", bob.toString()).contains("R11"));
    assertTrue(refused("vcmadmin", "properties", "set", "--request", "steal.json", bob.toString(), "k_tenant_req",
        aliceRequestKey).contains("R11"));
    assertTrue(ok("vcmadmin", "delete", bob.toString()).out().contains("state: deleted"));
  }

  // ---- other tenants, wrong tokens, bad input ----------------------------------------------

  @Test
  @Order(5)
  void strangersAndBadInputAreRefused() throws IOException {
    assertTrue(refused("hsmadmin", "vcm", "world", "load", "--tenant-dir", "tenant-bob", alice.toString())
        .contains("another tenant"));
    Files.writeString(work.resolve("wrong.token"), "not-the-token\n");
    refused("vcmadmin", "stop", "--force", "--token-file", "wrong.token", alice.toString());

    byte[] request = Files.readAllBytes(work.resolve("req.json"));
    Files.write(work.resolve("truncated.json"), Arrays.copyOf(request, request.length / 2));
    Files.writeString(work.resolve("garbage.json"), "this is not a request\n");
    Files.write(work.resolve("tampered.json"), tamper(request));

    // These reach the daemon: the state is compared once, before and after all of them.
    JsonNode before = state();
    for (List<String> command : List.of(
        List.of("vcmadmin", "create", "--request", "garbage.json", "x"),
        List.of("vcmadmin", "create", "--request", "truncated.json", "x"),
        List.of("vcmadmin", "create", "--request", "tampered.json", "x"),
        List.of("vcmadmin", "stop", UUID.randomUUID().toString()),
        List.of("vcmadmin", "show", "not-a-vcm"),
        List.of("vcmadmin", "history", UUID.randomUUID().toString()),
        List.of("hsmadmin", "fet", "garbage.json"),
        List.of("hsmadmin", "setnetwork", "--ipv4", "10.0.0.0/33"),
        List.of("hsmadmin", "vcm", "data", "write", "--bytes", "999999999999999", alice.toString()))) {
      failsWithOneLine(1, command);
    }
    // These fail before any call.
    for (List<String> command : List.of(
        List.of("vcmadmin", "start", "--request", "missing.json", alice.toString()),
        List.of("hsmadmin", "vcm", "enroll", "garbage.json"),
        List.of("hsmadmin", "vcm", "enroll", "missing.config"),
        List.of("hsmadmin", "vcm", "start-request", "--tenant-dir", "nobody", "--out", "x.json",
            alice.toString()))) {
      failsWithOneLine(1, command);
    }
    for (List<String> command : List.of(
        List.of("vcmadmin", "frobnicate"),
        List.of("hsmadmin", "setnetwork", "--ipv4", "10.0.0.0/24", "--ipv6-link-local"),
        List.of("hsmadmin", "settime", "yesterday"),
        List.of("hsmadmin", "vcm", "data", "write", "--bytes", "-1", alice.toString()),
        List.of("hsmadmin", "vcm", "data", "write", "--bytes", "99999999999999999999", alice.toString()),
        List.of("hsmadmin", "vcm", "start-request", "--valid-for", "5x", "--out", "x.json", alice.toString()),
        List.of("hsmadmin", "vcm", "start-request", "--valid-for", "0s", "--out", "x.json", alice.toString()),
        List.of("hsmadmin", "vcm", "properties-request", "--out", "x.json", alice.toString(), "colour=blue"),
        List.of("orchestrator", "licence", "issue", "--vendor-key", "data/demo-vendor/vendor.key", "--esn", esn,
            "--multi-tenant", "--out", "x.json"),
        List.of("orchestrator", "serve", "--stats-delay", "1d"))) {
      failsWithOneLine(2, command);
    }
    assertEquals(before, state(), "bad input changed the state");
    assertFalse(Files.exists(work.resolve("x.json")), "a refused command wrote its --out file");

    Result inspected = run(env(), script("hsmadmin", "vcm", "inspect-request", "tampered.json"));
    assertEquals(1, inspected.exit(), inspected::toString);
    assertTrue(inspected.out().contains("signature: INVALID"), inspected::toString);
    assertTrue(ok("hsmadmin", "vcm", "inspect-request", "req.json").out().contains("signature: valid"));

    int closed = freePort();
    Result unreachable = run(env(), script("hsmadmin", "info", "--url", "http://127.0.0.1:" + closed));
    assertEquals(1, unreachable.exit(), unreachable::toString);
    assertEquals("ERROR: cannot reach the orchestrator at http://127.0.0.1:" + closed
        + " (is it running? start it with bin/orchestrator serve)", unreachable.err().strip());
  }

  // ---- durability --------------------------------------------------------------------------

  @Test
  @Order(6)
  void acknowledgedCommandsSurviveKillNine() throws IOException, InterruptedException {
    // The last command before the kill: acknowledged, so it must be there after it.
    ok("hsmadmin", "vcm", "enroll", "vcm-" + alice + ".config");
    JsonNode before = state();
    assertTrue(findVcm(before, alice).path("enrolled").asBoolean(), before::toString);
    server.kill();
    server = ServeProcess.start(work, work.resolve("data"), START_TIMEOUT, Map.of());
    known = null;
    assertEquals(before, state(), "the state after kill -9 and restart differs");
  }

  // ---- a second HSM: a real vendor key, and the creation limit -----------------------------

  @Test
  @Order(7)
  void aRealVendorKeyAndTheCreationLimit() throws IOException, InterruptedException {
    assertTrue(local("orchestrator", "vendor-key", "generate", "--out", "vendor").out().contains("fingerprint: SHA256:"));
    assertOwnerOnly(work.resolve("vendor").resolve("vendor.key"));
    failsWithOneLine(1, List.of("orchestrator", "vendor-key", "generate", "--out", "vendor"));

    ServeProcess second = ServeProcess.start(work, work.resolve("data2"), START_TIMEOUT, Map.of(),
        "--vendor-public-key", "vendor/vendor.pub");
    ServeProcess first = server;
    server = second;
    try {
      assertFalse(second.output().contains("demo vendor"), second.output());
      String esn2 = json(ok("hsmadmin", "info", "--json")).path("esn").asText();
      assertNotEquals(esn, esn2);
      local("orchestrator", "licence", "issue", "--vendor-key", "data/demo-vendor/vendor.key", "--esn", esn2,
          "--multi-tenant", "--max-active", "5", "--out", "demo-licence.json");
      assertTrue(refused("hsmadmin", "fet", "demo-licence.json").contains("not by the trusted vendor key"));

      warned("same host as the HSM", "hsmadmin", "setnetwork", "--ipv6-link-local");
      assertTrue(ok("hsmadmin", "reset").out().contains("network: ipv6-link-local fe80::/64"));
      ok("vcmadmin", "create", "--request", "req.json", "--outdir", "configs2", "alice");
      assertTrue(refused("vcmadmin", "create", "--request", "bob.json", "bob").contains("R3"));

      local("orchestrator", "licence", "issue", "--vendor-key", "vendor/vendor.key", "--esn", esn2,
          "--multi-tenant", "--speed", "base", "--max-active", "2", "--out", "real-licence.json");
      assertTrue(ok("hsmadmin", "fet", "real-licence.json").out().contains("max_creatable_vcms: 5"));
      ok("vcmadmin", "create", "--request", "bob.json", "--outdir", "configs2", "bob");
    } finally {
      server = first;
      second.stop();
    }
    assertEquals(143, second.process.exitValue(), "serve should end on SIGTERM");
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** A command that must succeed; the daemon's state may have changed. */
  private Result ok(String... command) {
    known = null;
    return local(command);
  }

  /** A command that succeeds with the operator guide's advice: every stderr line a WARNING, one saying this. */
  private Result warned(String says, String... command) {
    known = null;
    Result r = run(env(), script(command));
    assertEquals(0, r.exit(), r::toString);
    List<String> lines = r.err().lines().toList();
    assertFalse(lines.isEmpty(), r::toString);
    assertTrue(lines.stream().allMatch(l -> l.startsWith("WARNING: ")), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.contains(says)), r::toString);
    return r;
  }

  /** A command that must succeed without changing the daemon's state (it does not call it). */
  private Result local(String... command) {
    Result r = run(env(), script(command));
    assertEquals(0, r.exit(), r::toString);
    assertEquals("", r.err(), r::toString);
    return r;
  }

  /**
   * A refusal: exit 1, one line {@code ERROR: …}, nothing else printed, and no change of state.
   * A command on a VCM is checked against every VCM ({@code vcmadmin show --json}); one that
   * could change the HSM (creating, licences, networking) against {@code hsmadmin info --json} too.
   */
  private String refused(String... command) {
    boolean hsm = command[0].equals("hsmadmin") && !command[1].equals("vcm") || command[1].equals("create");
    JsonNode before = known != null && (!hsm || known.has("info")) ? known : state(hsm);
    String line = failsWithOneLine(1, List.of(command));
    JsonNode after = state(hsm);
    assertEquals(hsm ? before : before.path("vcms"), hsm ? after : after.path("vcms"),
        "refused command changed the state: " + String.join(" ", command));
    known = after;
    return line;
  }

  private String failsWithOneLine(int exit, List<String> command) {
    Result r = run(env(), script(command.toArray(String[]::new)));
    assertEquals(exit, r.exit(), r::toString);
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r::toString);
    assertTrue(lines.get(0).startsWith("ERROR: "), r::toString);
    assertEquals("", r.out(), r::toString);
    return lines.get(0);
  }

  private JsonNode state() {
    return state(true);
  }

  /** {@code vcmadmin show --json} and, if asked, {@code hsmadmin info --json} less the ticking module clock. */
  private JsonNode state(boolean withInfo) {
    CompletableFuture<Result> vcms = CompletableFuture.supplyAsync(() -> local("vcmadmin", "show", "--json"));
    ObjectNode state = JSON.createObjectNode();
    if (withInfo) {
      ObjectNode info = (ObjectNode) json(local("hsmadmin", "info", "--json"));
      info.remove("module_time");
      state.set("info", info);
    }
    state.set("vcms", json(vcms.join()));
    return state;
  }

  private static JsonNode findVcm(JsonNode state, UUID uuid) {
    for (JsonNode vcm : state.path("vcms").path("vcms")) {
      if (vcm.path("uuid").asText().equals(uuid.toString())) {
        return vcm;
      }
    }
    return fail("no VCM " + uuid + " in " + state);
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("ORCHESTRATOR_URL", server.url);
    if (!server.dataDir.equals(work.resolve("data"))) {
      env.put("ORCHESTRATOR_TOKEN_FILE", server.dataDir.resolve("admin.token").toString());
    }
    return env;
  }

  private Result run(Map<String, String> env, List<String> command) {
    return BinCommand.exec(work, env, CALL_TIMEOUT, command);
  }

  private static JsonNode json(Result r) {
    try {
      return JSON.readTree(r.out());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r, e);
    }
  }

  /** The shell block under the README's "Quick start" heading. */
  private static String quickStart(String readme) {
    Matcher m = Pattern.compile("## Quick start\\n.*?```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(m.find(), "README.md has no sh block under '## Quick start'");
    return m.group(1);
  }

  /** The same request asking for another name: well-formed, but no longer what was signed. */
  private static byte[] tamper(byte[] requestFile) throws IOException {
    ObjectNode file = (ObjectNode) JSON.readTree(requestFile);
    String payload = new String(Base64.getDecoder().decode(file.path("payload").asText()), StandardCharsets.UTF_8);
    String changed = payload.replace("\"name\":\"alice\"", "\"name\":\"mallory\"");
    assertNotEquals(payload, changed);
    file.put("payload", Base64.getEncoder().encodeToString(changed.getBytes(StandardCharsets.UTF_8)));
    return (file + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void assertOwnerOnly(Path file) throws IOException {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file::toString);
  }
}
