package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;
import java.time.Instant;
import java.util.UUID;

/**
 * Everything known about one VCM at one point of its history: the reply to every successful
 * command and query. {@code sequenceNr} orders views of the same VCM, so a holder of an older
 * copy can tell which is newer.
 *
 * @param tenant fingerprint of the sshadmin key of the tenant the VCM was created for
 */
public record VcmView(
    UUID uuid,
    VcmStatus status,
    VcmProperties properties,
    TenantFacts facts,
    String sshadminKey,
    String tenant,
    Instant createdAt,
    long sequenceNr)
    implements CborSerializable {

  public boolean isActive() {
    return status == VcmStatus.ACTIVE;
  }
}
