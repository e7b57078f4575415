package io.vcmctl.orchestrator.cli;

import static io.vcmctl.orchestrator.cli.BinCommand.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.http.ExternalProgram;
import io.vcmctl.softhsm.SoftHsmRuntime;
import io.vcmctl.softhsm.SoftHsmSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real PKCS#11 tokens as a provider and its tenants meet them: {@code bin/orchestrator serve
 * --runtime softhsm} as a real process, the {@code bin/} scripts, and OpenSC's
 * {@code pkcs11-tool} loading the client module at the address {@code hsmadmin vcm pkcs11}
 * prints, as the README's "Use your VCM over PKCS#11" shows. The tenant initialises its token,
 * makes a key and signs; the key survives stop and start, and {@code kill -9} of the daemon; a
 * server killed behind the daemon's back is recorded stopped by the next poll; the tenant's own
 * objects push the token over the disk limit; delete leaves nothing behind.
 *
 * <p>One daemon for the class (restarted once, after {@code kill -9}); the steps build on each
 * other, so they run in order. Skipped without softhsm2, p11-kit and pkcs11-tool, failed
 * under {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SoftHsmEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** Patience for what the poller does (every second here); each look is a JVM start. */
  private static final Duration POLL_DEADLINE = Duration.ofSeconds(60);
  /**
   * Low, so that a few data objects pass it: {@code pkcs11-tool --write-object} stores at most
   * 5,000 bytes per object.
   */
  private static final long DISK_LIMIT = 64 * 1024;
  private static final int OBJECT_BYTES = 5000;
  private static final String SO_PIN = "87654321";
  private static final String PIN = "246810";

  @TempDir
  static Path work;

  private final Map<UUID, Token> tokens = new HashMap<>();
  private Path pkcs11Tool;
  private ServeProcess daemon;
  private UUID alice;
  private UUID bob;

  @BeforeAll
  void startTheDaemon() throws IOException {
    ExternalProgram.require(SoftHsmRuntime.missingProgram(SoftHsmSettings.fromConfig(ConfigFactory.load())));
    pkcs11Tool = ExternalProgram.require("pkcs11-tool", "opensc");
    daemon = startServe();
  }

  @AfterAll
  void stopTheDaemon() throws InterruptedException {
    try {
      if (daemon != null) {
        daemon.stop();
      }
    } finally {
      // Servers outlive the daemon by design: whatever a failed step left running ends here.
      processesUnder(work).forEach(ProcessHandle::destroyForcibly);
    }
  }

  // ---- the tenant's token ------------------------------------------------------------------

  @Test
  @Order(1)
  void theTenantInitialisesItsTokenMakesAKeyAndSigns() throws IOException {
    ok("hsmadmin", "vcm", "create", "--name", "alice", "--out", "alice.json");
    String esn = json(ok("hsmadmin", "info", "--json")).path("esn").asText();
    ok("orchestrator", "licence", "issue", "--vendor-key", "data/demo-vendor/vendor.key", "--esn", esn,
        "--multi-tenant", "--max-active", "10", "--out", "licence.json");
    ok("hsmadmin", "fet", "licence.json");
    ok("hsmadmin", "setnetwork", "--ipv4", "10.0.0.0/24");
    ok("hsmadmin", "reset");
    alice = UUID.fromString(json(ok("vcmadmin", "create", "--request", "alice.json", "--json", "alice"))
        .path("uuid").asText());
    ok("vcmadmin", "start", alice.toString());
    ok("hsmadmin", "vcm", "enroll", "vcm-" + alice + ".config");

    Token token = token("tenant", alice);
    assertEquals("unix:path=" + socket(alice), token.address);
    String plain = ok("hsmadmin", "vcm", "pkcs11", alice.toString()).out();
    assertTrue(plain.contains("p11_kit_server_address: " + token.address + "\n"), plain);
    assertTrue(plain.contains("client_module: " + token.module + "\n"), plain);

    assertTrue(token.tool("--init-token", "--label", "alice", "--so-pin", SO_PIN)
        .contains("Token successfully initialized"));
    assertTrue(token.tool("--token-label", "alice", "--login", "--login-type", "so", "--so-pin", SO_PIN,
        "--init-pin", "--pin", PIN).contains("User PIN successfully initialized"));
    assertTrue(token.loggedIn("alice", "--keypairgen", "--key-type", "EC:prime256v1", "--label", "signing",
        "--id", "01").contains("Key pair generated"));
    Files.writeString(work.resolve("message.txt"), "pay 10 EUR to bob\n");
    token.loggedIn("alice", "--sign", "--mechanism", "ECDSA", "--id", "01", "--input-file", "message.txt",
        "--output-file", "message.sig");
    assertEquals(64, Files.size(work.resolve("message.sig")), "a P-256 ECDSA signature is r and s, 32 bytes each");
    assertTrue(token.loggedIn("alice", "--verify", "--mechanism", "ECDSA", "--id", "01", "--input-file",
        "message.txt", "--signature-file", "message.sig").contains("Signature is valid"));

    // The runtime sees the token initialised (never the PINs), and the VCM view says so.
    awaitVcm(alice, "the initialised token shown as a loaded Security World",
        vcm -> vcm.path("security_world_loaded").asBoolean());
  }

  @Test
  @Order(2)
  void theKeySurvivesStopAndStart() {
    assertTrue(refused("vcmadmin", "stop", alice.toString()).contains("R5"), "an initialised token is in use");
    ok("hsmadmin", "vcm", "mode", "maintenance", alice.toString());
    assertTrue(ok("vcmadmin", "stop", alice.toString()).out().contains("state: inactive"));
    assertFalse(Files.exists(socket(alice)), "a stopped VCM has no socket");
    assertEquals(List.of(), serversOf(alice));

    assertTrue(ok("vcmadmin", "start", alice.toString()).out().contains("state: active"));
    assertTrue(token("tenant", alice).loggedIn("alice", "--list-objects")
        .contains("label:      signing"));
  }

  @Test
  @Order(3)
  void anotherTenantCannotGetTheAddress() throws IOException {
    ok("hsmadmin", "vcm", "create", "--tenant-dir", "tenant-bob", "--name", "bob", "--out", "bob.json");
    bob = UUID.fromString(json(ok("vcmadmin", "create", "--request", "bob.json", "--json", "bob"))
        .path("uuid").asText());
    ok("vcmadmin", "start", bob.toString());
    ok("hsmadmin", "vcm", "enroll", "--tenant-dir", "tenant-bob", "vcm-" + bob + ".config");

    String refusal = refused("hsmadmin", "vcm", "pkcs11", "--tenant-dir", "tenant-bob", alice.toString());
    assertFalse(refusal.contains(socket(alice).toString()), refusal);

    Token own = token("tenant-bob", bob);
    own.tool("--init-token", "--label", "bob", "--so-pin", SO_PIN);
    own.tool("--token-label", "bob", "--login", "--login-type", "so", "--so-pin", SO_PIN, "--init-pin", "--pin", PIN);
    own.loggedIn("bob", "--keypairgen", "--key-type", "EC:prime256v1", "--label", "bob-signing", "--id", "02");
  }

  // ---- crashes -----------------------------------------------------------------------------

  @Test
  @Order(4)
  void aDaemonKilledWithTwoActiveVcmsComesBackWithOneServerEachAndTheKeys() throws IOException,
      InterruptedException {
    ProcessHandle aliceServer = onlyServerOf(alice);
    ProcessHandle bobServer = onlyServerOf(bob);
    daemon.kill();
    daemon = startServe();

    JsonNode vcms = json(ok("vcmadmin", "show", "--json")).path("vcms");
    for (UUID vcm : List.of(alice, bob)) {
      JsonNode view = StreamSupport.stream(vcms.spliterator(), false)
          .filter(v -> v.path("uuid").asText().equals(vcm.toString())).findFirst().orElseThrow();
      assertEquals("active", view.path("state").asText(), view::toString);
      ProcessHandle server = onlyServerOf(vcm);
      assertEquals(String.valueOf(server.pid()), Files.readString(pidFile(vcm)).strip(),
          "the PID file names the server that runs");
    }
    assertEquals(2, json(ok("hsmadmin", "info", "--json")).path("vcms_active").asInt());
    // The servers ran on: the new daemon adopted them.
    assertEquals(aliceServer.pid(), onlyServerOf(alice).pid());
    assertEquals(bobServer.pid(), onlyServerOf(bob).pid());
    assertTrue(token("tenant", alice).loggedIn("alice", "--list-objects")
        .contains("label:      signing"));
    assertTrue(token("tenant-bob", bob).loggedIn("bob", "--list-objects")
        .contains("label:      bob-signing"));
  }

  @Test
  @Order(5)
  void aServerKilledBehindTheDaemonsBackIsRecordedStoppedByTheNextPoll() {
    ProcessHandle server = onlyServerOf(bob);
    Instant killed = Instant.now();
    server.destroyForcibly();
    server.onExit().orTimeout(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();

    // The first poll that measures the VCM after the kill shows it stopped. The first stats
    // stamped after the kill may come from a cycle that measured it just before; the cycle
    // after that one began after the kill.
    JsonNode row = statsOf(bob, killed);
    if (row.path("state").asText().equals("active")) {
      row = statsOf(bob, Instant.parse(row.path("collected_at").asText()));
    }
    assertEquals("inactive", row.path("state").asText(), row::toString);

    JsonNode events = json(ok("vcmadmin", "history", "--json", bob.toString())).path("events");
    JsonNode last = events.get(events.size() - 1);
    assertEquals("VcmSettled", last.path("event").asText(), events::toString);
    assertEquals("system:reconcile", last.path("by").asText(), events::toString);
    assertTrue(Instant.parse(last.path("at").asText()).isAfter(killed), events::toString);
    assertEquals(1, json(ok("hsmadmin", "info", "--json")).path("vcms_active").asInt(), "the active slot is freed");
    assertFalse(Files.exists(socket(bob)), "the dead server's socket is cleared");
  }

  // ---- the disk limit, and delete ----------------------------------------------------------

  @Test
  @Order(6)
  void dataTheTenantStoresPushesTheTokenOverTheDiskLimitAndTheVcmStops() throws IOException {
    Token token = token("tenant", alice);
    byte[] object = new byte[OBJECT_BYTES];
    new SecureRandom().nextBytes(object);
    Files.write(work.resolve("object.bin"), object);
    for (int i = 0; tokenBytes(alice) <= DISK_LIMIT; i++) {
      token.loggedIn("alice", "--write-object", "object.bin", "--type", "data", "--label", "backup-" + i);
    }

    awaitVcm(alice, "the VCM stopped for the disk limit", vcm -> vcm.path("state").asText().equals("disk-limit-stopped"));
    JsonNode events = json(ok("vcmadmin", "history", "--json", alice.toString())).path("events");
    JsonNode last = events.get(events.size() - 1);
    assertEquals("VcmStoppedForDiskLimit", last.path("event").asText(), events::toString);
    assertEquals("system:stats-poller", last.path("by").asText(), events::toString);
    assertFalse(Files.exists(socket(alice)), "the socket goes with the server");
    assertEquals(List.of(), serversOf(alice));
    assertTrue(refused("vcmadmin", "start", alice.toString()).contains("R11"));
  }

  @Test
  @Order(7)
  void deleteLeavesNoTokenDirectoryAndNoProcess() {
    for (UUID vcm : List.of(alice, bob)) {
      assertTrue(ok("vcmadmin", "delete", vcm.toString()).out().contains("state: deleted"));
      Path dir = socket(vcm).getParent();
      assertFalse(Files.exists(dir), dir + " is still there");
      assertEquals(List.of(), processesUnder(dir));
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** The tenant's view of its token: what {@code hsmadmin vcm pkcs11 --json} printed. */
  private final class Token {
    final String address;
    final String module;

    Token(String address, String module) {
      this.address = address;
      this.module = module;
    }

    /** {@code pkcs11-tool --module MODULE ARGS} with {@code P11_KIT_SERVER_ADDRESS} set; must exit 0. */
    String tool(String... args) {
      List<String> command = new ArrayList<>(List.of(pkcs11Tool.toString(), "--module", module));
      command.addAll(List.of(args));
      Result r = run(Map.of("P11_KIT_SERVER_ADDRESS", address), command);
      assertEquals(0, r.exit(), r::toString);
      return r.out();
    }

    String loggedIn(String label, String... args) {
      List<String> all = new ArrayList<>(List.of("--token-label", label, "--login", "--pin", PIN));
      all.addAll(List.of(args));
      return tool(all.toArray(String[]::new));
    }
  }

  /** Asked once per VCM: the address is the VCM's for good, whether it runs or not. */
  private Token token(String tenantDir, UUID vcm) {
    return tokens.computeIfAbsent(vcm, v -> access(tenantDir, v));
  }

  private Token access(String tenantDir, UUID vcm) {
    JsonNode access = json(ok("hsmadmin", "vcm", "pkcs11", "--tenant-dir", tenantDir, "--json", vcm.toString()));
    return new Token(access.path("p11_kit_server_address").asText(), access.path("client_module").asText());
  }

  /** A script that must succeed, saying nothing on stderr. */
  private Result ok(String... command) {
    Result r = run(daemonEnv(), script(command));
    assertEquals(0, r.exit(), r::toString);
    assertEquals("", r.err(), r::toString);
    return r;
  }

  /** A refusal: exit 1 and one line {@code ERROR: …}, nothing else. */
  private String refused(String... command) {
    Result r = run(daemonEnv(), script(command));
    assertEquals(1, r.exit(), r::toString);
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r::toString);
    assertTrue(lines.get(0).startsWith("ERROR: "), r::toString);
    assertEquals("", r.out(), r::toString);
    return lines.get(0);
  }

  /** The VCM's row of the first stats collected after {@code after}. */
  private JsonNode statsOf(UUID vcm, Instant after) {
    return eventually("stats collected after " + after, () -> {
      for (JsonNode stats : json(ok("vcmadmin", "stats", "--json")).path("stats")) {
        if (stats.path("uuid").asText().equals(vcm.toString())
            && Instant.parse(stats.path("collected_at").asText()).isAfter(after)) {
          return stats;
        }
      }
      return null;
    });
  }

  private void awaitVcm(UUID vcm, String what, Predicate<JsonNode> condition) {
    eventually(what, () -> {
      JsonNode view = json(ok("vcmadmin", "show", "--json", vcm.toString()));
      return condition.test(view) ? view : null;
    });
  }

  /** Looks again until {@code look} finds something; each look starts a JVM, which paces it. */
  private static <T> T eventually(String what, Supplier<T> look) {
    Instant deadline = Instant.now().plus(POLL_DEADLINE);
    for (T found = look.get(); ; found = look.get()) {
      if (found != null) {
        return found;
      }
      if (Instant.now().isAfter(deadline)) {
        return fail(what + ": not seen within " + POLL_DEADLINE);
      }
    }
  }

  private Path vcmDir(UUID vcm) {
    return daemon.dataDir.resolve("vcms").resolve(vcm.toString());
  }

  private Path socket(UUID vcm) {
    return vcmDir(vcm).resolve("p11-kit.sock");
  }

  private Path pidFile(UUID vcm) {
    return vcmDir(vcm).resolve("p11-kit.pid");
  }

  /** The bytes of the files in the token directory: what the runtime measures as disk. */
  private long tokenBytes(UUID vcm) throws IOException {
    try (Stream<Path> files = Files.walk(vcmDir(vcm).resolve("tokens"))) {
      return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
    }
  }

  /**
   * The p11-kit servers serving the VCM's socket, from /proc. A child just forked for a
   * connection shows its parent's command line for a moment: a session, not a second server.
   */
  private List<ProcessHandle> serversOf(UUID vcm) {
    String socket = socket(vcm).toString();
    return ProcessHandle.allProcesses()
        .filter(p -> serves(p, socket))
        .filter(p -> p.parent().filter(parent -> serves(parent, socket)).isEmpty())
        .collect(Collectors.toList());
  }

  private static boolean serves(ProcessHandle process, String socket) {
    List<String> args = List.of(process.info().arguments().orElse(new String[0]));
    int name = args.indexOf("-n");
    return name >= 0 && name + 1 < args.size() && args.get(name + 1).equals(socket)
        && process.info().command().orElse("").contains("p11-kit");
  }

  private ProcessHandle onlyServerOf(UUID vcm) {
    List<ProcessHandle> servers = serversOf(vcm);
    assertEquals(1, servers.size(), () -> "p11-kit servers of " + vcm + ": " + servers);
    return servers.get(0);
  }

  /** Live processes with an argument under {@code dir}. */
  private static List<ProcessHandle> processesUnder(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(p -> Arrays.stream(p.info().arguments().orElse(new String[0]))
            .anyMatch(arg -> arg.startsWith(dir.toString())))
        .collect(Collectors.toList());
  }

  private Map<String, String> daemonEnv() {
    return Map.of("ORCHESTRATOR_URL", daemon.url);
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

  /** {@code serve --runtime softhsm} with the low disk limit; it names its runtime at start. */
  private ServeProcess startServe() throws IOException {
    ServeProcess serve = ServeProcess.start(work, work.resolve("data"), START_TIMEOUT,
        Map.of("JAVA_OPTS", "-Dvcmctl.stats.disk-limit=" + DISK_LIMIT), "--runtime", "softhsm");
    assertTrue(serve.output().contains("runtime: softhsm"), "serve names its runtime");
    return serve;
  }
}
