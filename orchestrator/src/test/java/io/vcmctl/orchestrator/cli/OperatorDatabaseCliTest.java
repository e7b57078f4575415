package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.access.DbOperatorStore;
import io.vcmctl.orchestrator.access.Role;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.vcmctl.orchestrator.cluster.NodeConfFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code orchestrator operator … --config FILE}: a cluster's operators changed in its database
 * with no node running, under the same rules as through a node.
 */
class OperatorDatabaseCliTest {

  @TempDir
  Path work;

  private int orchestrator(String... args) {
    return Cli.run(new OrchestratorCommand(), args);
  }

  private Path settings(EmbeddedPostgres postgres) throws IOException {
    return NodeConfFiles.write(work, postgres.getJdbcUrl("postgres", "postgres"));
  }

  @Test
  void operatorsAreManagedInTheDatabaseWithNoNodeRunning() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Path config = settings(postgres);
      String c = config.toString();
      assertEquals(1, orchestrator("operator", "list", "--config", c), "no table before db init");
      ClusterSettings settings = ClusterSettings.load(config, ConfigFactory.empty());
      DbInit.run(settings);

      Path alice = work.resolve("alice.token");
      assertEquals(0, orchestrator("operator", "add", "alice", "--role", "admin", "--out", alice.toString(),
          "--config", c));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(alice)));
      assertEquals(1, orchestrator("operator", "revoke", "alice", "--config", c), "the last admin stays");
      Path bob = work.resolve("bob.token");
      assertEquals(0, orchestrator("operator", "add", "bob", "--role", "admin", "--out", bob.toString(),
          "--config", c));
      assertEquals(0, orchestrator("operator", "revoke", "alice", "--config", c));
      Path bob2 = work.resolve("bob2.token");
      assertEquals(0, orchestrator("operator", "rotate", "bob", "--out", bob2.toString(), "--config", c));
      assertEquals(0, orchestrator("operator", "list", "--config", c));

      try (DbOperatorStore store = DbOperatorStore.open(settings)) {
        assertTrue(store.authenticate(Files.readString(alice)).isEmpty(), "alice is revoked");
        assertTrue(store.authenticate(Files.readString(bob)).isEmpty(), "bob's first token was rotated");
        assertEquals(Role.ADMIN, store.authenticate(Files.readString(bob2)).orElseThrow().role());
      }
    }
  }

  @Test
  void aSettingsFileOfASingleDaemonIsRefusedInOneLine() throws IOException {
    Path local = work.resolve("local.conf");
    Files.writeString(local, "vcmctl.mode = local\n");
    CliException e = assertThrows(CliException.class, () -> DatabaseOperators.with(local, DatabaseOperators::list));
    assertEquals(local + " sets vcmctl.mode = local; operator --config is for a cluster's database (a single"
        + " daemon keeps its operators in DATA/operators.json: leave --config out)", e.getMessage());
    assertEquals(1, orchestrator("operator", "list", "--config", local.toString()));
  }
}
