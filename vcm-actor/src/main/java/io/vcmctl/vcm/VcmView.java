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
 * @param unchanged on the reply to a command that changed nothing, why (such as
 *     "already enrolled"); {@code null} otherwise
 */
public record VcmView(
    UUID uuid,
    VcmStatus status,
    VcmProperties properties,
    TenantFacts facts,
    String sshadminKey,
    String tenant,
    Instant createdAt,
    long sequenceNr,
    String unchanged)
    implements CborSerializable {

  public VcmView(UUID uuid, VcmStatus status, VcmProperties properties, TenantFacts facts, String sshadminKey,
      String tenant, Instant createdAt, long sequenceNr) {
    this(uuid, status, properties, facts, sshadminKey, tenant, createdAt, sequenceNr, null);
  }

  /** This view as the reply to a command that changed nothing, saying why. */
  public VcmView unchanged(String why) {
    return new VcmView(uuid, status, properties, facts, sshadminKey, tenant, createdAt, sequenceNr, why);
  }

  /** The state alone, without a reply's note. */
  public VcmView state() {
    return unchanged == null ? this : unchanged(null);
  }

  public boolean isActive() {
    return status == VcmStatus.ACTIVE;
  }
}
