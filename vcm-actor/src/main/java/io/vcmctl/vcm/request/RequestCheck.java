package io.vcmctl.vcm.request;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.VcmRules;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Whether a VCM would accept a start or properties request now, and if not the refusal it would
 * give: the checks of {@code vcmadmin start --request} and {@code vcmadmin properties set} on the
 * request itself (signature by the VCM's current {@code k_tenant_req}, kind, VCM, validity by
 * module time), in the same order and words. It changes nothing.
 */
public final class RequestCheck {

  private RequestCheck() {}

  /**
   * @param kind what the request asks for; null when the file cannot be read
   * @param digest SHA-256 hex of the payload; null when the file cannot be read
   * @param signer the signer fingerprint the file claims; null when the file cannot be read
   * @param expectedSigner fingerprint of the VCM's current {@code k_tenant_req}
   * @param moduleNow the HSM's module time the request was judged at
   * @param refusal the refusal the VCM would give; null when it would accept the request
   */
  public record Verdict(RequestKind kind, String digest, String signer, String expectedSigner,
      Instant moduleNow, Refusal refusal) {

    public Verdict {
      Objects.requireNonNull(expectedSigner, "expectedSigner");
      Objects.requireNonNull(moduleNow, "moduleNow");
    }

    public boolean accepted() {
      return refusal == null;
    }
  }

  /** Judges {@code file} as VCM {@code vcm}, whose current request key is {@code current}, would now. */
  public static Verdict check(byte[] file, UUID vcm, PublicKey current, Instant moduleNow,
      RequestVerifier verifier) {
    String expected = PublicKeys.fingerprint(current);
    SignedRequest request;
    try {
      request = SignedRequest.parse(file);
    } catch (RequestException e) {
      return new Verdict(null, null, null, expected, moduleNow, VcmRules.invalidRequest(e));
    }
    RequestKind kind;
    try {
      kind = request.parsePayload().kind();
    } catch (RequestException e) {
      kind = null;
    }
    // An unreadable payload or a create request is judged as a properties request: the signature
    // comes first either way, and the words are those the provider would see.
    RequestKind judgedAs = kind == RequestKind.START ? RequestKind.START : RequestKind.PROPERTIES;
    Refusal refusal = null;
    try {
      verifier.verify(request, current, judgedAs, vcm, moduleNow);
    } catch (RequestException e) {
      refusal = VcmRules.invalidRequest(e);
    }
    return new Verdict(kind, request.digest(), request.signer(), expected, moduleNow, refusal);
  }
}
