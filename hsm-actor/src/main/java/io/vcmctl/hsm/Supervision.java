package io.vcmctl.hsm;

import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.event.Level;

/**
 * How the product's actors come back from a failure: restarted with backoff, the cause logged
 * at WARN. An HSM supervises its VCMs this way, and the orchestrator its HSMs and pollers.
 */
public final class Supervision {

  private static final SupervisorStrategy RESTART = SupervisorStrategy
      .restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)
      .withLoggingEnabled(true)
      .withLogLevel(Level.WARN);

  private Supervision() {}

  /** {@code behavior}, restarted with backoff whenever it throws. */
  public static <T> Behavior<T> restarting(Behavior<T> behavior) {
    return Behaviors.supervise(behavior).onFailure(RESTART);
  }
}
