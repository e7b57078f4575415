package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;
import java.util.UUID;

/**
 * The answer to {@code hsmadmin info}. Networks are {@code null} when not set.
 *
 * @param vcmsActive active VCMs among those recovered
 * @param vcmsRecovering VCMs not yet back from their journals after a restart
 * @param licencesNotTrusted applied licences the vendor key trusted now does not verify, one line each
 * @param unlicensedFeaturesInUse features VCMs keep that no licence counted now grants, with those VCMs
 */
public record HsmInfo(
    String esn,
    SpeedRating speedRating,
    boolean multiTenant,
    int maxCreatableVcms,
    int maxActiveVcms,
    int vcmsCreated,
    int vcmsActive,
    int vcmsRecovering,
    Network network,
    Network pendingNetwork,
    List<String> features,
    Instant moduleTime,
    String moduleKeyFingerprint,
    List<String> licencesNotTrusted,
    SortedMap<String, List<UUID>> unlicensedFeaturesInUse)
    implements CborSerializable {}
