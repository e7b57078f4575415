package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.cli.ClusterNodes.Client;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.vcmctl.vcm.TestTenant;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart of three nodes, one at a time (SIGTERM, then start again), under a steady
 * trickle of start and stop commands sent to every node in turn: no acknowledged command is
 * lost or doubled, and every command that failed during a handover failed with an answer or a
 * refused connection, never by hanging.
 */
class ClusterRollingRestartTest {

  private static final String ESN = "C1C0-0000-000C";
  private static final int VCMS = 3;
  /** Longer than a node's ask timeout (10 s here): a call that takes this long has hung. */
  private static final Duration HANG = Duration.ofSeconds(30);

  @TempDir
  Path work;

  /** One command of the trickle and how it ended. */
  private record Sent(String vcm, String op, int status, boolean hung) {}

  @Test
  void aRollingRestartLosesNoAcknowledgedCommand() throws Exception {
    try (ClusterNodes cluster = ClusterNodes.configure(work, 3, List.of(ESN),
        "vcmctl.orchestrator.ask-timeout = 10s")) {
      DbInit.run(ClusterSettings.load(cluster.configs.get(0), ConfigFactory.empty()));
      cluster.startAll();
      AtomicReferenceArray<Client> nodes = new AtomicReferenceArray<>(3);
      for (int i = 0; i < 3; i++) {
        nodes.set(i, cluster.client(i));
      }
      Client first = nodes.get(0);
      byte[] licence = Licence.of(ESN, true, SpeedRating.MID, 10, List.of(), Instant.now()).sign(DemoVendor.keyPair());
      first.post("/v1/hsm/licence", "{\"licence\": \"" + b64(licence) + "\"}").ok();
      first.post("/v1/hsm/network", "{\"ipv4\": \"10.30.0.0/24\"}").ok();
      first.post("/v1/hsm/reset", "").ok();
      List<String> vcms = new ArrayList<>();
      for (int i = 0; i < VCMS; i++) {
        vcms.add(nodes.get(i).post("/v1/vcms", "{\"request\": \"" + b64(new TestTenant().createRequest(Map.of(),
            Instant.now())) + "\", \"name\": \"r" + i + "\"}").ok().json().get("uuid").asText());
      }

      ConcurrentLinkedQueue<Sent> log = new ConcurrentLinkedQueue<>();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread trickle = new Thread(() -> {
        for (int n = 0; running.get(); n++) {
          String vcm = vcms.get(n % VCMS);
          String op = (n / VCMS) % 2 == 0 ? "start" : "stop";
          log.add(send(nodes.get(n % 3), vcm, op));
          try {
            TimeUnit.MILLISECONDS.sleep(50); // the client's own pace: a trickle, not a flood
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "command-trickle");
      trickle.start();
      for (int i = 0; i < 3; i++) {
        cluster.nodes[i].stop();
        cluster.start(i);
        nodes.set(i, cluster.client(i));
      }
      running.set(false);
      trickle.join(HANG.toMillis() * 2);

      List<Sent> sent = List.copyOf(log);
      assertTrue(sent.stream().noneMatch(Sent::hung), () -> "commands hung: " + sent.stream().filter(Sent::hung).toList());
      assertTrue(sent.stream().filter(s -> s.status() == 200).count() >= 10, sent::toString);
      for (String vcm : vcms) {
        List<String> events = texts(nodes.get(1).await("/v1/vcms/" + vcm + "/history", a -> a.status() == 200,
            Duration.ofSeconds(60)).json().get("events"), "event");
        for (String op : List.of("start", "stop")) {
          String event = op.equals("start") ? "VcmStarted" : "VcmStopped";
          long acked = sent.stream().filter(s -> s.vcm().equals(vcm) && s.op().equals(op) && s.status() == 200).count();
          // A call unanswered in time (503) or cut off (no status) may still have completed; a refusal did not.
          long mayHave = sent.stream().filter(s -> s.vcm().equals(vcm) && s.op().equals(op)
              && (s.status() == 0 || s.status() >= 500)).count();
          long recorded = events.stream().filter(event::equals).count();
          assertTrue(recorded >= acked && recorded <= acked + mayHave, () -> vcm + " " + op + ": " + acked
              + " acknowledged, " + mayHave + " unanswered, " + recorded + " recorded: " + events);
        }
      }
      System.out.printf("rolling restart: %d commands, %d acknowledged, %d refused or failed cleanly%n", sent.size(),
          sent.stream().filter(s -> s.status() == 200).count(), sent.stream().filter(s -> s.status() != 200).count());
    }
  }

  /** A start or stop through {@code node}; status 0 is a refused or dropped connection. */
  private static Sent send(Client node, String vcm, String op) {
    try {
      return new Sent(vcm, op, node.post("/v1/vcms/" + vcm + "/" + op, "{}", HANG).status(), false);
    } catch (UncheckedIOException e) {
      return new Sent(vcm, op, 0, e.getCause() instanceof HttpTimeoutException);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static List<String> texts(JsonNode array, String field) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText()).toList();
  }
}
