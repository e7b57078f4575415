package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;

/**
 * The answer to {@code hsmadmin getenvstats}: platform memory, memory in use (platform
 * baseline plus the active VCMs' last measured memory) and disk in use by all VCMs.
 */
public record EnvStats(long memTotal, long memUsed, long diskUsed) implements CborSerializable {}
