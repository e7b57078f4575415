package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.cli.ClusterNodes.Client;
import io.vcmctl.vcm.TestTenant;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three orchestrator nodes as separate processes on one PostgreSQL journal, in one scenario
 * (a cluster takes long to start on two cores): every node answers for every HSM and VCM;
 * {@code kill -9} of the node that runs an HSM with active VCMs moves the HSM to another node
 * with every acknowledged command there exactly once, the VCM stopped for its disk use still
 * stopped, and the disk limit still enforced there. Then, under a steady trickle of start and
 * stop commands sent to every node in turn, the killed node is started again and all three are
 * restarted one at a time (SIGTERM, start): no acknowledged command is lost or doubled, every
 * command that failed during a handover failed with an answer or a refused connection, never by
 * hanging, and the only refusals are the handover's own: unavailable, or a VCM already in the
 * state asked for after an earlier command on it went unanswered (the client otherwise sends
 * the command the state it knows calls for).
 */
class ClusterFailoverTest {

  private static final String A = "C1A0-0000-000A";
  private static final String B = "C1B0-0000-000B";
  private static final String C = "C1C0-0000-000C";
  private static final long OVER_LIMIT = 16L * 1024 * 1024 + 1;
  /** Longer than a node's ask timeout (10 s here): a call that takes this long has hung. */
  private static final Duration HANG = Duration.ofSeconds(30);

  /** Status 0: the node refused the connection, so the command was never sent. */
  private static final String NOT_SENT = "CONNECTION_REFUSED";
  /** Status 0: the connection was dropped or timed out after the command was sent. */
  private static final String NO_ANSWER = "NO_ANSWER";

  /**
   * One command of the trickle and how it ended. {@code known}: the client knew the VCM's
   * state, so it sent the command that state calls for, which the HSM then cannot refuse for it.
   */
  private record Sent(String vcm, String op, int status, String code, boolean known, boolean hung) {

    /** A failure a handover explains; anything else is a defect. */
    boolean expected() {
      return status == 200 || code.equals(NOT_SENT) || code.equals(NO_ANSWER) || code.equals("UNAVAILABLE")
          || !known && (code.equals("ALREADY_ACTIVE") || code.equals("NOT_ACTIVE"));
    }
  }

  @TempDir
  Path work;

  @Test
  void killingANodeAndRollingTheRestLosesNoAcknowledgedCommand() throws Exception {
    try (ClusterNodes cluster = ClusterNodes.configure(work, 3, List.of(A, B),
        "vcmctl.orchestrator.ask-timeout = 10s")) {
      // db init makes the schema, and a second run changes nothing and succeeds.
      DbInit.run(ClusterSettings.load(cluster.configs.get(0), ConfigFactory.empty()));
      BinCommand.Result init = BinCommand.run(work, Map.of(), "orchestrator", "db", "init", "--config",
          cluster.configs.get(0).toString());
      assertEquals(0, init.exit(), init.err());
      assertTrue(init.out().contains("ready"), init.out());
      cluster.startAll();
      Client[] nodes = {cluster.client(0), cluster.client(1), cluster.client(2)};
      for (Client node : nodes) {
        assertEquals(List.of(A, B), texts(node.get("/v1/hsms").ok().json().get("hsms")));
      }
      provision(nodes[0], A);
      provision(nodes[1], B);
      // An HSM added by an admin call on one node is in the fleet that every node lists.
      assertEquals(C, nodes[2].post("/v1/hsms", "{\"esn\": \"" + C + "\"}").ok().json().get("esn").asText());
      for (Client node : nodes) {
        assertEquals(List.of(A, B, C), texts(node.get("/v1/hsms").ok().json().get("hsms")));
      }

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

      List<String> trickled = List.of(create(other, A, new TestTenant()), onB);
      AtomicReferenceArray<Client> clients = new AtomicReferenceArray<>(nodes);
      ConcurrentLinkedQueue<Sent> log = new ConcurrentLinkedQueue<>();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread trickle = new Thread(() -> {
        // Both VCMs start inactive; a VCM whose last command went unanswered has an unknown state.
        Set<String> active = new HashSet<>();
        Set<String> unknown = new HashSet<>();
        for (int n = 0; running.get(); n++) {
          String vcm = trickled.get(n % 2);
          boolean known = !unknown.contains(vcm);
          String op = known ? (active.contains(vcm) ? "stop" : "start") : (n / 2) % 2 == 0 ? "start" : "stop";
          Sent sent = send(clients.get(n % 3), vcm, op, known);
          log.add(sent);
          // An answer from the HSM (done, or refused for the state it is in) tells the state again.
          boolean nowActive = sent.status() == 200 ? op.equals("start") : sent.code().equals("ALREADY_ACTIVE");
          if (sent.status() == 200 || sent.code().equals("ALREADY_ACTIVE") || sent.code().equals("NOT_ACTIVE")) {
            unknown.remove(vcm);
            if (nowActive) {
              active.add(vcm);
            } else {
              active.remove(vcm);
            }
          } else if (!sent.code().equals(NOT_SENT)) {
            unknown.add(vcm);
          }
          try {
            TimeUnit.MILLISECONDS.sleep(50); // the client's own pace: a trickle, not a flood
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "command-trickle");
      trickle.start();
      cluster.start(holder);
      clients.set(holder, cluster.client(holder));
      // Then a rolling restart of all three, the one just started again included.
      for (int i = 0; i < 3; i++) {
        int n = (holder + 1 + i) % 3;
        cluster.nodes[n].stop();
        cluster.start(n);
        clients.set(n, cluster.client(n));
      }
      running.set(false);
      trickle.join(HANG.toMillis() * 2);

      List<Sent> sent = List.copyOf(log);
      assertTrue(sent.stream().noneMatch(Sent::hung), () -> "commands hung: " + sent.stream().filter(Sent::hung).toList());
      assertTrue(sent.stream().allMatch(Sent::expected), () -> "refusals a handover does not explain: "
          + sent.stream().filter(s -> !s.expected()).toList());
      assertTrue(sent.stream().filter(s -> s.status() == 200).count() >= 10, sent::toString);
      for (String vcm : trickled) {
        List<String> events = texts(clients.get(holder).await("/v1/vcms/" + vcm + "/history",
            a -> a.status() == 200, Duration.ofSeconds(60)).json().get("events"), "event");
        for (String op : List.of("start", "stop")) {
          String event = op.equals("start") ? "VcmStarted" : "VcmStopped";
          long acked = sent.stream().filter(s -> s.vcm().equals(vcm) && s.op().equals(op) && s.status() == 200).count();
          // A call unanswered in time (503) or cut off once sent may still have completed; a refusal did not.
          long mayHave = sent.stream().filter(s -> s.vcm().equals(vcm) && s.op().equals(op)
              && (s.code().equals(NO_ANSWER) || s.status() >= 500)).count();
          long recorded = events.stream().filter(event::equals).count();
          assertTrue(recorded >= acked && recorded <= acked + mayHave, () -> vcm + " " + op + ": " + acked
              + " acknowledged, " + mayHave + " unanswered, " + recorded + " recorded: " + events);
        }
      }
      System.out.printf("rolling restart: %d commands, %d acknowledged, %d refused or failed cleanly %s%n", sent.size(),
          sent.stream().filter(s -> s.status() == 200).count(), sent.stream().filter(s -> s.status() != 200).count(),
          sent.stream().filter(s -> s.status() != 200).collect(Collectors.groupingBy(
              Sent::code, TreeMap::new, Collectors.counting())));
    }
  }

  private static String create(Client node, String esn, TestTenant tenant) {
    return node.post("/v1/vcms?esn=" + esn, "{\"request\": \"" + b64(tenant.createRequest(Map.of(), Instant.now()))
        + "\", \"name\": \"trickle\"}").ok().json().get("uuid").asText();
  }

  private static Sent send(Client node, String vcm, String op, boolean known) {
    try {
      Client.Answer answer = node.post("/v1/vcms/" + vcm + "/" + op, "{}", HANG);
      return new Sent(vcm, op, answer.status(), answer.json().path("error").path("code").asText(), known, false);
    } catch (UncheckedIOException e) {
      return new Sent(vcm, op, 0, e.getCause() instanceof ConnectException ? NOT_SENT : NO_ANSWER, known,
          e.getCause() instanceof HttpTimeoutException);
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
