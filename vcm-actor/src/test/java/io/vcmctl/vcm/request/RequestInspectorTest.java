package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.HOUR;
import static io.vcmctl.vcm.request.Fixtures.SSHADMIN;
import static io.vcmctl.vcm.request.Fixtures.STRANGER;
import static io.vcmctl.vcm.request.Fixtures.T0;
import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.VCM;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.createPayload;
import static io.vcmctl.vcm.request.Fixtures.createRequest;
import static io.vcmctl.vcm.request.Fixtures.props;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static io.vcmctl.vcm.request.Fixtures.startRequest;
import static io.vcmctl.vcm.request.Fixtures.text;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.request.RequestException.Problem;
import io.vcmctl.vcm.request.RequestInspector.Inspection;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestInspectorTest {

  private final Instant now = T0.plusSeconds(60);

  @Test
  void showsACreateRequestCheckedAgainstTheKeyItCarries() throws Exception {
    SignedRequest request = createRequest();

    Inspection inspection = RequestInspector.inspect(request.toFileBytes(), now);

    assertTrue(inspection.signatureValid());
    assertTrue(inspection.signatureChecked());
    assertNull(inspection.problem());
    assertEquals(request.digest(), inspection.digest());
    assertEquals(PublicKeys.fingerprint(TENANT.getPublic()), inspection.signer());
    String rendered = inspection.render();
    for (String line : new String[] {
        "kind: create", "vcm: (new VCM)", "properties:", "  autostart: true", "  name: payments",
        "issued at: 2025-03-01T12:00:00Z", "expires at: 2025-03-01T13:00:00Z",
        "nonce: " + inspection.payload().nonce(), "digest: " + request.digest(),
        "signer: " + PublicKeys.fingerprint(TENANT.getPublic()),
        "sshadmin key: " + PublicKeys.fingerprint(SSHADMIN.getPublic()),
        "request key: " + PublicKeys.fingerprint(TENANT.getPublic()),
        "signature: valid", "validity: ok (module time is now 2025-03-01T12:01:00Z)"}) {
      assertTrue(rendered.lines().anyMatch(line::equals), () -> "no line <" + line + "> in\n" + rendered);
    }
  }

  @Test
  void leavesAStartRequestUncheckedWithoutTheVcmKey() throws Exception {
    Inspection inspection = RequestInspector.inspect(startRequest().toFileBytes(), now);

    assertFalse(inspection.signatureChecked());
    assertFalse(inspection.signatureValid());
    assertContains("vcm: " + VCM, inspection.render());
    assertContains("properties: (none)", inspection.render());
    assertContains("signature: not checked (needs the VCM's k_tenant_req)", inspection.render());
  }

  @Test
  void checksAStartRequestAgainstTheGivenKey() throws Exception {
    byte[] file = startRequest().toFileBytes();

    assertContains("signature: valid",
        RequestInspector.inspect(file, TENANT.getPublic(), now).render());
    Inspection wrongKey = RequestInspector.inspect(file, STRANGER.getPublic(), now);
    assertFalse(wrongKey.signatureValid());
    assertContains("signature: INVALID (request is signed by "
        + PublicKeys.fingerprint(TENANT.getPublic()), wrongKey.render());
  }

  @Test
  void showsATamperedRequestAsInvalid() throws Exception {
    SignedRequest signed = SignedRequest.sign(createPayload(props("autostart", "false")), TENANT);
    byte[] altered = utf8(text(signed.payload()).replace("\"false\"", "\"true\""));
    byte[] file = new SignedRequest(altered, signed.signature(), signed.signer()).toFileBytes();

    Inspection inspection = RequestInspector.inspect(file, now);

    assertFalse(inspection.signatureValid());
    assertContains("signature: INVALID (signature does not verify", inspection.render());
    assertContains("  autostart: true", inspection.render());
  }

  @Test
  void showsWhetherTheRequestIsValidByModuleTime() throws Exception {
    byte[] file = createRequest().toFileBytes();

    Inspection late = RequestInspector.inspect(file, T0.plus(HOUR).plusSeconds(1));
    assertTrue(late.signatureValid());
    assertContains("request expired at", late.problem());
    assertContains("validity: expired: request expired at 2025-03-01T13:00:00Z", late.render());
    assertContains("validity: not yet valid: request is valid from",
        RequestInspector.inspect(file, T0.minus(HOUR)).render());
  }

  @Test
  void showsANewRequestKeyByItsFingerprint() throws Exception {
    String next = PublicKeys.encode(STRANGER.getPublic());
    byte[] file = SignedRequest.sign(RequestPayload.properties(VCM, props("k_tenant_req", next),
        T0, HOUR), TENANT).toFileBytes();

    assertContains("  k_tenant_req: public key " + PublicKeys.fingerprint(next),
        RequestInspector.inspect(file, TENANT.getPublic(), now).render());
  }

  @Test
  void refusesAFileItCannotRead() {
    refused(Problem.MALFORMED_JSON, () -> RequestInspector.inspect(utf8("garbage"), T0));
    refused(Problem.EMPTY, () -> RequestInspector.inspect(new byte[0], T0));
  }

  @Test
  void saysWhichClockJudgedTheValidity() throws Exception {
    byte[] file = createRequest().toFileBytes();

    assertContains("validity: ok (this host's clock is now " + now + ")",
        RequestInspector.inspect(file, null, now, "this host's clock").render());
    assertContains("validity: expired: request expired at 2025-03-01T13:00:00Z (this host's clock is now",
        RequestInspector.inspect(file, null, T0.plus(HOUR).plusSeconds(1), "this host's clock").render());
    assertContains("validity: ok (module time is now " + now + ")", RequestInspector.inspect(file, now).render());
  }
}
