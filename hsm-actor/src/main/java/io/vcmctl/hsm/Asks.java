package io.vcmctl.hsm;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * Asking an actor without a thread per answer. Pekko's Java ask returns a future whose plain
 * callbacks run on CompletableFuture's default executor, and with fewer than three cores that
 * executor starts a new thread for every callback (profiled: two thread starts per command).
 * These run every callback on the actor system's dispatcher instead.
 */
public final class Asks {

  private Asks() {}

  /** The answer, completed on the system's dispatcher. */
  public static <Req, Res> CompletableFuture<Res> ask(ActorSystem<?> system, ActorRef<Req> target,
      Function<ActorRef<Res>, Req> request, Duration timeout) {
    return onDispatcher(system.executionContext(),
        AskPattern.<Req, Res>ask(target, request::apply, timeout, system.scheduler()));
  }

  /**
   * The actor's own ask-with-status: the answer (or the refusal, or the timeout) comes back to
   * the asking actor as the message {@code toSelf} makes of it.
   */
  public static <Req, Res, C> void askWithStatus(ActorContext<C> context, ActorRef<Req> target, Duration timeout,
      Function<ActorRef<StatusReply<Res>>, Req> request, BiFunction<Res, Throwable, C> toSelf) {
    ActorRef<C> self = context.getSelf();
    ask(context.getSystem(), target, request, timeout).whenComplete((reply, failure) -> self.tell(
        failure != null ? toSelf.apply(null, failure)
            : reply.isSuccess() ? toSelf.apply(reply.getValue(), null)
            : toSelf.apply(null, reply.getError())));
  }

  /** The same outcome as a plain future completed on {@code executor}. */
  public static <T> CompletableFuture<T> onDispatcher(Executor executor, CompletionStage<T> stage) {
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
