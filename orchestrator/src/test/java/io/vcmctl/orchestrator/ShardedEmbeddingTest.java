package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.ADMIN;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.VENDOR;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.await;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** The HSMs as sharded entities of an application's own cluster, driven through the facade and by message. */
class ShardedEmbeddingTest {

  static final String ESN = "5E4D-03E0-D947";
  static final Duration ASK = Duration.ofSeconds(30);

  /** What an embedder does with a protocol message: askWithStatus to the HSM's entity. */
  static <T> CompletionStage<T> askHsm(Orchestrator o, String esn,
      Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    return AskPattern.askWithStatus(o.hsmRef(esn), command::apply, ASK, o.system().scheduler());
  }

  @Test
  void runsTheHsmsInTheApplicationsClusterOneNodeCreatesAnotherStopsBothRefuseAlike() throws Exception {
    Path shared = TestConfigs.freshDataDirectory("sharded").root();
    try (ApplicationCluster cluster = ApplicationCluster.start(2)) {
      ActorSystem<Void> nodeA = cluster.nodes.get(0);
      ActorSystem<Void> nodeB = cluster.nodes.get(1);
      OrchestratorConfig config = OrchestratorConfig.of(shared, VENDOR.getPublic());
      CompletionStage<Orchestrator> startingA = EmbeddedOrchestrator.sharded(nodeA, config.withEsns(List.of(ESN)));
      CompletionStage<Orchestrator> startingB = EmbeddedOrchestrator.sharded(nodeB, config);
      Orchestrator a = await(startingA);
      Orchestrator b = await(startingB);
      assertSame(nodeA, a.system(), "no second actor system");
      assertSame(nodeB, b.system(), "no second actor system");

      OrchestratorFacadeTest.ready(a, ESN, 1);
      UUID vcm = await(a.createVcm(ESN, new TestTenant().createRequest(Map.of("name", "a"), Instant.now()),
          ProviderChoices.NONE, ADMIN)).view().uuid();
      assertEquals(VcmStatus.ACTIVE, await(a.startVcm(vcm, null, ADMIN)).status());

      VcmView stopped = await(ShardedEmbeddingTest.<VcmView>askHsm(b, ESN,
          r -> new HsmEntity.StopVcm(vcm, false, ADMIN, r)));
      assertEquals(VcmStatus.INACTIVE, stopped.status(), "stopped by a protocol message from the other node");
      assertEquals(VcmStatus.INACTIVE, await(b.vcm(vcm)).status(), "read through the other node's facade");
      assertEquals(List.of(ESN), await(b.fleet()), "every node knows the fleet");
      assertEquals(List.of("IdentityEstablished", "LicenceApplied", "NetworkConfigured"), await(b.hsmHistory(ESN))
          .stream().map(HistoryEntry::event).limit(3).toList(), "the HSM's history, read from the shared journal");
      assertEquals("checkpoint", await(b.auditExport(ESN, ADMIN)).stream().reduce((x, y) -> y).orElseThrow()
          .path("record").asText(), "signed with the HSM's key in the shared data directory, wherever it runs");
      TestProbe.create(nodeB).awaitAssert(ASK, () -> await(b.pollerStatus(ESN)));

      // R3 with one VCM licensed: the facade of A and a message from B give the same refusal.
      assertEquals(VcmStatus.ACTIVE, await(b.startVcm(vcm, null, ADMIN)).status());
      UUID second = await(b.createVcm(ESN, new TestTenant().createRequest(Map.of("name", "b"), Instant.now()),
          ProviderChoices.NONE, ADMIN)).view().uuid();
      Refusal byFacade = refusal(a.startVcm(second, null, ADMIN));
      Refusal byMessage = refusal(ShardedEmbeddingTest.<VcmView>askHsm(b, ESN,
          r -> new HsmEntity.StartVcm(second, null, ADMIN, r)));
      assertEquals(Refusal.Code.ACTIVE_LIMIT_REACHED, byFacade.code());
      assertEquals(byFacade.code(), byMessage.code());
      assertEquals(byFacade.getMessage(), byMessage.getMessage());
      UUID unknown = UUID.randomUUID();
      Refusal missingByFacade = refusal(b.vcm(unknown));
      Refusal missingByMessage = refusal(ShardedEmbeddingTest.<VcmView>askHsm(a, ESN,
          r -> new HsmEntity.GetVcm(unknown, r)));
      assertEquals(Refusal.Code.NOT_FOUND, missingByFacade.code());
      assertEquals(missingByFacade.code(), missingByMessage.code());

      a.close();
      assertFalse(nodeA.getWhenTerminated().toCompletableFuture().isDone(), "close leaves the application's system");
    }
  }

  @Test
  void refusesAnActorSystemThatIsNotAClusterNodeInOneLine() {
    ActorSystem<Void> local = ActorSystem.create(Behaviors.empty(), "not-a-cluster",
        TestConfigs.levelDb(TestConfigs.freshDataDirectory("not-a-cluster")));
    try {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> EmbeddedOrchestrator
          .sharded(local, OrchestratorConfig.of(TestConfigs.freshDataDirectory("x").root(), VENDOR.getPublic())));
      assertTrue(refused.getMessage().contains("pekko.actor.provider = cluster"), refused.getMessage());
      assertFalse(refused.getMessage().contains("\n"));
    } finally {
      ApplicationCluster.stop(local);
    }
  }
}
