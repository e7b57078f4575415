package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;
import java.time.Instant;

/**
 * The audit facts every event carries: when (module time), who, and the SHA-256 digest of the
 * signed request that authorized it ({@code null} when no request was involved).
 */
public record EventMeta(Instant at, Principal by, String requestDigest) implements CborSerializable {

  public static EventMeta of(ModuleClock clock, Principal by, String requestDigest) {
    return new EventMeta(clock.now(), by, requestDigest);
  }
}
