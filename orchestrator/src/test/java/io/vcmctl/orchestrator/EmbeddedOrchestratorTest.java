package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.orchestrator.feed.LifecycleEvent;
import io.vcmctl.orchestrator.feed.LifecycleFeed;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** The orchestrator inside an application's own actor system, under the application's guardian. */
class EmbeddedOrchestratorTest {

  static final Principal ADMIN = OrchestratorFacadeTest.ADMIN;

  /** An application whose guardian starts the HSMs as its own children and hands out the facade. */
  static Behavior<Void> application(OrchestratorConfig config, CompletableFuture<Orchestrator> started) {
    return Behaviors.setup(ctx -> {
      try {
        started.complete(EmbeddedOrchestrator.spawn(ctx, config));
      } catch (IllegalArgumentException e) {
        started.completeExceptionally(e);
      }
      return Behaviors.empty();
    });
  }

  static ActorSystem<Void> run(Config appConfig, OrchestratorConfig config, CompletableFuture<Orchestrator> started) {
    return ActorSystem.create(application(config, started), "provider-control-plane", appConfig);
  }

  static void stop(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void runsTheHsmsAsChildrenOfTheApplicationsGuardianInItsOwnSystem() throws Exception {
    DataDirectory dir = TestConfigs.freshDataDirectory("embedded");
    Config appConfig = TestConfigs.levelDb(dir);
    OrchestratorConfig config = OrchestratorConfig.of(dir.root(), OrchestratorFacadeTest.VENDOR.getPublic())
        .withEsns(List.of("5E4D-03E0-D947"));
    CompletableFuture<Orchestrator> started = new CompletableFuture<>();
    ActorSystem<Void> system = run(appConfig, config, started);
    UUID vcm;
    try {
      Orchestrator o = started.get(30, TimeUnit.SECONDS);
      assertSame(system, o.system(), "no second actor system");
      system.classicSystem().actorSelection("/user/hsm-5E4D-03E0-D947").resolveOne(Duration.ofSeconds(5))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      system.classicSystem().actorSelection("/user/stats-5E4D-03E0-D947").resolveOne(Duration.ofSeconds(5))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);

      OrchestratorFacadeTest.ready(o, null, 1);
      vcm = OrchestratorFacadeTest.await(o.createVcm(null, new TestTenant().createRequest(Map.of("name", "a"),
          Instant.now()), ProviderChoices.NONE, ADMIN)).view().uuid();
      assertEquals(VcmStatus.ACTIVE, OrchestratorFacadeTest.await(o.startVcm(vcm, null, ADMIN)).status());
      assertEquals(Refusal.Code.NOT_FOUND, OrchestratorFacadeTest.refusal(o.vcm(UUID.randomUUID())).code());
      List<LifecycleEvent> feed = OrchestratorFacadeTest.await(LifecycleFeed.create(system)
          .currentFrom(LifecycleFeed.BEGINNING).runWith(Sink.seq(), system));
      assertEquals("VcmStarted", feed.get(feed.size() - 1).type(), "the feed reads the application's journal");

      o.close();
      assertFalse(system.getWhenTerminated().toCompletableFuture().isDone(), "close leaves the application's system");
      assertEquals(VcmStatus.ACTIVE, OrchestratorFacadeTest.await(o.vcm(vcm)).status());
    } finally {
      stop(system);
    }

    CompletableFuture<Orchestrator> again = new CompletableFuture<>();
    ActorSystem<Void> restarted = run(appConfig, config, again);
    try {
      assertEquals(VcmStatus.ACTIVE, OrchestratorFacadeTest.await(again.get(30, TimeUnit.SECONDS).vcm(vcm)).status(),
          "the application's restart is not an HSM reset");
    } finally {
      stop(restarted);
    }
  }

  @Test
  void refusesADataDirectoryWhoseJournalTheApplicationDoesNotWrite() throws Exception {
    Config appConfig = TestConfigs.levelDb(TestConfigs.freshDataDirectory("app-journal"));
    Path elsewhere = TestConfigs.freshDataDirectory("keys-elsewhere").root();
    CompletableFuture<Orchestrator> started = new CompletableFuture<>();
    ActorSystem<Void> system = run(appConfig,
        OrchestratorConfig.of(elsewhere, OrchestratorFacadeTest.VENDOR.getPublic()), started);
    try {
      CompletionException e = assertThrows(CompletionException.class, started::join);
      IllegalArgumentException refused = assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertTrue(refused.getMessage().contains("put DataDirectory.of(dir).config() in front"), refused.getMessage());
      assertFalse(refused.getMessage().contains("\n"));
    } finally {
      stop(system);
    }
  }
}
