package io.vcmctl.vcm;

import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The answer owed for the event being written. When the journal fails or rejects a write, the
 * framework restarts (or stops) the entity and the command in hand is never answered, so the
 * client would wait out its whole timeout; the entity's signal handler answers it from here
 * instead. One slot is enough: an entity has at most one write in flight, the framework stashes
 * commands meanwhile.
 */
public final class WriteInFlight {

  private String event;
  private Consumer<Refusal> failed;

  /** Before persisting {@code event}: whom to tell if the journal does not record it. */
  public void expect(Object event, Consumer<Refusal> failed) {
    this.event = event.getClass().getSimpleName();
    this.failed = failed;
  }

  public <T> void expect(Object event, ActorRef<StatusReply<T>> client) {
    expect(event, refusal -> client.tell(StatusReply.error(refusal)));
  }

  /** The journal confirmed the write. */
  public void recorded() {
    event = null;
    failed = null;
  }

  /** The entity restarts or stops: the write in flight, if any, was not confirmed. */
  public void entityFailed(String entity) {
    if (failed != null) {
      failed.accept(new Refusal(Refusal.Code.UNAVAILABLE, "the journal did not record " + event + " for " + entity
          + "; it re-reads its journal and answers again shortly: check its state before retrying"));
    }
    recorded();
  }
}
