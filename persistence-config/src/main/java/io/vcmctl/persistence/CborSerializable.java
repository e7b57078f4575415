package io.vcmctl.persistence;

/**
 * Marker for every message, event and state that crosses a serialization boundary (the
 * journal, the snapshot store, the testkits' round-trip checks). Bound to Jackson CBOR in
 * this module's {@code reference.conf}.
 */
public interface CborSerializable {}
