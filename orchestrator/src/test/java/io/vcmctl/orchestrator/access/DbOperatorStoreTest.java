package io.vcmctl.orchestrator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.vcmctl.orchestrator.cluster.NodeConfFiles;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cluster nodes' operators on one PostgreSQL database (a real server, embedded): what one
 * node does to an operator holds on the other at its next authentication.
 */
class DbOperatorStoreTest {

  private static EmbeddedPostgres postgres;
  private static int databases;

  @TempDir
  Path work;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  /** A database of its own for each test: the tables start empty. */
  private static String freshDatabase() throws SQLException {
    String name = "operators" + (++databases);
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  private ClusterSettings settings(String database) throws IOException {
    return ClusterSettings.load(NodeConfFiles.write(work, postgres.getJdbcUrl("postgres", database)),
        ConfigFactory.empty());
  }

  private AccessControl node(String name, DbOperatorStore store, ClusterSettings settings) {
    DataDirectory dir = TestConfigs.freshDataDirectory(name).create();
    return AccessControl.openShared(dir, store, settings.adminTokenFile(), ConfigFactory.load());
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  @Test
  void whatOneNodeDoesToAnOperatorHoldsOnTheOtherAtItsNextRequest() throws Exception {
    ClusterSettings settings = settings(freshDatabase());
    IllegalStateException noTable = assertThrows(IllegalStateException.class, () -> DbOperatorStore.open(settings));
    assertTrue(noTable.getMessage().contains("has no table vcmctl_operators; run orchestrator db init --config"
        + " FILE once"), noTable.getMessage());
    DbInit.run(settings);
    DbInit.run(settings);

    try (DbOperatorStore storeA = DbOperatorStore.open(settings);
        DbOperatorStore storeB = DbOperatorStore.open(settings)) {
      AccessControl a = node("operators-node-a", storeA, settings);
      AccessControl b = node("operators-node-b", storeB, settings);
      String adminToken = Files.readString(settings.adminTokenFile());
      Operator admin = b.authenticate(bearer(adminToken)).orElseThrow();
      assertEquals(List.of("admin"), a.list().stream().map(Operator::name).toList(), "one bootstrap admin");

      AccessControl.Issued alice = a.add(admin, "alice", Role.OPERATOR);
      assertEquals("alice", b.authenticate(bearer(alice.token())).orElseThrow().name());
      assertEquals(Role.OPERATOR, b.authenticate(bearer(alice.token())).orElseThrow().role());

      AccessControl.Issued rotated = b.rotate(admin, "alice");
      for (AccessControl node : List.of(a, b)) {
        assertTrue(node.authenticate(bearer(alice.token())).isEmpty(), "the rotated token is refused");
        assertEquals("alice", node.authenticate(bearer(rotated.token())).orElseThrow().name());
      }

      a.revoke(admin, "alice");
      for (AccessControl node : List.of(a, b)) {
        assertTrue(node.authenticate(bearer(rotated.token())).isEmpty(), "the revoked token is refused");
      }
      assertFalse(b.list().stream().filter(o -> o.name().equals("alice")).findFirst().orElseThrow().active());
      IllegalStateException reused = assertThrows(IllegalStateException.class,
          () -> b.add(admin, "alice", Role.AUDITOR));
      assertEquals("there is already an operator alice (revoked; names are not reused, so the history keeps"
          + " meaning one person); choose another name", reused.getMessage());

      // A restarted node keeps the shared admin token and every operator.
      AccessControl again = node("operators-node-a2", storeA, settings);
      assertEquals("admin", again.authenticate(bearer(adminToken)).orElseThrow().name());
      assertEquals(List.of("admin", "alice"), again.list().stream().map(Operator::name).toList());
    }
  }

  @Test
  void twoNodesRevokingTheLastTwoAdminsAtOnceLeaveOne() throws Exception {
    ClusterSettings settings = settings(freshDatabase());
    DbInit.run(settings);
    // Threads of their own: the common pool may have a single one on a small machine.
    ExecutorService racers = Executors.newFixedThreadPool(2);
    try (DbOperatorStore storeA = DbOperatorStore.open(settings);
        DbOperatorStore storeB = DbOperatorStore.open(settings)) {
      AccessControl a = node("operators-race-a", storeA, settings);
      node("operators-race-b", storeB, settings);
      Operator admin = a.list().get(0);
      a.add(admin, "carol", Role.ADMIN);
      for (int round = 0; round < 5; round++) {
        String first = round == 0 ? "admin" : "dave" + round;
        String second = "erin" + round;
        if (round > 0) {
          a.add(admin, first, Role.ADMIN);
        }
        a.add(admin, second, Role.ADMIN);
        // Leave exactly the two to race for: revoke every other admin.
        for (Operator o : a.list()) {
          if (o.active() && !o.name().equals(first) && !o.name().equals(second)) {
            a.revoke(admin, o.name());
          }
        }
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Object>> races = new ArrayList<>();
        races.add(CompletableFuture.supplyAsync(() -> revokeAfter(go, storeA, first), racers));
        races.add(CompletableFuture.supplyAsync(() -> revokeAfter(go, storeB, second), racers));
        go.countDown();
        List<Object> outcomes = races.stream().map(CompletableFuture::join).toList();
        assertEquals(1, outcomes.stream().filter(IllegalStateException.class::isInstance).count(), outcomes::toString);
        assertEquals(1, a.list().stream().filter(o -> o.active() && o.role() == Role.ADMIN).count());
        admin = a.list().stream().filter(o -> o.active() && o.role() == Role.ADMIN).findFirst().orElseThrow();
      }
    } finally {
      racers.shutdown();
    }
  }

  private static Object revokeAfter(CountDownLatch go, DbOperatorStore store, String name) {
    try {
      go.await();
      return store.revoke(name, java.time.Instant.now());
    } catch (IllegalStateException e) {
      return e;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aDatabaseThatDoesNotAnswerRefusesTheCallInOneLine() throws Exception {
    String database = freshDatabase();
    ClusterSettings settings = settings(database);
    DbInit.run(settings);
    try (DbOperatorStore store = DbOperatorStore.open(settings)) {
      node("operators-down", store, settings);
      String token = Files.readString(settings.adminTokenFile());
      assertTrue(store.authenticate(token).isPresent());
      // The database goes away under the open connections.
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
        st.execute("DROP DATABASE " + database + " WITH (FORCE)");
      }
      Refusal refused = assertInstanceOf(Refusal.class, assertThrows(RuntimeException.class,
          () -> store.authenticate(token)));
      assertEquals(Refusal.Code.UNAVAILABLE, refused.code());
      assertTrue(refused.getMessage().startsWith("the operators' database jdbc:postgresql:"), refused.getMessage());
      assertTrue(refused.getMessage().endsWith("; try again once PostgreSQL runs"), refused.getMessage());
      assertFalse(refused.getMessage().contains("\n"));
    }
  }
}
