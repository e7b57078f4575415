package io.vcmctl.vcm.request;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Decides whether a signed request may be acted on. The signature is checked before anything
 * in the payload is believed; time is module time, as set with {@code hsmadmin settime}.
 */
public final class RequestVerifier {

  /** How far the module clock may run behind the tenant's before a new request is refused. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);

  private final Duration clockSkew;
  private final ValidityCaps caps;

  public RequestVerifier() {
    this(DEFAULT_CLOCK_SKEW, ValidityCaps.DEFAULT);
  }

  /**
   * {@code clockSkew} applies only to "not yet valid": expiry is never stretched. {@code caps}
   * bound how long a request of each kind may be valid for.
   */
  public RequestVerifier(Duration clockSkew, ValidityCaps caps) {
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("clock skew must not be negative: " + clockSkew);
    }
    this.clockSkew = clockSkew;
    this.caps = Objects.requireNonNull(caps, "caps");
  }

  public Duration clockSkew() {
    return clockSkew;
  }

  /**
   * Verifies a start or properties request (or a create request whose signer is known) against
   * the key that must have signed it.
   *
   * @param expectedVcm the VCM the request must name; null only for {@link RequestKind#CREATE}
   */
  public VerifiedRequest verify(SignedRequest request, PublicKey expectedSigner,
      RequestKind expectedKind, UUID expectedVcm, Instant moduleNow) throws RequestException {
    Objects.requireNonNull(expectedKind, "expectedKind");
    Objects.requireNonNull(moduleNow, "moduleNow");
    if ((expectedVcm == null) != (expectedKind == RequestKind.CREATE)) {
      throw new IllegalArgumentException("a " + expectedKind + " request is checked "
          + (expectedVcm == null ? "against a VCM" : "without a VCM"));
    }
    String expected = PublicKeys.fingerprint(expectedSigner);
    request.verifySignedBy(expectedSigner, "the VCM's current k_tenant_req");
    RequestPayload payload = request.parsePayload();
    checkKind(payload, expectedKind);
    if (expectedVcm != null && !expectedVcm.equals(payload.vcm())) {
      throw new RequestException(Problem.WRONG_VCM, "request is for VCM " + payload.vcm()
          + ", not " + expectedVcm + "; ask the tenant for a request naming " + expectedVcm);
    }
    checkValidity(payload, moduleNow);
    return new VerifiedRequest(payload, request.digest(), expected);
  }

  /**
   * Verifies a create request, which is signed by the request key it carries (that key becomes
   * the new VCM's {@code k_tenant_req}).
   */
  public VerifiedRequest verifyCreate(SignedRequest request, Instant moduleNow)
      throws RequestException {
    Objects.requireNonNull(moduleNow, "moduleNow");
    // The payload must be read to find the key; nothing in it is used before the signature.
    RequestPayload payload = request.parsePayload();
    checkKind(payload, RequestKind.CREATE);
    PublicKey carried = PublicKeys.decode(payload.requestKey());
    String expected = PublicKeys.fingerprint(carried);
    request.verifySignedBy(carried, "the request key it carries");
    checkValidity(payload, moduleNow);
    return new VerifiedRequest(payload, request.digest(), expected);
  }

  /**
   * VALIDITY_TOO_LONG beyond the kind's cap, else EXPIRED or NOT_YET_VALID by module time;
   * returns normally if the request is valid now.
   */
  void checkValidity(RequestPayload payload, Instant moduleNow) throws RequestException {
    checkValidity(payload, moduleNow, "module time");
  }

  /** As {@link #checkValidity(RequestPayload, Instant)}, judged by the clock {@code clock} names. */
  void checkValidity(RequestPayload payload, Instant moduleNow, String clock) throws RequestException {
    Duration cap = caps.of(payload.kind());
    if (Duration.between(payload.issuedAt(), payload.expiresAt()).compareTo(cap) > 0) {
      throw new RequestException(Problem.VALIDITY_TOO_LONG, "request is valid from " + payload.issuedAt()
          + " until " + payload.expiresAt() + ", longer than the " + ValidityCaps.described(cap) + " a "
          + payload.kind() + " request may be (vcmctl.vcm.max-request-validity." + payload.kind()
          + "); ask the tenant for a new request with --valid-for " + ValidityCaps.text(cap) + " or less");
    }
    if (moduleNow.isAfter(payload.expiresAt())) {
      throw new RequestException(Problem.EXPIRED, "request expired at " + payload.expiresAt()
          + " (" + clock + " is now " + moduleNow + "); ask the tenant for a new request");
    }
    if (moduleNow.plus(clockSkew).isBefore(payload.issuedAt())) {
      throw new RequestException(Problem.NOT_YET_VALID, "request is valid from "
          + payload.issuedAt() + " (" + clock + " is now " + moduleNow
          + "); check the module clock with hsmadmin settime");
    }
  }

  private static void checkKind(RequestPayload payload, RequestKind expected)
      throws RequestException {
    if (payload.kind() != expected) {
      throw new RequestException(Problem.WRONG_KIND, "this is a " + payload.kind()
          + " request; a " + expected + " request is needed");
    }
  }
}
