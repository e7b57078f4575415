package com.example.controlplane;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.EmbeddedOrchestrator;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.orchestrator.OrchestratorConfig;
import io.vcmctl.orchestrator.feed.LifecycleFeed;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.SignedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A provider's control plane that embeds the VCM orchestrator: one actor system of its own, on
 * LevelDB under {@code HOME/orchestrator}, whose guardian runs the HSM as its child; VCMs driven
 * through the {@code CompletionStage} facade and through protocol messages; and a read model of
 * the active VCMs per tenant kept from the lifecycle feed in {@code HOME/active-vcms.txt}.
 *
 * <p>{@code main} runs a short session on a fresh HOME and prints the read model; run again on
 * the same HOME, it resumes the feed where the read model stopped and prints it.
 */
public final class ControlPlane implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Principal OPERATOR = Principal.provider("control-plane");

  private final ActorSystem<Void> system;
  private final Orchestrator orchestrator;
  private final ActiveVcmsPerTenant readModel;
  private volatile CompletionStage<Done> following = new CompletableFuture<>();

  private ControlPlane(ActorSystem<Void> system, Orchestrator orchestrator, ActiveVcmsPerTenant readModel) {
    this.system = system;
    this.orchestrator = orchestrator;
    this.readModel = readModel;
  }

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args.length > 0 ? args[0] : "control-plane");
    boolean fresh = !Files.exists(home.resolve("vendor.pub"));
    KeyPair vendor = PublicKeys.generateEd25519();
    if (fresh) {
      Files.createDirectories(home);
      Files.writeString(home.resolve("vendor.pub"), PublicKeys.encode(vendor.getPublic()), StandardCharsets.UTF_8);
    }
    PublicKey trusted = PublicKeys.decode(Files.readString(home.resolve("vendor.pub"), StandardCharsets.UTF_8));
    try (ControlPlane plane = start(home, trusted)) {
      // Every VCM back from the journal before anything else (and before the system may stop).
      await(plane.orchestrator().vcms(null));
      plane.follow();
      if (fresh) {
        plane.session(vendor);
      }
      plane.caughtUp().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("feed offset " + plane.readModel().offset() + ", active VCMs per tenant:");
      plane.readModel().activeByTenant().forEach((tenant, vcms) -> System.out.println("  " + tenant + " " + vcms));
    }
  }

  /** A short provider session: licence, networking, two tenants' VCMs started, one stopped by message. */
  void session(KeyPair vendor) throws RequestException {
    String esn = orchestrator.esns().get(0);
    await(orchestrator.applyLicence(esn, Licence.of(esn, true, SpeedRating.MID, 2, List.of(), Instant.now())
        .sign(vendor), OPERATOR));
    await(orchestrator.setNetwork(esn, Network.ipv4("10.0.0.0/24"), OPERATOR));
    await(orchestrator.reset(esn, OPERATOR));
    UUID alice = await(orchestrator.createVcm(esn, new DemoTenant().createRequest("alice"), ProviderChoices.NONE,
        OPERATOR)).view().uuid();
    UUID bob = await(orchestrator.createVcm(esn, new DemoTenant().createRequest("bob"), ProviderChoices.NONE,
        OPERATOR)).view().uuid();
    await(orchestrator.startVcm(alice, null, OPERATOR));
    await(orchestrator.startVcm(bob, null, OPERATOR));
    await(stopByMessage(bob, OPERATOR));
  }

  /**
   * Starts the application's actor system, whose guardian spawns the orchestrator's HSMs as its
   * children, and loads the read model; the feed is followed once {@link #follow()} is called.
   */
  public static ControlPlane start(Path home, PublicKey vendorKey) {
    Path data = home.resolve("orchestrator");
    Config config = DataDirectory.of(data).create().config().withFallback(ConfigFactory.load());
    CompletableFuture<Orchestrator> started = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(guardian(OrchestratorConfig.of(data, vendorKey), started),
        "control-plane", config);
    try {
      Orchestrator orchestrator = started.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new ControlPlane(system, orchestrator, ActiveVcmsPerTenant.load(home.resolve("active-vcms.txt")));
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the control plane did not start: " + e.getMessage(), e);
    }
  }

  private static Behavior<Void> guardian(OrchestratorConfig config, CompletableFuture<Orchestrator> started) {
    return Behaviors.setup(ctx -> {
      try {
        started.complete(EmbeddedOrchestrator.spawn(ctx, config));
      } catch (RuntimeException e) {
        started.completeExceptionally(e);
      }
      // The application's own actors would be spawned here too.
      return Behaviors.empty();
    });
  }

  public Orchestrator orchestrator() {
    return orchestrator;
  }

  public ActiveVcmsPerTenant readModel() {
    return readModel;
  }

  /** Keeps the read model up to date from the feed, resuming after its stored offset. */
  public void follow() {
    follow(Long.MAX_VALUE);
  }

  /** As {@link #follow()}, but stops after {@code atMost} events, as a crash would. */
  CompletionStage<Done> follow(long atMost) {
    following = LifecycleFeed.create(system).from(readModel.offset()).take(atMost)
        .runWith(Sink.foreach(readModel::apply), system);
    return following;
  }

  /** Completes once the read model has applied every event stored so far, or fails with the feed. */
  public CompletionStage<Void> caughtUp() {
    CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    following.whenComplete((done, failure) -> {
      if (failure != null) {
        caughtUp.completeExceptionally(failure);
      }
    });
    LifecycleFeed.create(system).currentFrom(readModel.offset()).runWith(Sink.lastOption(), system)
        .thenCompose(last -> last.map(e -> readModel.reached(e.offset()))
            .orElseGet(() -> CompletableFuture.completedFuture(null)))
        .whenComplete((done, failure) -> {
          if (failure != null) {
            caughtUp.completeExceptionally(failure);
          } else {
            caughtUp.complete(null);
          }
        });
    return caughtUp;
  }

  /**
   * Stops a VCM by sending its HSM the protocol message, as an application actor would with
   * {@code context.askWithStatus}; the answer is handed over on the actor system's dispatcher.
   */
  public CompletionStage<VcmView> stopByMessage(UUID vcm, Principal by) {
    return askHsm(r -> new HsmEntity.StopVcm(vcm, false, by, r));
  }

  /** Any HSM command by message: the same rules and refusals as the facade. */
  public <T> CompletionStage<T> askHsm(Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    CompletionStage<T> answer = AskPattern.askWithStatus(orchestrator.hsmRef(null), command::apply, TIMEOUT,
        system.scheduler());
    // Pekko's ask runs plain callbacks on CompletableFuture's default executor, which on a
    // 2-core machine starts a thread per callback: hand the answer to the dispatcher first.
    CompletableFuture<T> out = new CompletableFuture<>();
    answer.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    }, system.executionContext());
    return out;
  }

  /** Stops the actor system, and with it the orchestrator; the feed completes first, on its own. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the control plane did not stop cleanly: " + e.getMessage(), e);
    }
  }

  static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  /** A tenant with its own keys, making signed create requests as {@code hsmadmin vcm create} does. */
  static final class DemoTenant {

    final KeyPair sshadmin = PublicKeys.generateEd25519();
    final KeyPair requestKey = PublicKeys.generateEd25519();

    String fingerprint() {
      return PublicKeys.fingerprint(sshadmin.getPublic());
    }

    byte[] createRequest(String name) throws RequestException {
      return SignedRequest.sign(RequestPayload.create(
          PublicKeys.encode(sshadmin.getPublic()), PublicKeys.encode(requestKey.getPublic()), Map.of("name", name),
          Instant.now(), Duration.ofHours(1)), requestKey).toFileBytes();
    }
  }
}
