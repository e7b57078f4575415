package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.orchestrator.cluster.HsmShard;
import io.vcmctl.orchestrator.cluster.VcmHomes;
import io.vcmctl.persistence.DataDirectory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@link EmbeddedOrchestrator#sharded}: the HSMs as Cluster Sharding entities of an embedder's
 * own cluster, started without blocking the caller (who may be one of its actors).
 */
final class ShardedHsms {

  private static final int REGISTER_ATTEMPTS = 3;
  private static final String LEVELDB = "pekko.persistence.journal.leveldb";
  private static final String LEVELDB_QUERY = "pekko.persistence.query.journal.leveldb";

  private ShardedHsms() {}

  static CompletionStage<Orchestrator> start(ActorSystem<?> system, OrchestratorConfig config, Config effective) {
    requireSharedJournal(effective);
    List<String> configured = config.esns().stream().map(Esns::canonical).distinct().toList();
    DataDirectory dir = DataDirectory.of(config.dataDir()).create();
    HsmAssembly assembly = HsmAssembly.of(config, effective, dir.resolve("hsm"));
    if (config.runtime() == null) {
      // A runtime made here is released with the system; an embedder's own stays theirs.
      system.getWhenTerminated().thenRun(assembly.runtime()::close);
    }
    HsmShard.init(system, assembly.environments(), assembly.stats());
    VcmHomes.init(system);
    Duration timeout = effective.getDuration("vcmctl.orchestrator.ask-timeout");
    ClusterPlacement placement = new ClusterPlacement(system, effective.getString("vcmctl.orchestrator.read-journal"),
        timeout);
    CompletionStage<Void> registered = memberUp(system, effective.getDuration("vcmctl.cluster.join-timeout"));
    // Starting an HSM that has never run registers it: it persists its identity at once.
    for (String esn : configured) {
      registered = registered.thenCompose(x -> register(system, placement, esn, timeout, 1));
    }
    return registered.thenCompose(x -> placement.refresh()).thenApply(fleet -> {
      // An HSM that is not running is not polled: wake every one (it starts where sharding says).
      fleet.forEach(esn -> placement.entity(esn).tell(new HsmEntity.GetInfo(system.ignoreRef())));
      return new Orchestrator(system, placement, dir, assembly.chosen().description(), false);
    });
  }

  /** LevelDB is one process's store: nodes that do not share their journal would each run the HSMs anew. */
  private static void requireSharedJournal(Config config) {
    String provider = config.getString("pekko.actor.provider");
    if (!provider.equals("cluster") && !provider.endsWith(".ClusterActorRefProvider")) {
      throw new IllegalArgumentException("the actor system is not a cluster node (pekko.actor.provider = " + provider
          + "); set pekko.actor.provider = cluster, or start the HSMs with EmbeddedOrchestrator.spawn");
    }
    if (config.getString("pekko.persistence.journal.plugin").equals(LEVELDB)) {
      throw new IllegalArgumentException("sharded HSMs need a journal every node shares, not LevelDB; set"
          + " pekko.persistence.journal.plugin = jdbc-journal (docs/embedding.md)");
    }
    for (String key : List.of("vcmctl.orchestrator.read-journal", "vcmctl.audit.read-journal")) {
      if (config.getString(key).equals(LEVELDB_QUERY)) {
        throw new IllegalArgumentException(key + " reads the LevelDB journal; set it to the read journal of the shared"
            + " one (jdbc-read-journal)");
      }
    }
  }

  /** Until this node is a member: before that, no HSM can be placed anywhere. */
  private static CompletionStage<Void> memberUp(ActorSystem<?> system, Duration timeout) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.complete(null));
    return up.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> CompletableFuture
        .failedFuture(new IllegalStateException("this node did not join the cluster within " + timeout.toSeconds()
            + " s (vcmctl.cluster.join-timeout); check its seed nodes and that the nodes reach each other")));
  }

  /** Asks the HSM until it answers: while another node hands it over, a first ask may go unanswered. */
  private static CompletionStage<Void> register(ActorSystem<?> system, ClusterPlacement placement, String esn,
      Duration timeout, int attempt) {
    return Asks.<HsmEntity.Command, StatusReply<HsmInfo>>ask(system, placement.entity(esn), HsmEntity.GetInfo::new,
            timeout, "HSM " + esn)
        .<CompletionStage<Void>>handle((info, failure) -> failure == null || attempt == REGISTER_ATTEMPTS
            ? (failure == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(failure))
            : register(system, placement, esn, timeout, attempt + 1))
        .thenCompose(next -> next);
  }
}
