package io.vcmctl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * 11. Failover: {@code kill -9} of the node that runs an HSM with active VCMs, until a command
 * for that HSM is accepted through another node. Three {@code bin/orchestrator serve}
 * processes on an embedded PostgreSQL; after each kill the killed node is started again, and
 * the next kill hits whichever node then runs the HSM. Two set-ups: the defaults
 * ({@code vcmctl.cluster.down-after} 20 s, Pekko's heartbeat pause 3 s) and the shorter
 * failure detection of the failover test (5 s and 5 s).
 */
final class Failover {

  private static final String ESN = "FA11-0000-0001";
  private static final String SHORT = "vcmctl.cluster.down-after = 5s\n"
      + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 5s\n";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  /** A new attempt this often while the HSM is away: the resolution of the figure. */
  private static final long ATTEMPT_EVERY_MS = 200;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Beside bench-data, which bench/run removes at exit: the nodes' logs stay to read after a failure. */
  private static final Path LOGS = Path.of("bench/target/failover-logs");

  private Failover() {}

  static void run(Bench bench) {
    int kills = bench.quick() ? 1 : 3;
    Machine.delete(LOGS);
    double[] defaults;
    double[] shorter;
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      // One database per cluster: a cluster's sharding keeps its own records in the journal.
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE defaults");
        st.execute("CREATE DATABASE shorter");
      }
      defaults = measure(bench.dir("failover-defaults"), postgres.getJdbcUrl("postgres", "defaults"), "", kills);
      shorter = measure(bench.dir("failover-shorter"), postgres.getJdbcUrl("postgres", "shorter"), SHORT, kills);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("section 11: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("section 11 interrupted", e);
    }
    Table t = bench.table();
    t.add("11", "kill -9 → HSM served on another node, defaults (down-after 20 s, heartbeat pause 3 s)", defaults,
        Table::seconds, Table.Goal.NONE, 0, "kills");
    t.add("11", "kill -9 → HSM served on another node, down-after 5 s, heartbeat pause 5 s", shorter,
        Table::seconds, Table.Goal.NONE, 0, "kills");
  }

  /** Seconds from each kill to the first command accepted for the HSM through a surviving node. */
  private static double[] measure(Path root, String url, String settings, int kills)
      throws IOException, InterruptedException {
    List<Path> files = configs(root, url, settings);
    DbInit.run(ClusterSettings.load(files.get(0), ConfigFactory.empty()));
    Node[] nodes = new Node[files.size()];
    try {
      List<CompletableFuture<Node>> starts = new ArrayList<>();
      for (int i = 0; i < nodes.length; i++) {
        Path file = files.get(i);
        Path dir = root.resolve("node-" + i);
        starts.add(CompletableFuture.supplyAsync(() -> Node.start(dir, file)));
      }
      for (int i = 0; i < nodes.length; i++) {
        nodes[i] = starts.get(i).join();
      }
      Client client = new Client(Files.readString(root.resolve("admin.token"), StandardCharsets.US_ASCII));
      String first = nodes[0].url;
      byte[] licence = Licence.of(ESN, true, SpeedRating.MID, 10, List.of(), Instant.now()).sign(DemoVendor.keyPair());
      client.ok(first, "/v1/hsm/licence?esn=" + ESN, "{\"licence\": \"" + b64(licence) + "\"}");
      client.ok(first, "/v1/hsm/network?esn=" + ESN, "{\"ipv4\": \"10.20.0.0/24\"}");
      client.ok(first, "/v1/hsm/reset?esn=" + ESN, "");
      // Three active VCMs on the HSM, and an inactive one whose start is the probe.
      for (int i = 0; i < 3; i++) {
        client.ok(first, "/v1/vcms/" + create(client, first, "active-" + i) + "/start", "{}");
      }
      String probe = create(client, first, "probe");
      double[] seconds = new double[kills];
      for (int k = 0; k < kills; k++) {
        for (int i = 0; i < nodes.length; i++) {
          if (!nodes[i].process.isAlive()) {
            // Downed while it lived (a pause longer than the failure detection allows): it exited.
            System.err.printf(Locale.ROOT, "[bench] section 11: node %d had exited (log %s); started again%n", i,
                nodes[i].log);
            nodes[i] = Node.start(root.resolve("node-" + i), files.get(i));
          }
        }
        int holder = holderOf(nodes);
        long killedAt = System.nanoTime();
        nodes[holder].kill();
        String survivor = nodes[(holder + 1) % nodes.length].url;
        seconds[k] = (served(client, survivor, probe) - killedAt) / 1e9;
        System.err.printf(Locale.ROOT, "[bench] section 11: kill %d of %d%s: served again after %.1f s%n", k + 1,
            kills, settings.isEmpty() ? " (defaults)" : " (shorter detection)", seconds[k]);
        stopped(client, nodes, probe);
        nodes[holder] = Node.start(root.resolve("node-" + holder), files.get(holder));
      }
      return seconds;
    } finally {
      for (Node node : nodes) {
        if (node != null) {
          node.process.destroyForcibly().waitFor();
        }
      }
    }
  }

  /**
   * Sends a start of the probe every {@value #ATTEMPT_EVERY_MS} ms until one is answered by the
   * HSM (accepted, or refused because an earlier attempt already started it); the nano time of
   * that first answer. Attempts that reach the node while the HSM is away wait or fail with 503.
   */
  private static long served(Client client, String node, String probe) throws InterruptedException {
    CompletableFuture<Long> first = new CompletableFuture<>();
    List<CompletableFuture<?>> attempts = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!first.isDone()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("section 11: the HSM was not served again within 300 s of the kill");
      }
      attempts.add(client.post(node, "/v1/vcms/" + probe + "/start", "{}").thenAccept(r -> {
        if (r.statusCode() == 200 || r.statusCode() == 409) {
          first.complete(System.nanoTime());
        }
      }).exceptionally(e -> null));
      TimeUnit.MILLISECONDS.sleep(ATTEMPT_EVERY_MS); // the client's pace, not a wait for an actor
    }
    // The later attempts end too (refused: already active) before the probe is stopped again.
    CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new)).join();
    return first.join();
  }

  /** Stops the probe again through any running node; a connection a node dropped is tried again. */
  private static void stopped(Client client, Node[] nodes, String probe) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int n = 0; System.nanoTime() < deadline; n++) {
      Node node = nodes[n % nodes.length];
      if (node.process.isAlive()) {
        try {
          HttpResponse<String> r = client.post(node.url, "/v1/vcms/" + probe + "/stop", "{}").join();
          if (r.statusCode() == 200 || r.body().contains("NOT_ACTIVE")) {
            return;
          }
        } catch (CompletionException e) {
          // Dropped by a node that is going down; the next one is asked.
        }
      }
      TimeUnit.MILLISECONDS.sleep(500); // the client's pace between retries
    }
    throw new IllegalStateException("section 11: the probe VCM could not be stopped again within 120 s");
  }

  private static String create(Client client, String node, String name) {
    Product.Tenant tenant = Product.Tenant.generate();
    return client.ok(node, "/v1/vcms?esn=" + ESN, "{\"request\": \"" + b64(tenant.createRequest(name))
        + "\", \"name\": \"" + name + "\"}").get("uuid").asText();
  }

  /** The running node whose log says last (by its timestamp) that it runs the HSM. */
  private static int holderOf(Node[] nodes) throws IOException {
    int holder = -1;
    OffsetDateTime latest = OffsetDateTime.MIN;
    for (int i = 0; i < nodes.length; i++) {
      if (!nodes[i].process.isAlive()) {
        continue;
      }
      for (String line : Files.readAllLines(nodes[i].log)) {
        if (line.contains("HSM " + ESN + " runs on this node")) {
          OffsetDateTime at = OffsetDateTime.parse(line.substring(0, line.indexOf(' ')));
          if (!at.isBefore(latest)) {
            latest = at;
            holder = i;
          }
        }
      }
    }
    if (holder < 0) {
      throw new IllegalStateException("section 11: no node says it runs HSM " + ESN);
    }
    return holder;
  }

  private static List<Path> configs(Path root, String url, String settings) throws IOException {
    Files.createDirectories(root);
    Path password = root.resolve("db.password");
    Files.writeString(password, "postgres");
    // Made before the first start, as docs/operations.md says: every node reads the same token.
    byte[] token = new byte[32];
    new SecureRandom().nextBytes(token);
    Path tokenFile = Files.createFile(root.resolve("admin.token"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tokenFile, HexFormat.of().formatHex(token), StandardCharsets.US_ASCII);
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seeds.add("\"127.0.0.1:" + freePort() + "\"");
    }
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path file = root.resolve("node-" + i + ".conf");
      Files.writeString(file, String.join("\n",
          "vcmctl.mode = cluster",
          "vcmctl.runtime = simulated",
          "vcmctl.cluster {",
          "  host = \"127.0.0.1\"",
          "  port = " + seeds.get(i).replaceAll(".*:(\\d+)\"", "$1"),
          "  seed-nodes = [" + String.join(", ", seeds) + "]",
          "  hsms = [\"" + ESN + "\"]",
          "  module-keys = \"" + root.resolve("module-keys") + "\"",
          "  admin-token-file = \"" + tokenFile + "\"",
          "  db { url = \"" + url + "\", user = postgres, password-file = \"" + password + "\" }",
          "}",
          settings));
      files.add(file);
    }
    return files;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** One {@code bin/orchestrator serve --config} process, its output in a log file beside its data. */
  private record Node(Process process, String url, Path log) {

    static Node start(Path dataDir, Path file) {
      try {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("bin/orchestrator", "serve", "--config", file.toString(),
            "--data-dir", dataDir.toString(), "--port", String.valueOf(port)).redirectErrorStream(true);
        // This JVM's class path holds the orchestrator and its dependencies: no build, no Maven.
        pb.environment().put("VCMCTL_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA_OPTS", "-Dlogback.configurationFile=logback.xml");
        Process process = pb.start();
        process.getOutputStream().close();
        Path log = Files.createDirectories(LOGS).resolve(dataDir.getParent().getFileName() + "-"
            + dataDir.getFileName() + "-" + process.pid() + ".log");
        String url = "http://127.0.0.1:" + port;
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
          try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
              StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
              out.write(line + "\n");
              out.flush(); // read while the node runs, to find the HSM's holder
              if (line.equals("listening on " + url)) {
                listening.complete(null);
              }
            }
          } catch (IOException e) {
            listening.completeExceptionally(e);
          }
          listening.completeExceptionally(new IllegalStateException("serve ended without listening; see " + log));
        }, "serve-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
          listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
          process.destroyForcibly();
          throw new IllegalStateException("section 11: a node did not start: " + e.getMessage() + " (log " + log + ")");
        }
        return new Node(process, url, log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("section 11: serve survived kill -9");
      }
    }
  }

  /** The HTTP API with the fleet's admin token. */
  private static final class Client {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    Client(String token) {
      this.token = token.strip();
    }

    CompletableFuture<HttpResponse<String>> post(String node, String path, String body) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(node + path)).timeout(Duration.ofSeconds(90))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ok(String node, String path, String body) {
      HttpResponse<String> r = post(node, path, body).join();
      if (r.statusCode() != 200) {
        throw new IllegalStateException("section 11: POST " + path + " answered " + r.statusCode() + " " + r.body());
      }
      try {
        return JSON.readTree(r.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
