package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cli.ClusterNodes.Client;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code serve --config} processes on one PostgreSQL: an operator added through one node
 * works on the other, and one revoked through the other is refused by both at its next call.
 */
class ClusterOperatorsTest {

  @TempDir
  Path work;

  @Test
  void anOperatorRevokedThroughOneNodeIsRefusedByEveryNodeAtItsNextCall() throws Exception {
    try (ClusterNodes cluster = ClusterNodes.configure(work, 2, List.of())) {
      // Node 0 alone is the seed: it forms the cluster at once instead of waiting for node 1's JVM.
      Matcher port = Pattern.compile("(?m)^  port = (\\d+)$").matcher(Files.readString(cluster.configs.get(0)));
      assertTrue(port.find());
      for (Path config : cluster.configs) {
        Files.writeString(config, "vcmctl.cluster.seed-nodes = [\"127.0.0.1:" + port.group(1) + "\"]\n",
            StandardOpenOption.APPEND);
      }
      DbInit.run(ClusterSettings.load(cluster.configs.get(0), ConfigFactory.empty()));
      cluster.startAll();
      Client admin0 = cluster.client(0);
      Client admin1 = cluster.client(1);

      JsonNode added = admin0.post("/v1/operators", "{\"name\": \"alice\", \"role\": \"auditor\"}").ok().json();
      Path aliceToken = work.resolve("alice.token");
      Files.writeString(aliceToken, added.get("token").asText());
      Client[] alice = {new Client(admin0.base, aliceToken), new Client(admin1.base, aliceToken)};
      for (Client node : alice) {
        node.get("/v1/hsms").ok();
        assertEquals(403, node.post("/v1/operators", "{\"name\": \"bob\", \"role\": \"admin\"}").status(),
            "an auditor may not add operators on any node");
      }

      assertEquals("revoked", admin1.post("/v1/operators/alice/revoke", "{}").ok().json().get("state").asText());
      for (Client node : alice) {
        assertEquals(401, node.get("/v1/hsms").status(), node.base + " still took the revoked token");
      }
      for (Client node : List.of(admin0, admin1)) {
        JsonNode list = node.get("/v1/operators").ok().json().get("operators");
        assertEquals("[admin active, alice revoked]", StreamSupport.stream(list.spliterator(), false)
            .map(o -> o.get("name").asText() + " " + o.get("state").asText()).toList().toString());
      }
    }
  }
}
