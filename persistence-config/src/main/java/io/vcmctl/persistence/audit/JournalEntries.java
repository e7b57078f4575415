package io.vcmctl.persistence.audit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Sink;

/** An entity's journal as stored: each event with its place in the chain, if it has one. */
public final class JournalEntries {

  /**
   * One stored entry.
   *
   * @param event the entity's own event
   * @param hash the stored chain hash, or {@code null} for an event written before the chain existed
   * @param checkpoint the module key's signature of this head, or {@code null}
   */
  public record Stored(long seq, Object event, String hash, long migratedThrough, byte[] checkpoint) {

    static Stored of(long seq, Object stored) {
      return stored instanceof ChainedEvent c
          ? new Stored(seq, c.event(), c.hash(), c.migratedThrough(), c.checkpoint())
          : new Stored(seq, stored, null, 0, null);
    }
  }

  private JournalEntries() {}

  /** The read journal named by {@code vcmctl.audit.read-journal}. */
  public static String readJournal(ActorSystem<?> system) {
    return AuditSettings.get(system).readJournal();
  }

  /** The entries {@code from} to {@code to} (inclusive) of one entity, in order. */
  public static CompletionStage<List<Stored>> read(ActorSystem<?> system, String persistenceId, long from, long to) {
    CurrentEventsByPersistenceIdQuery journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournal(system));
    return journal.currentEventsByPersistenceId(persistenceId, from, to)
        .map(e -> Stored.of(e.sequenceNr(), e.event()))
        // Read from inside an entity's recovery, which waits for it: keep it off the actors' threads.
        .withAttributes(ActorAttributes.dispatcher("pekko.actor.default-blocking-io-dispatcher"))
        .runWith(Sink.seq(), system);
  }

  /** {@link #read} for a caller that must have the answer before it goes on (an entity's recovery). */
  static List<Stored> readNow(ActorSystem<?> system, String persistenceId, long from, long to) {
    Duration timeout = AuditSettings.get(system).readTimeout();
    try {
      return read(system, persistenceId, from, to).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the journal of " + persistenceId, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the journal of " + persistenceId + " to find its chain head: "
          + e.getMessage(), e);
    }
  }
}
