package io.vcmctl.orchestrator;

import io.vcmctl.vcm.Principal;
import java.time.Instant;

/**
 * One event of a VCM's history, as {@code vcmadmin history} prints it.
 *
 * @param details the event's own fields as compact JSON (without the audit facts)
 */
public record HistoryEntry(long sequenceNr, Instant at, String event, Principal by, String requestDigest,
    String details) {}
