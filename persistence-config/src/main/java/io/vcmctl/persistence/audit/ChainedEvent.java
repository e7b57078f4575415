package io.vcmctl.persistence.audit;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vcmctl.persistence.CborSerializable;

/**
 * How an event is stored once the journal is chained: the entity's own event, unchanged, with
 * its place in the entity's chain. Events written before the chain existed are stored bare.
 *
 * @param seq the event's sequence number in its entity's journal
 * @param hash hex SHA-256 of the previous entry's hash and this entry's canonical bytes
 *     ({@link AuditChain#hash})
 * @param migratedThrough non-zero on the first entry written after a journal of the first
 *     release was chained at start: entries 1 to this number were chained then, not when written
 * @param checkpoint on every {@code vcmctl.audit.checkpoint-every}-th entry, the module key's
 *     signature of this head ({@link AuditChain#checkpoint}); otherwise {@code null}
 */
public record ChainedEvent(
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
    CborSerializable event,
    long seq,
    String hash,
    long migratedThrough,
    byte[] checkpoint) implements CborSerializable {

  /** The entity's event as stored in the journal, chained or not (a read-side query sees both). */
  public static Object unwrap(Object stored) {
    return stored instanceof ChainedEvent c ? c.event() : stored;
  }
}
