package io.vcmctl.bench;

import io.vcmctl.persistence.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The framework's ceiling: the least an event-sourced entity can do, one small event per
 * command, on the same journal and snapshot store as the product. Its events go through
 * Jackson CBOR, the serializer the product binds everything to by default; section 3 also
 * restarts counters whose events are in binary ({@link CounterSerializer}), as the product's
 * VCM events are.
 */
final class Counter extends EventSourcedBehavior<Counter.Command, Counter.Incremented, Counter.Count> {

  interface Command extends CborSerializable {}

  /** Persists one event; replies the new count once it is durable. */
  record Increment(ActorRef<Long> replyTo) implements Command {}

  /** Replies the count; answered only after recovery, like any command. */
  record Get(ActorRef<Long> replyTo) implements Command {}

  record Incremented(long by) implements CborSerializable {}

  record Count(long value) implements CborSerializable {}

  private final int snapshotEvery;

  /** @param snapshotEvery 0 for no snapshots; else keeps two, as the product's VCMs do */
  static Behavior<Command> create(String id, int snapshotEvery) {
    return new Counter(PersistenceId.of("counter", id), snapshotEvery);
  }

  private Counter(PersistenceId id, int snapshotEvery) {
    super(id);
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public Count emptyState() {
    return new Count(0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return snapshotEvery > 0 ? RetentionCriteria.snapshotEvery(snapshotEvery, 2) : RetentionCriteria.disabled();
  }

  @Override
  public CommandHandler<Command, Incremented, Count> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Increment.class, c -> Effect().persist(new Incremented(1)).thenReply(c.replyTo(), Count::value))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s.value()))
        .build();
  }

  @Override
  public EventHandler<Count, Incremented> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Incremented.class, (s, e) -> new Count(s.value() + e.by()))
        .build();
  }
}
