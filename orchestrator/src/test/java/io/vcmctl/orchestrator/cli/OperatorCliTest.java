package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code orchestrator operator …} and how every provider command finds its token, as a user runs them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorCliTest {

  @TempDir
  Path work;

  private Daemon daemon;
  private Path dataDir;

  @BeforeAll
  void startTheDaemon() {
    dataDir = TestConfigs.freshDataDirectory("operator-cli").root().toAbsolutePath();
    daemon = Daemon.start(dataDir, 0, List.of(), null, null, new PrintStream(OutputStream.nullOutputStream()));
  }

  @AfterAll
  void stopTheDaemon() {
    daemon.stop();
  }

  @Test
  void anAddedOperatorGetsAnOwnerOnlyTokenFileAndOnlyWhatItsRoleAllows() throws IOException {
    Map<String, String> admin = Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_DATA_DIR", dataDir.toString());
    Result added = run(admin, "orchestrator", "operator", "add", "audrey", "--role", "auditor", "--out", "audrey.token")
        .ok();
    assertEquals("name: audrey\nrole: auditor\nstate: active\ntoken_file: audrey.token\n", added.out());
    Path tokenFile = work.resolve("audrey.token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
    String token = Files.readString(tokenFile);
    assertTrue(token.matches("[0-9a-f]{64}"), token);

    Map<String, String> audrey = Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_TOKEN", token);
    run(audrey, "vcmadmin", "stats").ok();
    Result refused = run(audrey, "hsmadmin", "reset");
    assertEquals(1, refused.exit(), refused::toString);
    assertEquals("ERROR: ROLE_NOT_ALLOWED: resetting the HSM needs the role admin; operator audrey has the role auditor\n",
        refused.err());

    Result listed = run(admin, "orchestrator", "operator", "list").ok();
    assertTrue(listed.out().lines().anyMatch(l -> l.matches("audrey\\s+auditor\\s+active\\s+\\S+")), listed::toString);
    Result log = run(audrey, "orchestrator", "operator", "log").ok();
    assertTrue(log.out().lines().anyMatch(l -> l.matches("\\S+\\s+provider:audrey\\s+refused\\s+POST /v1/hsm/reset"
        + " \\(needs admin\\)")), log::toString);

    Result rotated = run(admin, "orchestrator", "operator", "rotate", "audrey", "--out", "audrey.token", "--force").ok();
    assertTrue(rotated.out().contains("token_file: audrey.token"), rotated::toString);
    assertNotEquals(token, Files.readString(tokenFile));
    Result old = run(audrey, "vcmadmin", "stats");
    assertEquals(1, old.exit(), old::toString);
    assertTrue(old.err().startsWith("ERROR: UNAUTHORIZED: wrong token;"), old::toString);
    run(Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_TOKEN_FILE", tokenFile.toString()), "vcmadmin", "stats")
        .ok();
  }

  @Test
  void theTokenIsLookedForInTheDocumentedOrderAndTheErrorNamesEveryPlace() throws IOException {
    Map<String, String> none = Map.of("ORCHESTRATOR_URL", daemon.url());
    Result missing = run(none, "hsmadmin", "info");
    assertEquals(1, missing.exit(), missing::toString);
    assertEquals("ERROR: no token: looked at ORCHESTRATOR_TOKEN (not set), --token-file and ORCHESTRATOR_TOKEN_FILE"
        + " (not set), --data-dir and ORCHESTRATOR_DATA_DIR (not set), then " + work.resolve("data/admin.token")
        + " (from the default data directory ./data): no such file; start the orchestrator with bin/orchestrator"
        + " serve (it writes DATA/admin.token), or set ORCHESTRATOR_TOKEN, --token-file (ORCHESTRATOR_TOKEN_FILE)"
        + " or --data-dir (ORCHESTRATOR_DATA_DIR)\n", missing.err());

    run(none, "hsmadmin", "info", "--data-dir", dataDir.toString()).ok();
    Map<String, String> env = new HashMap<>(none);
    env.put("ORCHESTRATOR_DATA_DIR", dataDir.toString());
    run(env, "hsmadmin", "info").ok();
    // Rotating the bootstrap admin rewrites DATA/admin.token, which every command then reads.
    String before = Files.readString(dataDir.resolve("admin.token"));
    Result rotated = run(env, "orchestrator", "operator", "rotate", "admin").ok();
    assertTrue(rotated.out().contains("token_file: " + dataDir.resolve("admin.token")), rotated::toString);
    assertNotEquals(before, Files.readString(dataDir.resolve("admin.token")));
    run(env, "hsmadmin", "info").ok();
    Map<String, String> stale = new HashMap<>(none);
    stale.put("ORCHESTRATOR_TOKEN", before);
    assertEquals(1, run(stale, "hsmadmin", "info").exit());

    // A token named directly wins over the data directory's.
    env.put("ORCHESTRATOR_TOKEN", "0".repeat(64));
    Result wrong = run(env, "hsmadmin", "info");
    assertEquals(1, wrong.exit(), wrong::toString);
    assertTrue(wrong.err().startsWith("ERROR: UNAUTHORIZED: wrong token;"), wrong::toString);
  }

  private Result run(Map<String, String> env, String... command) {
    return BinCommand.run(work, env, command);
  }
}
