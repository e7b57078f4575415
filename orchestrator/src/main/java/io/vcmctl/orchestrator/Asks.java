package io.vcmctl.orchestrator;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
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

  /** The answer, completed on the system's dispatcher. */
  static <Req, Res> CompletableFuture<Res> ask(ActorSystem<?> system, ActorRef<Req> target,
      Function<ActorRef<Res>, Req> request, Duration timeout) {
    return onDispatcher(system.executionContext(),
        AskPattern.<Req, Res>ask(target, request::apply, timeout, system.scheduler()));
  }

  /** The same outcome as a plain future completed on {@code executor}. */
  static <T> CompletableFuture<T> onDispatcher(Executor executor, CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    }, executor);
    return out;
  }
}
