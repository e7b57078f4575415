package io.vcmctl.hsm;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.VcmEntity;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;

/**
 * One short-lived child per fan-out (a reset's stops or starts, the census at recovery, a poll
 * cycle's measurements): it sends one command to each of several VCMs, collects every answer,
 * refusal or silence until all are in or its timer fires, tells its parent once, and stops.
 * The parent never composes futures and never blocks.
 *
 * @param <Q> the protocol of the actors asked
 * @param <R> the answer each VCM gives on success
 * @param <P> the message the parent gets with all outcomes
 */
public final class FanOut<Q, R, P> extends AbstractBehavior<FanOut.Command> {

  /**
   * What one VCM answered: exactly one of a value, a refusal, or no answer (with why).
   */
  public record Outcome<R>(R value, Refusal refusal, String noAnswer) {

    /** The outcome of one ask: its answer, or the refusal or failure it completed with. */
    public static <R> Outcome<R> of(R value, Throwable failure) {
      if (failure == null) {
        return new Outcome<>(value, null, null);
      }
      if (failure instanceof Refusal r) {
        return new Outcome<>(null, r, null);
      }
      return new Outcome<>(null, null, "did not answer in time (" + failure.getClass().getSimpleName() + ")");
    }

    /** The one line to report for a VCM that did not do it. */
    public String problem() {
      return refusal != null ? refusal.getMessage() : noAnswer;
    }
  }

  public interface Command {}

  private record Answer(UUID vcm, Object value, Throwable failure) implements Command {}

  private enum CollectionTimeout implements Command { INSTANCE }

  private final Map<UUID, Outcome<R>> outcomes;
  private final ActorRef<P> parent;
  private final Function<Map<UUID, Outcome<R>>, P> done;
  private final Duration timeout;
  private int pending;

  /**
   * @param targets the VCMs to ask, in the order the outcomes are reported
   * @param type the class of a successful answer
   * @param timeout how long each VCM may take; the whole fan-out ends by then
   */
  public static <R, P> Behavior<Command> create(Map<UUID, ActorRef<VcmEntity.Command>> targets, Class<R> type,
      Function<ActorRef<StatusReply<R>>, VcmEntity.Command> command, Duration timeout, ActorRef<P> parent,
      Function<Map<UUID, Outcome<R>>, P> done) {
    return create(targets, type, (uuid, replyTo) -> command.apply(replyTo), timeout, parent, done);
  }

  /**
   * The general form: each VCM's command may be sent to any actor (the HSM, for one that acts on
   * a VCM through it) and may name the VCM.
   */
  public static <Q, R, P> Behavior<Command> create(Map<UUID, ActorRef<Q>> targets, Class<R> type,
      BiFunction<UUID, ActorRef<StatusReply<R>>, Q> command, Duration timeout, ActorRef<P> parent,
      Function<Map<UUID, Outcome<R>>, P> done) {
    if (targets.isEmpty()) {
      return Behaviors.setup(ctx -> {
        parent.tell(done.apply(Map.of()));
        return Behaviors.stopped();
      });
    }
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      // A little past the asks' own timeout: normally every ask has answered or failed by then.
      timers.startSingleTimer(CollectionTimeout.INSTANCE, timeout.plusMillis(500));
      return new FanOut<>(ctx, targets, type, command, timeout, parent, done);
    }));
  }

  private FanOut(ActorContext<Command> context, Map<UUID, ActorRef<Q>> targets, Class<R> type,
      BiFunction<UUID, ActorRef<StatusReply<R>>, Q> command, Duration timeout, ActorRef<P> parent,
      Function<Map<UUID, Outcome<R>>, P> done) {
    super(context);
    this.parent = parent;
    this.done = done;
    this.timeout = timeout;
    this.outcomes = new LinkedHashMap<>();
    targets.keySet().forEach(uuid -> outcomes.put(uuid, null));
    this.pending = targets.size();
    targets.forEach((uuid, target) -> DispatcherAsks.<Command, Q, R>askWithStatus(context, target,
        timeout, replyTo -> command.apply(uuid, replyTo), (value, failure) -> new Answer(uuid, value, failure)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Answer.class, this::onAnswer)
        .onMessageEquals(CollectionTimeout.INSTANCE, this::onTimeout)
        .build();
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onAnswer(Answer a) {
    if (outcomes.get(a.vcm()) != null) {
      return this;
    }
    outcomes.put(a.vcm(), Outcome.of((R) a.value(), a.failure()));
    pending--;
    return pending == 0 ? finish() : this;
  }

  private Behavior<Command> onTimeout() {
    outcomes.replaceAll((uuid, o) -> o != null ? o
        : new Outcome<>(null, null, "did not answer within " + timeout.toMillis() + " ms"));
    return finish();
  }

  private Behavior<Command> finish() {
    parent.tell(done.apply(Collections.unmodifiableMap(new LinkedHashMap<>(outcomes))));
    return Behaviors.stopped();
  }
}
