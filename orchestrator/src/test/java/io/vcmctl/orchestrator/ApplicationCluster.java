package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cli.BinCommand;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import io.vcmctl.orchestrator.cluster.HsmShard;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * An application's own Pekko Cluster in this JVM: actor systems on loopback (random ports), on
 * one embedded PostgreSQL (a real server, from the Maven artifact) holding the JDBC journal. Each
 * node runs with the configuration docs/embedding.md shows an embedder.
 */
final class ApplicationCluster implements AutoCloseable {

  static final String SYSTEM_NAME = "control-plane";

  private final EmbeddedPostgres postgres;
  final List<ActorSystem<Void>> nodes = new ArrayList<>();

  private ApplicationCluster(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** The database with the journal's tables, and {@code size} nodes that have formed one cluster. */
  static ApplicationCluster start(int size) throws IOException {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    ApplicationCluster cluster = new ApplicationCluster(postgres);
    String url = postgres.getJdbcUrl("postgres", "postgres");
    DbInit.run(new ClusterSettings("cluster", ConfigFactory.parseMap(Map.of("vcmctl.cluster.db.url", url,
        "vcmctl.cluster.db.user", "postgres", "vcmctl.cluster.db.password", "postgres"))));
    for (int i = 0; i < size; i++) {
      cluster.nodes.add(ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, nodeConfig(url)));
    }
    var first = Cluster.get(cluster.nodes.get(0)).selfMember().address();
    cluster.nodes.forEach(node -> Cluster.get(node).manager().tell(Join.create(first)));
    return cluster;
  }

  /** The configuration docs/embedding.md gives a node of an embedder's cluster, pointed at this machine. */
  private static Config nodeConfig(String url) throws IOException {
    String doc = Files.readString(BinCommand.repositoryRoot().resolve("docs").resolve("embedding.md"));
    String section = doc.substring(doc.indexOf("## In your own cluster"));
    int from = section.indexOf("```hocon\n") + "```hocon\n".length();
    String documented = section.substring(from, section.indexOf("```\n", from));
    return ConfigFactory.parseString(String.join("\n",
            "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }",
            // The test joins its nodes itself, on random ports.
            "pekko.cluster.seed-nodes = []",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko-persistence-jdbc.shared-databases.slick.db {",
            "  url = \"" + url + "\"",
            "  user = postgres",
            "  password = postgres",
            "}"))
        .withFallback(ConfigFactory.parseString(documented))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /** The node where HSM {@code esn} runs now, as its shard region says. */
  int holderOf(String esn) {
    for (int i = 0; i < nodes.size(); i++) {
      ActorSystem<Void> node = nodes.get(i);
      if (node.getWhenTerminated().toCompletableFuture().isDone()) {
        continue;
      }
      TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(node);
      ClusterSharding.get(node).shardState().tell(new GetShardRegionState(HsmShard.KEY, probe.ref()));
      boolean holds = probe.receiveMessage(Duration.ofSeconds(10)).getShards().stream()
          .anyMatch(shard -> shard.getEntityIds().contains(esn));
      if (holds) {
        return i;
      }
    }
    throw new AssertionError("no node runs HSM " + esn);
  }

  static void stop(ActorSystem<?> node) {
    node.terminate();
    node.getWhenTerminated().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() throws IOException {
    for (ActorSystem<Void> node : nodes) {
      stop(node);
    }
    postgres.close();
  }
}
