package io.vcmctl.vcm.request;

import java.util.Objects;

/**
 * A request whose signature, kind, VCM and validity have been checked.
 *
 * @param payload what the request asks for
 * @param digest SHA-256 hex of the signed payload bytes, naming the request in the journal
 * @param signerFingerprint fingerprint of the key that signed it
 */
public record VerifiedRequest(RequestPayload payload, String digest, String signerFingerprint)
    implements io.vcmctl.persistence.CborSerializable {

  public VerifiedRequest {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(signerFingerprint, "signerFingerprint");
  }
}
