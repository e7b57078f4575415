package io.vcmctl.orchestrator.feed;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.persistence.LifecycleTag;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.vcm.VcmEntity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Every HSM and VCM event of the journal as one ordered stream, for an embedder's own systems
 * (billing, inventory, notifications). The embedder stores the {@link LifecycleEvent#offset()}
 * of the last event it handled, together with what it did with it, and resumes from there: no
 * event is missed or handed out twice.
 *
 * <p>It reads the journal through the read journal named by {@code vcmctl.orchestrator.read-journal}
 * (Pekko Persistence Query, {@code eventsByTag} on {@link LifecycleTag#NAME}); on the embedded
 * LevelDB journal it must run in the actor system that writes the journal. On the JDBC journal of
 * a cluster any node reads the events of every node, in the order of the journal's
 * {@code ordering} column, which is also the offset.
 */
public final class LifecycleFeed {

  /** The offset to start from when nothing has been handled yet. */
  public static final long BEGINNING = 0L;

  private final ActorSystem<?> system;
  private final ReadJournal journal;

  private LifecycleFeed(ActorSystem<?> system, ReadJournal journal) {
    this.system = system;
    this.journal = journal;
  }

  /**
   * The feed of the journal this actor system writes.
   *
   * @throws IllegalArgumentException in one line, when the configured read journal cannot stream
   *     events by tag and by persistence id
   */
  public static LifecycleFeed create(ActorSystem<?> system) {
    String id = system.settings().config().getString("vcmctl.orchestrator.read-journal");
    ReadJournal journal = PersistenceQuery.get(system.classicSystem()).getReadJournalFor(ReadJournal.class, id);
    if (!(journal instanceof EventsByTagQuery && journal instanceof CurrentEventsByTagQuery
        && journal instanceof CurrentEventsByPersistenceIdQuery)) {
      throw new IllegalArgumentException("read journal " + id + " (vcmctl.orchestrator.read-journal) cannot stream"
          + " events by tag and by persistence id; name the read journal of the configured journal plugin");
    }
    return new LifecycleFeed(system, journal);
  }

  /**
   * Every event after {@code offset}, in journal order, then each new one as it is written; the
   * stream completes only when the actor system shuts down.
   */
  public Source<LifecycleEvent, NotUsed> from(long offset) {
    return ((EventsByTagQuery) journal).eventsByTag(LifecycleTag.NAME, start(offset)).map(LifecycleFeed::event)
        .via(FeedShutdown.of(system).flow());
  }

  /** Every event after {@code offset} stored so far; completes at the last one (or at shutdown). */
  public Source<LifecycleEvent, NotUsed> currentFrom(long offset) {
    return ((CurrentEventsByTagQuery) journal).currentEventsByTag(LifecycleTag.NAME, start(offset))
        .map(LifecycleFeed::event).via(FeedShutdown.of(system).flow());
  }

  /**
   * The one-time migration for a journal written before events were tagged (the first release):
   * the events of HSM {@code esn} and of every VCM it ever held that carry no tag, each entity's
   * in order, the HSM's first; their offset is 0. Run it once into an empty read model, then
   * follow {@link #from(long)} from {@link #BEGINNING}: together they hand out every event once.
   * It reads by persistence id and leaves out what the tagged feed holds, so it may run while the
   * HSM takes commands.
   */
  public CompletionStage<List<LifecycleEvent>> writtenBeforeTagging(String esn) {
    String hsm = HsmEntity.persistenceId(esn).id();
    return history(hsm).thenCompose(hsmEvents -> {
      List<String> ids = new ArrayList<>(List.of(hsm));
      hsmEvents.stream().map(LifecycleEvent::event).filter(HsmEntity.VcmAdmitted.class::isInstance)
          .map(e -> ((HsmEntity.VcmAdmitted) e).uuid()).distinct()
          .forEach(uuid -> ids.add(VcmEntity.persistenceId(uuid).id()));
      CompletionStage<List<LifecycleEvent>> all = CompletableFuture.completedFuture(hsmEvents);
      for (String id : ids.subList(1, ids.size())) {
        all = all.thenCompose(sofar -> history(id).thenApply(more -> concat(sofar, more)));
      }
      // Read after the histories: a tagged event in a history is then in this scan too.
      return all.thenCompose(events -> firstTagged().thenApply(first -> events.stream()
          .filter(e -> e.sequenceNr() < first.getOrDefault(e.persistenceId(), Long.MAX_VALUE)).toList()));
    });
  }

  private CompletionStage<List<LifecycleEvent>> history(String persistenceId) {
    return ((CurrentEventsByPersistenceIdQuery) journal).currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
        .map(e -> new LifecycleEvent(0, e.persistenceId(), e.sequenceNr(), ChainedEvent.unwrap(e.event())))
        .via(FeedShutdown.of(system).flow()).runWith(Sink.seq(), system);
  }

  /** The first tagged sequence number of each entity: tagging began there, so it holds for the rest. */
  private CompletionStage<Map<String, Long>> firstTagged() {
    return currentFrom(BEGINNING).runFold(new HashMap<String, Long>(), (first, e) -> {
      first.merge(e.persistenceId(), e.sequenceNr(), Math::min);
      return first;
    }, system);
  }

  private static List<LifecycleEvent> concat(List<LifecycleEvent> a, List<LifecycleEvent> b) {
    List<LifecycleEvent> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static Offset start(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("a feed offset is 0 or more; " + offset + " was never handed out");
    }
    return offset == BEGINNING ? Offset.noOffset() : Offset.sequence(offset);
  }

  private static LifecycleEvent event(EventEnvelope envelope) {
    long offset = envelope.offset() instanceof Sequence s ? s.value() : 0;
    return new LifecycleEvent(offset, envelope.persistenceId(), envelope.sequenceNr(),
        ChainedEvent.unwrap(envelope.event()));
  }
}
