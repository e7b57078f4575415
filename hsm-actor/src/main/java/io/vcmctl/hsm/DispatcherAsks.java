package io.vcmctl.hsm;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code ActorContext.ask} and {@code askWithStatus}, with the answer handed over on the actor
 * system's dispatcher. Pekko's own go through a Scala future whose plain callbacks run on
 * {@code CompletableFuture}'s default executor, which on a 2-core machine starts a new thread
 * per callback (docs/benchmarks.md, "A new thread for every ask callback").
 */
public final class DispatcherAsks {

  private DispatcherAsks() {}

  public static <T, Req, Res> void ask(ActorContext<T> context, RecipientRef<Req> target, Duration timeout,
      Function<ActorRef<Res>, Req> request, BiFunction<Res, Throwable, T> answer) {
    CompletionStage<Res> reply = AskPattern.ask(target, request::apply, timeout, context.getSystem().scheduler());
    context.pipeToSelf(onDispatcher(context.getExecutionContext(), reply), answer::apply);
  }

  public static <T, Req, Res> void askWithStatus(ActorContext<T> context, RecipientRef<Req> target,
      Duration timeout, Function<ActorRef<StatusReply<Res>>, Req> request, BiFunction<Res, Throwable, T> answer) {
    CompletionStage<Res> reply = AskPattern.askWithStatus(target, request::apply, timeout,
        context.getSystem().scheduler());
    context.pipeToSelf(onDispatcher(context.getExecutionContext(), reply), answer::apply);
  }

  /** The same outcome as a plain future completed on {@code executor}. */
  public static <V> CompletableFuture<V> onDispatcher(Executor executor, CompletionStage<V> stage) {
    CompletableFuture<V> out = new CompletableFuture<>();
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
