package io.vcmctl.orchestrator.cli;

import static io.vcmctl.orchestrator.cli.BinCommand.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.TestTenant;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.stream.Collectors;

/**
 * A cluster of {@code orchestrator serve --config} processes on loopback, on one embedded
 * PostgreSQL (a real server, started from the Maven artifact), for the multi-node tests.
 */
final class ClusterNodes implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  /** Only for its probes' awaitAssert: the nodes are processes, polled over HTTP. */
  private static final ActorTestKit PATIENCE = ActorTestKit.create("cluster-test-patience");

  final Path work;
  final List<Path> configs = new ArrayList<>();
  final ServeProcess[] nodes;
  private final EmbeddedPostgres postgres;

  private ClusterNodes(Path work, EmbeddedPostgres postgres, int size) {
    this.work = work;
    this.postgres = postgres;
    this.nodes = new ServeProcess[size];
  }

  /** Writes one settings file per node (all seeds, HSMs {@code esns}); starts nothing yet. */
  static ClusterNodes configure(Path work, int size, List<String> esns, String... extraSettings) throws IOException {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    ClusterNodes cluster = new ClusterNodes(work, postgres, size);
    Path password = work.resolve("db.password");
    Files.writeString(password, "postgres\n");
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      seeds.add("\"127.0.0.1:" + freePort() + "\"");
    }
    for (int i = 0; i < size; i++) {
      String port = seeds.get(i).replaceAll(".*:(\\d+)\"", "$1");
      Path config = work.resolve("node-" + i + ".conf");
      Files.writeString(config, String.join("\n",
          "vcmctl.mode = cluster",
          "vcmctl.runtime = simulated",
          "vcmctl.cluster {",
          "  host = \"127.0.0.1\"",
          "  port = " + port,
          "  seed-nodes = [" + String.join(", ", seeds) + "]",
          "  down-after = 5s",
          "  hsms = [" + esns.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", ")) + "]",
          "  module-keys = \"" + work.resolve("module-keys") + "\"",
          "  admin-token-file = \"" + work.resolve("admin.token") + "\"",
          "  db {",
          "    url = \"" + postgres.getJdbcUrl("postgres", "postgres") + "\"",
          "    user = postgres",
          "    password-file = \"" + password + "\"",
          "    connections = 4",
          "  }",
          "}",
          // Loopback: a node is suspected after 5 s without heartbeats (Pekko waits longer by default).
          "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 5s",
          String.join("\n", extraSettings),
          ""));
      cluster.configs.add(config);
    }
    return cluster;
  }

  /** Starts the nodes at once (the first seed forms the cluster) and waits until each listens. */
  void startAll() {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      int n = i;
      starts.add(CompletableFuture.runAsync(() -> start(n)));
    }
    starts.forEach(CompletableFuture::join);
  }

  void start(int n) {
    try {
      // The product's own logging (the test class path's sends everything to the test's capture).
      nodes[n] = ServeProcess.start(work, work.resolve("node-" + n), START_TIMEOUT,
          Map.of("JAVA_OPTS", "-Dlogback.configurationFile=logback.xml"),
          "--config", configs.get(n).toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Client client(int n) {
    return new Client(nodes[n].url, work.resolve("admin.token"));
  }

  /** The running node whose log says last (by its timestamp) that it runs HSM {@code esn}. */
  int holderOf(String esn) throws IOException {
    int holder = -1;
    OffsetDateTime latest = OffsetDateTime.MIN;
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] == null || !nodes[i].process.isAlive()) {
        continue;
      }
      String phrase = "HSM " + esn + " runs on this node";
      for (String line : nodes[i].output().lines().filter(l -> l.contains(phrase)).toList()) {
        OffsetDateTime at = OffsetDateTime.parse(line.substring(0, line.indexOf(' ')));
        if (!at.isBefore(latest)) {
          latest = at;
          holder = i;
        }
      }
    }
    if (holder < 0) {
      fail("no running node says it runs HSM " + esn);
    }
    return holder;
  }

  @Override
  public void close() throws IOException {
    for (ServeProcess node : nodes) {
      if (node != null) {
        node.process.destroyForcibly();
      }
    }
    postgres.close();
  }

  /** The HTTP API of one node, with the admin token the nodes share. */
  static final class Client {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    final String base;
    private final String token;

    Client(String base, Path tokenFile) {
      this.base = base;
      try {
        this.token = Files.readString(tokenFile, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** One answer: its status and its JSON body. */
    record Answer(int status, JsonNode json) {
      Answer ok() {
        assertEquals(200, status, json::toString);
        return this;
      }
    }

    Answer get(String path) {
      return send(request(path).GET());
    }

    Answer post(String path, String body, Duration timeout) {
      return send(request(path).timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer post(String path, String body) {
      return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer tenant(TestTenant tenant, String action, String vcm, String body) {
      String path = "/v1/tenant/vcms/" + vcm + "/" + action;
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
          .POST(HttpRequest.BodyPublishers.ofString(body));
      TenantCall.sign(tenant.sshadmin, "POST", path, body.getBytes(StandardCharsets.UTF_8), Instant.now())
          .forEach(b::header);
      return send(b);
    }

    /** Asks until an answer passes {@code until} or {@code timeout} ends; connection failures count as no. */
    Answer await(String path, Predicate<Answer> until, Duration timeout) {
      return PATIENCE.createTestProbe().awaitAssert(timeout, Duration.ofMillis(250), () -> {
        Answer last;
        try {
          // A call that reached a node just lost waits for the node's ask timeout: ask again instead.
          last = send(request(path).timeout(Duration.ofSeconds(3)).GET());
        } catch (UncheckedIOException e) {
          throw new AssertionError(base + path + ": no answer (" + e.getCause() + ")");
        }
        assertTrue(until.test(last), () -> base + path + ": " + last.status() + " " + last.json());
        return last;
      });
    }

    private HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    }

    private Answer send(HttpRequest.Builder request) {
      try {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JsonViews.MAPPER.readTree(r.body()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
