package io.vcmctl.orchestrator.feed;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;

/**
 * Completes every feed stream of an actor system when its coordinated shutdown begins, before
 * the journal stops: the LevelDB journal closes its native store then, and a query still
 * reading it crashes the JVM (seen on every run of a program that stopped with a live feed).
 */
final class FeedShutdown implements Extension {

  private static final ExtensionId<FeedShutdown> ID = new ExtensionId<>() {
    @Override
    public FeedShutdown createExtension(ActorSystem<?> system) {
      return new FeedShutdown(system);
    }
  };

  private final SharedKillSwitch streams = KillSwitches.shared("lifecycle-feed");

  private FeedShutdown(ActorSystem<?> system) {
    CoordinatedShutdown.get(system.classicSystem()).addTask(CoordinatedShutdown.PhaseServiceStop(),
        "stop-lifecycle-feed", () -> {
          streams.shutdown();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  static SharedKillSwitch of(ActorSystem<?> system) {
    return ID.apply(system).streams;
  }
}
