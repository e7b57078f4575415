package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.ADMIN;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.VENDOR;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.vcmctl.orchestrator.cluster.NodeConfFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node of serve's cluster mode reads an HSM's history and audit trail from the shared journal it writes. */
class ClusterNodeHistoryTest {

  static final String ESN = "5E4D-03E0-D949";

  @TempDir
  Path dir;

  @Test
  void aClusterNodeReadsTheHsmsHistoryFromTheSharedJournal() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        ServerSocket free = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      int port = free.getLocalPort();
      free.close();
      Path file = NodeConfFiles.write(dir, postgres.getJdbcUrl("postgres", "postgres"),
          "vcmctl.runtime = simulated",
          "vcmctl.cluster.port = " + port,
          "vcmctl.cluster.seed-nodes = [\"127.0.0.1:" + port + "\"]",
          "vcmctl.cluster.hsms = [\"" + ESN + "\"]");
      ClusterSettings settings = ClusterSettings.load(file, ConfigFactory.empty());
      DbInit.run(settings);
      try (Orchestrator node = ClusterNode.start(OrchestratorConfig.of(dir.resolve("data"), VENDOR.getPublic()),
          settings)) {
        OrchestratorFacadeTest.ready(node, ESN, 1);
        List<HistoryEntry> history = await(node.hsmHistory(ESN));
        assertEquals(List.of("IdentityEstablished", "LicenceApplied", "NetworkConfigured"),
            history.stream().map(HistoryEntry::event).limit(3).toList());
        // Signed with the module key in the shared module-keys directory, not the node's data directory.
        ObjectNode checkpoint = await(node.auditExport(ESN, ADMIN)).get(history.size() + 1);
        assertEquals("checkpoint", checkpoint.path("record").asText());
        assertEquals(history.size(), checkpoint.path("entries").asLong());
      }
    }
  }
}
