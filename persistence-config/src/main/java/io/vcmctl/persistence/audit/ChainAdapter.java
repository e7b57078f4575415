package io.vcmctl.persistence.audit;

import io.vcmctl.persistence.CborSerializable;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.EventSeq;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * Keeps one entity's hash chain as its events are persisted: each event goes to the journal
 * inside a {@link ChainedEvent} carrying its sequence number and hash. The head comes back from
 * the journal at recovery (the last replayed entry, or the last stored one after a snapshot),
 * never by hashing the whole journal again, except once for a journal of the first release.
 *
 * <p>The entity calls {@link #recovered} when its recovery completes, before it persists anything.
 */
public final class ChainAdapter<E extends CborSerializable> extends EventAdapter<E, Object> {

  private final ActorContext<?> context;
  private final String persistenceId;
  private final long checkpointEvery;
  private final boolean enabled;
  private long seq = -1;
  private String head;
  private long migratedThrough;

  private ChainAdapter(ActorContext<?> context, PersistenceId persistenceId) {
    this.context = context;
    this.persistenceId = persistenceId.id();
    AuditSettings settings = AuditSettings.get(context.getSystem());
    this.checkpointEvery = settings.checkpointEvery();
    this.enabled = settings.chain();
  }

  public static <E extends CborSerializable> ChainAdapter<E> create(ActorContext<?> context, PersistenceId id) {
    return new ChainAdapter<>(context, id);
  }

  @Override
  public Object toJournal(E event) {
    if (!enabled) {
      return event;
    }
    if (head == null) {
      throw new IllegalStateException("the audit chain of " + persistenceId + " has no head: recovery did not finish");
    }
    long next = seq + 1;
    String hash = AuditChain.hash(head, persistenceId, next, event);
    ChainedEvent chained = new ChainedEvent(event, next, hash, migratedThrough, checkpoint(next, hash));
    seq = next;
    head = hash;
    migratedThrough = 0;
    return chained;
  }

  /** The module key's signature of the head every N entries, when the key is at hand. */
  private byte[] checkpoint(long seq, String hash) {
    if (seq % checkpointEvery != 0) {
      return null;
    }
    return AuditSigners.get(context.getSystem()).of(context.getSelf())
        .map(s -> s.sign(AuditChain.checkpoint(persistenceId, seq, hash)))
        .orElse(null);
  }

  @Override
  public String manifest(E event) {
    return "";
  }

  @Override
  @SuppressWarnings("unchecked")
  public EventSeq<E> fromJournal(Object stored, String manifest) {
    if (stored instanceof ChainedEvent c) {
      seq = c.seq();
      head = c.hash();
      return EventSeq.single((E) c.event());
    }
    seq = -1;
    head = null;
    return EventSeq.single((E) stored);
  }

  /**
   * The entity's snapshots, each stored with the chain's head: a recovery from a snapshot with no
   * event after it then knows the head without reading the journal. {@code recovered} adjusts a
   * state read back (identity when nothing needs adjusting).
   */
  @SuppressWarnings("unchecked")
  public <S extends CborSerializable> SnapshotAdapter<S> snapshots(UnaryOperator<S> recovered) {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(S state) {
        return enabled && head != null ? new ChainedSnapshot(state, seq, head) : state;
      }

      @Override
      public S fromJournal(Object from) {
        if (from instanceof ChainedSnapshot c) {
          seq = c.seq();
          head = c.hash();
          return recovered.apply((S) c.state());
        }
        return recovered.apply((S) from);
      }
    };
  }

  /** Makes sure the head is that of the journal's last entry, {@code lastSeq}. */
  public void recovered(long lastSeq) {
    if (!enabled) {
      return;
    }
    if (lastSeq == 0) {
      seq = 0;
      head = AuditChain.GENESIS;
      return;
    }
    if (seq == lastSeq && head != null) {
      return;
    }
    // Recovered from a snapshot alone, or the journal predates the chain: ask the journal.
    List<JournalEntries.Stored> last = JournalEntries.readNow(context.getSystem(), persistenceId, lastSeq, lastSeq);
    if (!last.isEmpty() && last.get(0).hash() != null) {
      seq = lastSeq;
      head = last.get(0).hash();
      return;
    }
    migrate(lastSeq);
  }

  /** Chains, once, the entries written before the chain existed; the next entry records it. */
  private void migrate(long lastSeq) {
    String h = AuditChain.GENESIS;
    long s = 0;
    for (JournalEntries.Stored e : JournalEntries.readNow(context.getSystem(), persistenceId, 1, lastSeq)) {
      if (e.seq() != s + 1) {
        throw new IllegalStateException("the journal of " + persistenceId + " has no entry " + (s + 1)
            + "; its chain cannot be built");
      }
      h = e.hash() != null ? e.hash() : AuditChain.hash(h, persistenceId, e.seq(), e.event());
      s = e.seq();
    }
    if (s != lastSeq) {
      throw new IllegalStateException("the journal of " + persistenceId + " ends at entry " + s + ", not " + lastSeq);
    }
    seq = lastSeq;
    head = h;
    migratedThrough = lastSeq;
    context.getLog().info("{}: chained the {} journal entries written before the audit chain existed", persistenceId,
        lastSeq);
  }
}
