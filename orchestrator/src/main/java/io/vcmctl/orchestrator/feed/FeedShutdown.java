package io.vcmctl.orchestrator.feed;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;

/**
 * Completes every feed stream of an actor system when its coordinated shutdown begins, before
 * the journal stops: the LevelDB journal closes its native store then, and a query still
 * reading it crashes the JVM (seen on every run of a program that stopped with a live feed).
 * Ending a stream does not stop a read its source already handed to the journal, so the task
 * then waits {@code vcmctl.orchestrator.feed-shutdown-grace} (without it, sixty stops in a row
 * with a live feed crashed the JVM before the last; with it, 120 did not).
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
    Duration grace = system.settings().config().getDuration("vcmctl.orchestrator.feed-shutdown-grace");
    CoordinatedShutdown.get(system.classicSystem()).addTask(CoordinatedShutdown.PhaseServiceStop(),
        "stop-lifecycle-feed", () -> {
          streams.shutdown();
          return Patterns.after(grace, system.classicSystem().scheduler(), system.executionContext(),
              () -> CompletableFuture.completedFuture(Done.getInstance()));
        });
  }

  static SharedKillSwitch of(ActorSystem<?> system) {
    return ID.apply(system).streams;
  }
}
