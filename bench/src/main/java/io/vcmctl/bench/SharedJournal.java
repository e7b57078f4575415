package io.vcmctl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.bench.Table.Goal;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.ClusterNode;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.orchestrator.OrchestratorConfig;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * 9. The shared journal: durable start/stop through the facade on one node with the JDBC
 * journal on a real PostgreSQL (embedded, same machine) against the same on LevelDB, and on
 * three cluster nodes in this JVM (three HSMs spread by sharding, each command sent to the
 * facade of a node chosen round robin, so two in three cross nodes). Rounds alternate between
 * the set-ups so that drift in the machine's load hits them alike.
 */
final class SharedJournal {

  private static final int VCMS_PER_HSM = 34;
  private static final List<String> ESNS = List.of("BE4C-0000-0091", "BE4C-0000-0092", "BE4C-0000-0093");

  private SharedJournal() {}

  static void run(Bench bench) {
    int perEntity = bench.quick() ? 6 : 60;
    int rounds = bench.quick() ? 1 : 3;
    int workers = VCMS_PER_HSM * ESNS.size();
    double[][] perSecond = new double[3][rounds];
    double[][] p99 = new double[3][rounds];
    // Durable as LevelDB is here (fsync on): the embedded server's defaults trade that for speed.
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on").start()) {
      Path root = bench.dir("shared-journal");
      // One database per cluster: a cluster's sharding keeps its own records in the journal.
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE one");
      }
      List<Path> files = configs(root.resolve("three"), postgres.getJdbcUrl("postgres", "postgres"), 3);
      Path oneFile = configs(root.resolve("one"), postgres.getJdbcUrl("postgres", "one"), 1).get(0);
      DbInit.run(ClusterSettings.load(files.get(0), ConfigFactory.empty()));
      DbInit.run(ClusterSettings.load(oneFile, ConfigFactory.empty()));
      try (Orchestrator leveldb = Product.start(root.resolve("leveldb"), Product.IDLE_POLLER);
          Orchestrator single = node(root.resolve("single"), oneFile)) {
        List<Orchestrator> three = startThree(root, files);
        try {
          Product.ready(leveldb);
          List<UUID> onLevelDb = Product.createAll(leveldb, Product.createRequests(Product.tenants(workers)));
          List<UUID> onJdbc = provision(List.of(single), List.of(ESNS.get(0)), workers);
          List<UUID> spread = provision(three, ESNS, VCMS_PER_HSM);
          Driver.Op[] ops = {lifecycle(List.of(leveldb), onLevelDb), lifecycle(List.of(single), onJdbc),
              lifecycle(three, spread)};
          for (Driver.Op op : ops) {
            Driver.run(workers, 10, op);
          }
          for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < ops.length; s++) {
              Driver.Result result = Driver.run(workers, perEntity, ops[s]);
              perSecond[s][r] = result.perSecond();
              p99[s][r] = result.percentileMillis(0.99);
            }
          }
        } finally {
          three.forEach(Orchestrator::close);
        }
      }
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("section 10: " + e.getMessage(), e);
    }
    double[] jdbcRatio = new double[rounds];
    double[] threeRatio = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      jdbcRatio[r] = perSecond[1][r] / perSecond[0][r];
      threeRatio[r] = perSecond[2][r] / perSecond[0][r];
    }
    Table t = bench.table();
    String what = " (" + workers * perEntity + " cmds, " + workers + " in flight)";
    t.add("9", "start/stop, LevelDB, one process, cmd/s" + what, perSecond[0], Table::count, Goal.NONE, 0);
    t.add("9", "  latency p99", p99[0], Table::ms, Goal.NONE, 0);
    t.add("9", "start/stop, JDBC on PostgreSQL, one node, cmd/s" + what, perSecond[1], Table::count, Goal.NONE, 0);
    t.add("9", "  latency p99", p99[1], Table::ms, Goal.NONE, 0);
    t.add("9", "start/stop, JDBC, 3 nodes in one JVM, 3 HSMs, cmd/s" + what, perSecond[2], Table::count,
        Goal.NONE, 0);
    t.add("9", "  latency p99", p99[2], Table::ms, Goal.NONE, 0);
    t.add("9", "JDBC one node / LevelDB (per round)", jdbcRatio, Table::ratio, Goal.NONE, 0);
    t.add("9", "JDBC 3 nodes / LevelDB (per round)", threeRatio, Table::ratio, Goal.NONE, 0);
  }

  /** Even counts per VCM: every round starts and ends with all of them inactive. */
  private static Driver.Op lifecycle(List<Orchestrator> nodes, List<UUID> vcms) {
    return (w, nth) -> {
      Orchestrator o = nodes.get(w % nodes.size());
      return nth % 2 == 0 ? o.startVcm(vcms.get(w), null, Product.ADMIN)
          : o.stopVcm(vcms.get(w), false, Product.ADMIN);
    };
  }

  /** Each HSM added, licensed, networked and reset, then {@code perHsm} VCMs created on it. */
  private static List<UUID> provision(List<Orchestrator> nodes, List<String> esns, int perHsm) {
    List<UUID> vcms = new ArrayList<>();
    Orchestrator o = nodes.get(0);
    for (String esn : esns) {
      Product.await(o.addHsm(esn));
      Product.await(o.applyLicence(esn, Licence.of(esn, true, SpeedRating.HIGH, 1000, List.of(), Instant.now())
          .sign(Product.VENDOR), Product.ADMIN));
      Product.await(o.setNetwork(esn, Network.ipv4("10.20.0.0/16"), Product.ADMIN));
      Product.await(o.reset(esn, Product.ADMIN));
    }
    List<CompletableFuture<UUID>> creates = new ArrayList<>();
    for (int i = 0; i < perHsm; i++) {
      for (String esn : esns) {
        creates.add(o.createVcm(esn, Product.Tenant.generate().createRequest("vcm-" + i), ProviderChoices.NONE,
            Product.ADMIN).thenApply(c -> c.view().uuid()).toCompletableFuture());
      }
    }
    creates.forEach(c -> vcms.add(c.join()));
    return vcms;
  }

  private static List<Orchestrator> startThree(Path root, List<Path> files) {
    List<CompletableFuture<Orchestrator>> starts = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path dir = root.resolve("node-" + i);
      Path file = files.get(i);
      starts.add(CompletableFuture.supplyAsync(() -> node(dir, file)));
    }
    List<Orchestrator> nodes = starts.stream().map(CompletableFuture::join).toList();
    // The HSMs are added once every node is up, so that sharding spreads them over the three.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (StreamSupport.stream(Cluster.get(nodes.get(0).system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count() < nodes.size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the three nodes did not form a cluster within 60 s");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return nodes;
  }

  private static Orchestrator node(Path dir, Path file) {
    OrchestratorConfig config = OrchestratorConfig.of(dir, Product.VENDOR.getPublic())
        .withStatsDelay(Product.IDLE_POLLER).withRuntimeChoice("simulated");
    Config overrides = ConfigFactory.parseString("pekko.cluster.jmx.multi-mbeans-in-same-jvm = on")
        .withFallback(Product.QUIET).withFallback(Orchestrator.overrides(config));
    return ClusterNode.start(config, ClusterSettings.load(file, overrides));
  }

  private static List<Path> configs(Path root, String url, int size) throws IOException {
    Files.createDirectories(root);
    Path password = root.resolve("db.password");
    Files.writeString(password, "postgres");
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      seeds.add("\"127.0.0.1:" + freePort() + "\"");
    }
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Path file = root.resolve("node-" + i + ".conf");
      Files.writeString(file, String.join("\n",
          "vcmctl.mode = cluster",
          "vcmctl.cluster {",
          "  host = \"127.0.0.1\"",
          "  port = " + seeds.get(i).replaceAll(".*:(\\d+)\"", "$1"),
          "  seed-nodes = [" + String.join(", ", seeds) + "]",
          "  module-keys = \"" + root.resolve("module-keys") + "\"",
          "  admin-token-file = \"" + root.resolve("admin.token") + "\"",
          "  db { url = \"" + url + "\", user = postgres,"
              + " password-file = \"" + password + "\" }",
          "}", ""));
      files.add(file);
    }
    return files;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
