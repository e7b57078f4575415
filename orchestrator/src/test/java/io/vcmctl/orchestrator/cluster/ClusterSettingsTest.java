package io.vcmctl.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What serve --config and db init make of an operator's settings file, and how they refuse a bad one. */
class ClusterSettingsTest {

  @TempDir
  Path dir;

  private Path file(String... lines) throws IOException {
    Path password = dir.resolve("db.password");
    Files.writeString(password, "s3cret\n");
    Path file = dir.resolve("node.conf");
    Files.writeString(file, String.join("\n", lines).replace("PASSWORD", password.toString()));
    return file;
  }

  private Path cluster(String... extra) throws IOException {
    List<String> lines = new java.util.ArrayList<>(List.of(
        "vcmctl.mode = cluster",
        "vcmctl.cluster.seed-nodes = [\"10.0.0.11:25520\", \"10.0.0.12:25520\"]",
        "vcmctl.cluster.module-keys = /srv/keys",
        "vcmctl.cluster.admin-token-file = /srv/admin.token",
        "vcmctl.cluster.db.url = \"jdbc:postgresql://10.0.0.10/vcmctl\"",
        "vcmctl.cluster.db.password-file = \"PASSWORD\""));
    lines.addAll(List.of(extra));
    return file(lines.toArray(String[]::new));
  }

  @Test
  void aClusterFileBecomesPekkoSettings() throws IOException {
    ClusterSettings s = ClusterSettings.load(cluster("vcmctl.cluster.host = 10.0.0.11"), ConfigFactory.empty());
    assertTrue(s.cluster());
    assertEquals(List.of("pekko://vcm-orchestrator@10.0.0.11:25520", "pekko://vcm-orchestrator@10.0.0.12:25520"),
        s.config().getStringList("pekko.cluster.seed-nodes"));
    assertEquals("10.0.0.11", s.config().getString("pekko.remote.artery.canonical.hostname"));
    assertEquals("cluster", s.config().getString("pekko.actor.provider"));
    assertEquals("jdbc-journal", s.config().getString("pekko.persistence.journal.plugin"));
    assertEquals("keep-majority", s.config().getString("pekko.cluster.split-brain-resolver.active-strategy"));
    // The password comes from its file, without the newline an editor leaves.
    assertEquals("s3cret", s.config().getString("pekko-persistence-jdbc.shared-databases.slick.db.password"));
    assertEquals(Path.of("/srv/keys"), s.moduleKeys());
  }

  @Test
  void aLocalFileKeepsTheEmbeddedStore() throws IOException {
    ClusterSettings s = ClusterSettings.load(file("vcmctl.orchestrator.http.port = 9001"), ConfigFactory.empty());
    assertFalse(s.cluster());
    assertEquals(9001, s.config().getInt("vcmctl.orchestrator.http.port"));
    assertEquals("pekko.persistence.journal.leveldb", s.config().getString("pekko.persistence.journal.plugin"));
  }

  @Test
  void aBadFileIsRefusedInOneLineNamingTheKey() throws IOException {
    refused(dir.resolve("missing.conf"), "no such file");
    refused(file("vcmctl.mode = galaxy"), "vcmctl.mode = galaxy is neither local nor cluster");
    refused(file("vcmctl.mode = cluster {"), "is not valid HOCON");
    refused(cluster("vcmctl.cluster.db.url = \"jdbc:mysql://x/y\""), "vcmctl.cluster.db.url must be a jdbc:postgresql:");
    refused(cluster("vcmctl.cluster.seed-nodes = [\"10.0.0.11\"]"), "'10.0.0.11' is not host:port");
    refused(cluster("vcmctl.cluster.seed-nodes = []"), "vcmctl.cluster.seed-nodes is empty");
    refused(cluster("vcmctl.cluster.module-keys = \"\""), "vcmctl.cluster.module-keys is not set");
    refused(cluster("vcmctl.cluster.db.password-file = \"" + dir.resolve("nope") + "\""),
        "cannot read vcmctl.cluster.db.password-file");
  }

  @Test
  void theShippedSchemaIsMadeSafeToRunTwice() {
    List<String> statements = DbInit.statements();
    List<String> indexes = statements.stream().filter(st -> st.matches("(?is)CREATE\\s+(UNIQUE\\s+)?INDEX.*")).toList();
    assertFalse(indexes.isEmpty());
    assertTrue(indexes.stream().allMatch(st -> st.contains("IF NOT EXISTS")), indexes::toString);
    assertTrue(statements.stream().filter(st -> st.startsWith("CREATE TABLE")).allMatch(st -> st.contains("IF NOT EXISTS")));
    // CONCURRENTLY is kept: each statement runs on its own, outside any transaction.
    assertTrue(indexes.stream().anyMatch(st -> st.contains("CONCURRENTLY IF NOT EXISTS")), indexes::toString);
  }

  private static void refused(Path file, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterSettings.load(file, ConfigFactory.empty()));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }
}
