package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.HOUR;
import static io.vcmctl.vcm.request.Fixtures.OTHER_VCM;
import static io.vcmctl.vcm.request.Fixtures.STRANGER;
import static io.vcmctl.vcm.request.Fixtures.T0;
import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.VCM;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.createPayload;
import static io.vcmctl.vcm.request.Fixtures.createRequest;
import static io.vcmctl.vcm.request.Fixtures.propertiesRequest;
import static io.vcmctl.vcm.request.Fixtures.props;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static io.vcmctl.vcm.request.Fixtures.startRequest;
import static io.vcmctl.vcm.request.Fixtures.text;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestVerifierTest {

  private final RequestVerifier verifier = new RequestVerifier();
  private final PublicKey tenantKey = TENANT.getPublic();
  private final Instant now = T0.plusSeconds(60);

  /** Sends the request through its file form first, as the orchestrator receives it. */
  private static SignedRequest viaFile(SignedRequest request) throws RequestException {
    return SignedRequest.parse(request.toFileBytes());
  }

  @Test
  void acceptsACreateRequestSignedByTheKeyItCarries() throws Exception {
    SignedRequest request = viaFile(createRequest());

    VerifiedRequest verified = verifier.verifyCreate(request, now);

    assertEquals(RequestKind.CREATE, verified.payload().kind());
    assertEquals(Optional.of("payments"), verified.payload().requested(VcmProperty.NAME));
    assertEquals(request.digest(), verified.digest());
    assertEquals(PublicKeys.fingerprint(tenantKey), verified.signerFingerprint());
  }

  @Test
  void acceptsAStartRequestSignedByTheCurrentKey() throws Exception {
    VerifiedRequest verified = verifier.verify(viaFile(startRequest()), tenantKey,
        RequestKind.START, VCM, now);

    assertEquals(VCM, verified.payload().vcm());
    assertEquals(PublicKeys.fingerprint(tenantKey), verified.signerFingerprint());
  }

  @Test
  void acceptsAPropertiesRequestSignedByTheCurrentKey() throws Exception {
    VerifiedRequest verified = verifier.verify(viaFile(propertiesRequest()), tenantKey,
        RequestKind.PROPERTIES, VCM, now);

    assertEquals(Optional.of("false"), verified.payload().requested(VcmProperty.AUTOSTART));
  }

  @Test
  void refusesTamperedPayload() throws Exception {
    SignedRequest signed = propertiesRequest();
    byte[] altered = utf8(text(signed.payload())
        .replace("\"autostart\":\"false\"", "\"autostart\":\"true\""));
    byte[] file = new SignedRequest(altered, signed.signature(), signed.signer()).toFileBytes();

    assertEquals("signature does not verify: the request was altered after signing;"
        + " ask the tenant to send it again", refused(Problem.BAD_SIGNATURE,
            () -> verifier.verify(SignedRequest.parse(file), tenantKey, RequestKind.PROPERTIES,
                VCM, now)));
  }

  @Test
  void refusesAlteredBytesBeforeReadingThem() throws Exception {
    SignedRequest signed = startRequest();
    SignedRequest broken = new SignedRequest(utf8("{not json"), signed.signature(), signed.signer());

    refused(Problem.BAD_SIGNATURE,
        () -> verifier.verify(broken, tenantKey, RequestKind.START, VCM, now));
  }

  @Test
  void refusesARequestSignedByAnotherKey() throws Exception {
    SignedRequest request = SignedRequest.sign(RequestPayload.start(VCM, T0, HOUR), STRANGER);

    String message = refused(Problem.WRONG_KEY,
        () -> verifier.verify(request, tenantKey, RequestKind.START, VCM, now));
    assertEquals("request is signed by " + PublicKeys.fingerprint(STRANGER.getPublic())
        + ", not by the VCM's current k_tenant_req " + PublicKeys.fingerprint(tenantKey)
        + "; ask the tenant to sign it with that key", message);
  }

  @Test
  void refusesAnotherKeyClaimingToBeTheExpectedSigner() throws Exception {
    SignedRequest real = SignedRequest.sign(RequestPayload.start(VCM, T0, HOUR), STRANGER);
    SignedRequest forged = new SignedRequest(real.payload(), real.signature(),
        PublicKeys.fingerprint(tenantKey));

    refused(Problem.BAD_SIGNATURE,
        () -> verifier.verify(forged, tenantKey, RequestKind.START, VCM, now));
  }

  @Test
  void refusesACreateRequestNotSignedByTheKeyItCarries() throws Exception {
    SignedRequest request = SignedRequest.sign(createPayload(props()), STRANGER);

    String message = refused(Problem.WRONG_KEY, () -> verifier.verifyCreate(request, now));
    Fixtures.assertContains("not by the request key it carries " + PublicKeys.fingerprint(tenantKey),
        message);
  }

  @Test
  void refusesARequestForAnotherVcm() throws Exception {
    SignedRequest request = SignedRequest.sign(RequestPayload.start(OTHER_VCM, T0, HOUR), TENANT);

    String message = refused(Problem.WRONG_VCM,
        () -> verifier.verify(request, tenantKey, RequestKind.START, VCM, now));
    Fixtures.assertContains("request is for VCM " + OTHER_VCM + ", not " + VCM, message);
  }

  @Test
  void refusesARequestOfTheWrongKind() throws Exception {
    SignedRequest start = startRequest();

    assertEquals("this is a start request; a properties request is needed", refused(
        Problem.WRONG_KIND,
        () -> verifier.verify(start, tenantKey, RequestKind.PROPERTIES, VCM, now)));
    refused(Problem.WRONG_KIND, () -> verifier.verifyCreate(start, now));
  }

  @Test
  void refusesAnExpiredRequestByModuleTime() throws Exception {
    Instant late = T0.plus(HOUR).plusSeconds(1);

    String message = refused(Problem.EXPIRED,
        () -> verifier.verify(startRequest(), tenantKey, RequestKind.START, VCM, late));
    assertEquals("request expired at 2025-03-01T13:00:00Z (module time is now"
        + " 2025-03-01T13:00:01Z); ask the tenant for a new request", message);
    refused(Problem.EXPIRED, () -> verifier.verifyCreate(createRequest(), late));
  }

  @Test
  void acceptsARequestAtTheInstantItExpires() throws Exception {
    verifier.verify(startRequest(), tenantKey, RequestKind.START, VCM, T0.plus(HOUR));
  }

  @Test
  void refusesARequestThatIsNotYetValid() throws Exception {
    Instant early = T0.minus(Duration.ofMinutes(6));

    String message = refused(Problem.NOT_YET_VALID,
        () -> verifier.verify(startRequest(), tenantKey, RequestKind.START, VCM, early));
    assertEquals("request is valid from 2025-03-01T12:00:00Z (module time is now"
        + " 2025-03-01T11:54:00Z); check the module clock with hsmadmin settime", message);
  }

  @Test
  void toleratesAModuleClockUpToTheSkewBehind() throws Exception {
    verifier.verify(startRequest(), tenantKey, RequestKind.START, VCM, T0.minus(Duration.ofMinutes(5)));

    RequestVerifier strict = new RequestVerifier(Duration.ZERO, ValidityCaps.DEFAULT);
    refused(Problem.NOT_YET_VALID, () -> strict.verify(startRequest(), tenantKey,
        RequestKind.START, VCM, T0.minusSeconds(1)));
  }

  @Test
  void refusesARequestValidForLongerThanItsKindMayBe() throws Exception {
    SignedRequest endless = SignedRequest.sign(RequestPayload.properties(VCM, props("autostart", "false"), T0,
        Duration.between(T0, Instant.parse("+999999999-12-31T23:59:59Z"))), TENANT);
    assertEquals("request is valid from 2025-03-01T12:00:00Z until +999999999-12-31T23:59:59Z, longer than the 24h"
        + " a properties request may be (vcmctl.vcm.max-request-validity.properties); ask the tenant for a new"
        + " request with --valid-for 24h or less", refused(Problem.VALIDITY_TOO_LONG,
            () -> verifier.verify(viaFile(endless), tenantKey, RequestKind.PROPERTIES, VCM, now)));

    RequestVerifier configured = new RequestVerifier(Duration.ZERO,
        new ValidityCaps(Duration.ofDays(30), Duration.ofMinutes(90), Duration.ofHours(24)));
    SignedRequest twoHours = SignedRequest.sign(RequestPayload.start(VCM, T0, HOUR.multipliedBy(2)), TENANT);
    assertContains("longer than the 90m a start request may be", refused(Problem.VALIDITY_TOO_LONG,
        () -> configured.verify(twoHours, tenantKey, RequestKind.START, VCM, now)));
    verifier.verify(twoHours, tenantKey, RequestKind.START, VCM, now);
  }

  @Test
  void acceptsARequestSignedWithAnEcdsaP256Key() throws Exception {
    KeyPair p256 = Fixtures.jdkP256();
    SignedRequest request = viaFile(SignedRequest.sign(RequestPayload.properties(VCM,
        props("k_tenant_req", PublicKeys.encode(STRANGER.getPublic())), T0, HOUR), p256));

    VerifiedRequest verified = verifier.verify(request, PublicKeys.decode(
        PublicKeys.encode(p256.getPublic())), RequestKind.PROPERTIES, VCM, now);

    assertEquals(Optional.of(PublicKeys.encode(STRANGER.getPublic())),
        verified.payload().requested(VcmProperty.K_TENANT_REQ));
  }
}
