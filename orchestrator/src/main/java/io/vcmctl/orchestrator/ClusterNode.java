package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.HsmShard;
import io.vcmctl.orchestrator.cluster.VcmHomes;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.stats.StatsSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * One node of a cluster of orchestrators ({@code vcmctl.mode = cluster}): joins the cluster,
 * takes its share of the fleet's HSMs through Cluster Sharding, registers the HSMs its
 * configuration names, and answers for every HSM of the fleet through the same facade.
 */
public final class ClusterNode {

  private static final int REGISTER_ATTEMPTS = 3;

  private ClusterNode() {}

  /**
   * Starts the node; returns once the HSMs its configuration names answer and the fleet is known.
   *
   * @throws IllegalStateException one line when the node cannot join or an HSM does not start
   */
  public static Orchestrator start(OrchestratorConfig config, ClusterSettings settings) {
    Config effective = settings.config();
    DataDirectory dir = DataDirectory.of(config.dataDir()).create();
    List<String> configured = Stream.concat(settings.hsms().stream(), config.esns().stream())
        .map(Esns::canonical).distinct().toList();
    HsmAssembly assembly = HsmAssembly.forFleet(config, effective, settings);
    StatsSettings stats = assembly.stats();
    Runtimes.Chosen chosen = assembly.chosen();
    Function<String, HsmEnvironment> environments = assembly.environments();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME, effective);
    if (config.runtime() == null) {
      system.getWhenTerminated().thenRun(assembly.release());
    }
    try {
      awaitUp(system, settings.section().getDuration("join-timeout"));
      HsmShard.init(system, environments, stats);
      VcmHomes.init(system);
      Duration timeout = effective.getDuration("vcmctl.orchestrator.ask-timeout");
      ClusterPlacement placement = new ClusterPlacement(system, effective.getString(
          "vcmctl.orchestrator.read-journal"), timeout);
      // Starting an HSM that has never run registers it: it persists its identity at once.
      for (String esn : configured) {
        register(system, placement, esn, timeout);
      }
      // After the whole fleet stopped, nothing else would start the HSMs that no node names, and
      // an HSM that is not running is not polled: wake every one (they start where sharding says).
      for (String esn : placement.refresh().toCompletableFuture().get(timeout.toSeconds(), TimeUnit.SECONDS)) {
        placement.entity(esn).tell(new HsmEntity.GetInfo(system.ignoreRef()));
      }
      return new Orchestrator(system, placement, dir, settings.moduleKeys(), chosen.description(), true);
    } catch (Exception e) {
      system.terminate();
      Throwable cause = e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException
          ? e.getCause() : e;
      throw new IllegalStateException("this node did not start: " + cause.getMessage(), cause);
    }
  }

  /** Until this node is a member of the cluster: before that, no HSM can be placed anywhere. */
  private static void awaitUp(ActorSystem<?> system, Duration timeout) throws Exception {
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.complete(null));
    try {
      up.get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("it did not join the cluster within " + timeout.toSeconds() + " s (check that"
          + " the nodes of vcmctl.cluster.seed-nodes run and reach each other, and this node's host and port)", e);
    }
  }

  /** Asks the HSM until it answers: while another node hands it over, a first ask may go unanswered. */
  private static void register(ActorSystem<?> system, ClusterPlacement placement, String esn, Duration timeout)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        Asks.<HsmEntity.Command, StatusReply<HsmInfo>>ask(system, placement.entity(esn), HsmEntity.GetInfo::new,
            timeout, "HSM " + esn).get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (attempt == REGISTER_ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
