package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.stats.StatsSettings;
import io.vcmctl.vcm.VcmRuntime;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The orchestrator inside an embedder's own {@link ActorSystem}: no second actor system, and
 * the settings come from that system's configuration (the modules' {@code reference.conf} give
 * the defaults). With {@link #spawn} the HSMs and their stats pollers become children of the
 * embedder's actor, typically its guardian, and live as long as it does; each is restarted with
 * backoff when it fails. With {@link #sharded} they are Cluster Sharding entities of the
 * embedder's own cluster. The {@link Orchestrator} returned drives them like the one
 * {@link Orchestrator#start} returns; its {@code close()} leaves the embedder's system alone.
 */
public final class EmbeddedOrchestrator {

  private EmbeddedOrchestrator() {}

  /**
   * Spawns every HSM of {@code config}'s data directory as children of {@code parent}; call it
   * from that actor (in its {@code Behaviors.setup}, for instance). The system's journal must
   * be the LevelDB journal under that data directory ({@code DataDirectory.of(dir).config()} in
   * front of the application's configuration) or another journal the application configured.
   *
   * @throws IllegalArgumentException in one line, when the LevelDB journal is elsewhere or the
   *     runtime cannot be made
   */
  public static Orchestrator spawn(ActorContext<?> parent, OrchestratorConfig config) {
    ActorSystem<?> system = parent.getSystem();
    Config effective = overrides(config).withFallback(system.settings().config());
    DataDirectory dir = DataDirectory.of(config.dataDir()).create();
    requireJournalIn(dir, effective);
    List<String> esns = Esns.resolve(dir, config.esns());
    HsmAssembly assembly = HsmAssembly.of(config, effective, dir.resolve("hsm"));
    StatsSettings stats = assembly.stats();
    Runtimes.Chosen chosen = assembly.chosen();
    VcmRuntime runtime = assembly.runtime();
    if (config.runtime() == null) {
      // A runtime made here is released with the system; an embedder's own stays theirs.
      system.getWhenTerminated().thenRun(runtime::close);
    }
    Map<String, Guardian.Hsm> hsms = new LinkedHashMap<>();
    for (String esn : esns) {
      hsms.put(esn, Guardian.spawn(parent, esn, assembly.environments().apply(esn), stats));
    }
    return new Orchestrator(system, new LocalPlacement(Map.copyOf(hsms), esns), dir, chosen.description(), false);
  }

  /**
   * Starts the HSMs as sharded entities of the cluster {@code system} belongs to (its
   * configuration has {@code pekko.actor.provider = cluster} and a journal every node shares, such
   * as the JDBC journal): each HSM with its stats poller runs on the node sharding picks, and the
   * directory of VCMs is sharded too. Call it once on every node, with the same shared data
   * directory (it holds each HSM's module key, which moves with the HSM). The HSMs of
   * {@code config.esns()} join the fleet; the answer completes once this node is a member, they
   * answer and the fleet is read; it fails, in one line, when this node does not join within
   * {@code vcmctl.cluster.join-timeout} or such an HSM does not answer. Every HSM ever started in the
   * shared journal is reachable from the facade of every node.
   *
   * @throws IllegalArgumentException in one line, when the system is not a cluster node, its
   *     journal is not shared, an ESN is malformed or the runtime cannot be made
   */
  public static CompletionStage<Orchestrator> sharded(ActorSystem<?> system, OrchestratorConfig config) {
    return ShardedHsms.start(system, config, overrides(config).withFallback(system.settings().config()));
  }

  private static Config overrides(OrchestratorConfig config) {
    Config overrides = ConfigFactory.empty();
    if (config.statsDelay() != null) {
      overrides = overrides.withValue("vcmctl.stats.delay",
          ConfigValueFactory.fromAnyRef(config.statsDelay().toMillis() + "ms"));
    }
    if (config.runtimeChoice() != null) {
      overrides = overrides.withValue("vcmctl.runtime", ConfigValueFactory.fromAnyRef(config.runtimeChoice()));
    }
    return overrides;
  }

  /** The module keys and the journal must live in one data directory, or a restart finds one without the other. */
  private static void requireJournalIn(DataDirectory dir, Config config) {
    String leveldb = "pekko.persistence.journal.leveldb";
    if (!leveldb.equals(config.getString("pekko.persistence.journal.plugin"))) {
      return;
    }
    Path journal = Path.of(config.getString(leveldb + ".dir")).toAbsolutePath().normalize();
    if (!journal.equals(dir.journal())) {
      throw new IllegalArgumentException("the actor system's LevelDB journal is " + journal + ", not " + dir.journal()
          + " under the data directory; put DataDirectory.of(dir).config() in front of the application's configuration");
    }
  }
}
