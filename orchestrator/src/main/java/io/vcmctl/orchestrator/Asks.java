package io.vcmctl.orchestrator;

import io.vcmctl.hsm.DispatcherAsks;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Asking an actor from outside one (the facade) without a thread per answer; actors use their
 * context's own ask. Pekko's Java ask returns a future whose plain
 * callbacks run on CompletableFuture's default executor, and with fewer than three cores that
 * executor starts a new thread for every callback (profiled: two thread starts per command).
 * These run every callback on the actor system's dispatcher instead.
 */
final class Asks {

  private Asks() {}

  /**
   * The answer, completed on the system's dispatcher. An ask that gets no answer fails with an
   * {@code UNAVAILABLE} refusal saying what happened to {@code who} ("HSM 5E4D-…"): it is not
   * running, or it did not answer within {@code timeout}.
   */
  static <Req, Res> CompletableFuture<Res> ask(ActorSystem<?> system, RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> request, Duration timeout, String who) {
    long askedAt = System.nanoTime();
    CompletionStage<Res> answer = AskPattern.ask(target, request::apply, timeout, system.scheduler());
    // Handed to the dispatcher first: a callback on the ask's own stage would start a thread.
    return DispatcherAsks.onDispatcher(system.executionContext(), answer).handle((value, failure) -> {
      if (failure != null) {
        throw unanswered(failure, who, timeout, System.nanoTime() - askedAt);
      }
      return value;
    });
  }

  /**
   * Pekko fails an ask to an actor that has stopped at once, with the same exception type as a
   * timeout; only the message ("had already been terminated") and the time taken tell them apart.
   */
  private static RuntimeException unanswered(Throwable failure, String who, Duration timeout, long tookNanos) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (!(cause instanceof TimeoutException)) {
      return cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }
    if (String.valueOf(cause.getMessage()).contains("terminated") || tookNanos < timeout.toNanos()) {
      return new Refusal(Code.UNAVAILABLE, who + " is not running: it has stopped (the daemon's log says why);"
          + " restart the orchestrator to bring it back");
    }
    return new Refusal(Code.UNAVAILABLE, who + " did not answer within " + seconds(timeout)
        + "; it may be recovering or overloaded, try again (the command may still complete)");
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}
