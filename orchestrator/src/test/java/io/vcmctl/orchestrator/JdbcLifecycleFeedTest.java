package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.ADMIN;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.VENDOR;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.orchestrator.feed.LifecycleEvent;
import io.vcmctl.orchestrator.feed.LifecycleFeed;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.SimulatedRuntime;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** The lifecycle feed over the JDBC journal of a cluster: one order for the events of every node, resumable. */
class JdbcLifecycleFeedTest {

  static final String ESN = "5E4D-03E0-D948";

  static List<LifecycleEvent> current(ActorSystem<?> node, long offset) {
    return await(LifecycleFeed.create(node).currentFrom(offset).runWith(Sink.seq(), node));
  }

  static List<String> types(List<LifecycleEvent> events) {
    return events.stream().map(LifecycleEvent::type).toList();
  }

  @Test
  void handsOutTheEventsOfBothNodesInOneOrderAndResumesAfterAStoredOffset() throws Exception {
    Path shared = TestConfigs.freshDataDirectory("jdbc-feed").root();
    // One module that both nodes reach, as a network-attached HSM is.
    SimulatedRuntime module = SimulatedRuntime.fromConfig(ConfigFactory.load());
    OrchestratorConfig config = new OrchestratorConfig(shared, List.of(), null, VENDOR.getPublic(), module, null, null);
    try (ApplicationCluster cluster = ApplicationCluster.start(2)) {
      List<CompletionStage<Orchestrator>> starting = List.of(
          EmbeddedOrchestrator.sharded(cluster.nodes.get(0), config.withEsns(List.of(ESN))),
          EmbeddedOrchestrator.sharded(cluster.nodes.get(1), config));
      List<Orchestrator> nodes = starting.stream().map(OrchestratorFacadeTest::await).toList();
      OrchestratorFacadeTest.ready(nodes.get(0), ESN, 1);
      UUID vcm = await(nodes.get(0).createVcm(ESN, new TestTenant().createRequest(Map.of("name", "a"), Instant.now()),
          ProviderChoices.NONE, ADMIN)).view().uuid();
      await(nodes.get(0).startVcm(vcm, null, ADMIN));

      int holder = cluster.holderOf(ESN);
      int other = 1 - holder;
      ActorSystem<Void> reader = cluster.nodes.get(other);
      List<LifecycleEvent> first = current(reader, LifecycleFeed.BEGINNING);
      assertEquals(List.of("IdentityEstablished", "LicenceApplied", "NetworkConfigured", "ResetBegan",
          "ResetStopsCompleted", "ResetCompleted", "VcmAdmitted", "VcmCreated", "VcmStarted"), types(first),
          "what the node running the HSM wrote, read on the other node");
      long stored = first.get(first.size() - 1).offset();
      CompletionStage<List<LifecycleEvent>> live = LifecycleFeed.create(reader).from(stored).take(1)
          .runWith(Sink.seq(), reader);

      // The node running the HSM leaves: the HSM moves to the other node, which writes from then on.
      ActorSystem<Void> leaving = cluster.nodes.get(holder);
      Cluster.get(leaving).manager().tell(Leave.create(Cluster.get(leaving).selfMember().address()));
      leaving.getWhenTerminated().toCompletableFuture().join();
      Orchestrator survivor = nodes.get(other);
      assertEquals(VcmStatus.INACTIVE, await(survivor.stopVcm(vcm, false, ADMIN)).status());
      assertEquals(other, cluster.holderOf(ESN));
      await(survivor.startVcm(vcm, null, ADMIN));
      assertEquals(List.of("VcmStopped"), types(await(live)), "the live feed carries on with the other node's events");

      List<LifecycleEvent> all = current(reader, LifecycleFeed.BEGINNING);
      assertEquals(first, all.subList(0, first.size()), "the first node's events keep their place and offsets");
      assertEquals(List.of("VcmStopped", "VcmStarted"), types(all.subList(first.size(), all.size())));
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        assertTrue(seen.add(all.get(i).persistenceId() + "#" + all.get(i).sequenceNr()), "once: " + all.get(i));
        assertTrue(i == 0 || all.get(i).offset() > all.get(i - 1).offset(), "offsets grow: " + all);
      }
      assertEquals(all.subList(first.size(), all.size()), current(reader, stored),
          "resumed after the first node's last event: the second node's, none missed or repeated");
      assertEquals(all.subList(5, all.size()), current(reader, all.get(4).offset()), "resumed mid-way");
    }
  }
}
