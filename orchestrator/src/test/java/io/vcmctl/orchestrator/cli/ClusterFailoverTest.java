package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.cli.ClusterNodes.Client;
import io.vcmctl.vcm.TestTenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three orchestrator nodes as separate processes on one PostgreSQL journal: every node answers
 * for every HSM and VCM; {@code kill -9} of the node that runs an HSM with active VCMs moves the
 * HSM to another node with every acknowledged command there exactly once, the VCM stopped for
 * its disk use still stopped, and the disk limit still enforced there.
 */
class ClusterFailoverTest {

  private static final String A = "C1A0-0000-000A";
  private static final String B = "C1B0-0000-000B";
  private static final long OVER_LIMIT = 16L * 1024 * 1024 + 1;

  @TempDir
  Path work;

  @Test
  void killingTheNodeOfAnHsmLosesNoAcknowledgedCommand() throws Exception {
    try (ClusterNodes cluster = ClusterNodes.configure(work, 3, List.of(A, B),
        "vcmctl.orchestrator.ask-timeout = 10s")) {
      // db init makes the schema, and a second run changes nothing and succeeds.
      for (int run = 0; run < 2; run++) {
        BinCommand.Result init = BinCommand.run(work, Map.of(), "orchestrator", "db", "init", "--config",
            cluster.configs.get(0).toString());
        assertEquals(0, init.exit(), init.err());
        assertTrue(init.out().contains("ready"), init.out());
      }
      cluster.startAll();
      Client[] nodes = {cluster.client(0), cluster.client(1), cluster.client(2)};
      for (Client node : nodes) {
        assertEquals(List.of(A, B), texts(node.get("/v1/hsms").ok().json().get("hsms")));
      }
      provision(nodes[0], A);
      provision(nodes[1], B);

      // VCMs of HSM A created and started through different nodes; the client logs each acknowledgement.
      List<TestTenant> tenants = List.of(new TestTenant(), new TestTenant(), new TestTenant());
      List<String> started = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        TestTenant tenant = tenants.get(i);
        String uuid = nodes[i].post("/v1/vcms?esn=" + A, "{\"request\": \"" + b64(tenant.createRequest(Map.of(),
            Instant.now())) + "\", \"name\": \"vcm-" + i + "\"}").ok().json().get("uuid").asText();
        nodes[(i + 1) % 3].post("/v1/vcms/" + uuid + "/start", "{}").ok();
        nodes[(i + 2) % 3].tenant(tenant, "enroll", uuid, "{}").ok();
        started.add(uuid);
      }
      TestTenant tenant = tenants.get(0);
      String onB = nodes[2].post("/v1/vcms?esn=" + B, "{\"request\": \"" + b64(tenant.createRequest(Map.of(),
          Instant.now())) + "\", \"name\": \"on-b\"}").ok().json().get("uuid").asText();
      String overDisk = started.get(0);
      nodes[2].tenant(tenant, "data-write", overDisk, "{\"bytes\": " + OVER_LIMIT + "}").ok();
      nodes[1].await("/v1/vcms/" + overDisk, a -> state(a).equals("disk-limit-stopped"), Duration.ofSeconds(30));
      for (Client node : nodes) {
        for (String uuid : List.of(started.get(1), started.get(2))) {
          assertEquals("active", state(node.get("/v1/vcms/" + uuid).ok()));
        }
        assertEquals("inactive", state(node.get("/v1/vcms/" + onB).ok()));
        assertEquals(A, node.get("/v1/hsm/info?esn=" + A).ok().json().get("esn").asText());
      }

      int holder = cluster.holderOf(A);
      long killedAt = System.nanoTime();
      cluster.nodes[holder].kill();
      Client survivor = nodes[(holder + 1) % 3];
      survivor.await("/v1/vcms/" + started.get(1), a -> a.status() == 200, Duration.ofSeconds(90));
      System.out.printf("HSM %s served again %.1f s after kill -9 of the node that ran it%n", A,
          (System.nanoTime() - killedAt) / 1e9);
      assertTrue(cluster.holderOf(A) != holder);

      Client other = nodes[(holder + 2) % 3];
      assertEquals("disk-limit-stopped", state(other.get("/v1/vcms/" + overDisk).ok()));
      for (String uuid : started) {
        List<String> events = texts(other.get("/v1/vcms/" + uuid + "/history").ok().json().get("events"), "event");
        assertEquals(1, events.stream().filter("VcmCreated"::equals).count(), events::toString);
        assertEquals(1, events.stream().filter("VcmStarted"::equals).count(), events::toString);
      }
      assertEquals("active", state(other.get("/v1/vcms/" + started.get(2)).ok()));
      // The HSM's polling moved with it: the disk limit is enforced on its new node.
      survivor.tenant(tenants.get(2), "data-write", started.get(2), "{\"bytes\": " + OVER_LIMIT + "}").ok();
      other.await("/v1/vcms/" + started.get(2), a -> state(a).equals("disk-limit-stopped"), Duration.ofSeconds(30));
      assertTrue(Files.exists(work.resolve("admin.token")));
    }
  }

  private static void provision(Client node, String esn) {
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, 10, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    node.post("/v1/hsm/licence?esn=" + esn, "{\"licence\": \"" + b64(licence) + "\"}").ok();
    node.post("/v1/hsm/network?esn=" + esn, "{\"ipv4\": \"10.20.0.0/24\"}").ok();
    node.post("/v1/hsm/reset?esn=" + esn, "").ok();
  }

  private static String state(Client.Answer answer) {
    return answer.json().path("state").asText();
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static List<String> texts(JsonNode array, String field) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText()).toList();
  }
}
