package io.vcmctl.persistence.audit;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vcmctl.persistence.CborSerializable;

/**
 * How a snapshot is stored once the journal is chained: the entity's state with the head of its
 * chain at that point, so that a recovery from the snapshot alone needs no journal read to go on
 * chaining. Snapshots written before the chain existed are stored bare.
 *
 * @param seq the sequence number of the last event the snapshot includes
 * @param hash that event's chain hash
 */
public record ChainedSnapshot(
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
    CborSerializable state,
    long seq,
    String hash) implements CborSerializable {}
