package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;

/** Resource use of one VCM as its runtime reports it. */
public record Usage(long memoryBytes, long diskBytes) implements CborSerializable {}
