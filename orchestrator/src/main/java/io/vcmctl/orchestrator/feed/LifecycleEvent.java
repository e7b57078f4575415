package io.vcmctl.orchestrator.feed;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.VcmEntity;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One lifecycle change of an HSM or a VCM, as the journal stored it.
 *
 * @param offset where this event is in the feed: store it after handling the event and resume
 *     with {@link LifecycleFeed#from(long)}; {@code 0} for an event written before tagging
 *     ({@link LifecycleFeed#writtenBeforeTagging(String)})
 * @param persistenceId the entity's journal id, {@code hsm|ESN} or {@code vcm|UUID}
 * @param sequenceNr the event's number within that entity's own history, from 1
 * @param event a {@link HsmEntity.Event} or a {@link VcmEntity.Event}
 */
public record LifecycleEvent(long offset, String persistenceId, long sequenceNr, Object event) {

  /** The HSM an HSM event is about; empty for a VCM event (its HSM's {@code VcmAdmitted} names it). */
  public Optional<String> esn() {
    return hsmEvent().isPresent() ? Optional.of(entityId()) : Optional.empty();
  }

  /** The VCM a VCM event is about; empty for an HSM event. */
  public Optional<UUID> vcm() {
    return vcmEvent().map(VcmEntity.Event::vcm);
  }

  public Optional<HsmEntity.Event> hsmEvent() {
    return event instanceof HsmEntity.Event e ? Optional.of(e) : Optional.empty();
  }

  public Optional<VcmEntity.Event> vcmEvent() {
    return event instanceof VcmEntity.Event e ? Optional.of(e) : Optional.empty();
  }

  /** When it happened, by the module clock. */
  public Instant at() {
    return meta().at();
  }

  /** Who caused it: the provider, a tenant (by key fingerprint) or the system. */
  public Principal by() {
    return meta().by();
  }

  /** SHA-256 of the signed request that authorized it, or {@code null} when none was involved. */
  public String requestDigest() {
    return meta().requestDigest();
  }

  /** The event's name, such as {@code VcmStarted}. */
  public String type() {
    return event.getClass().getSimpleName();
  }

  private EventMeta meta() {
    return event instanceof VcmEntity.Event v ? v.meta() : ((HsmEntity.Event) event).meta();
  }

  private String entityId() {
    int bar = persistenceId.indexOf('|');
    return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
  }
}
