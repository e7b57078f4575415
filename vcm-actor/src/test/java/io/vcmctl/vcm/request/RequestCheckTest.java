package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.HOUR;
import static io.vcmctl.vcm.request.Fixtures.OTHER_VCM;
import static io.vcmctl.vcm.request.Fixtures.STRANGER;
import static io.vcmctl.vcm.request.Fixtures.T0;
import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.VCM;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.propertiesRequest;
import static io.vcmctl.vcm.request.Fixtures.startRequest;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.VcmRules;
import io.vcmctl.vcm.request.RequestCheck.Verdict;
import java.security.PublicKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestCheckTest {

  private final RequestVerifier verifier = new RequestVerifier();
  private final Instant now = T0.plusSeconds(60);

  /** The refusal the VCM itself gives for this request, to compare the check's with. */
  private String vcmRefuses(SignedRequest request, PublicKey current, RequestKind kind, Instant at) {
    RequestException e = assertThrows(RequestException.class, () -> verifier.verify(request, current, kind, VCM, at));
    return VcmRules.invalidRequest(e).getMessage();
  }

  @Test
  void aRequestSignedByTheCurrentKeyAndValidByModuleTimeIsAccepted() throws Exception {
    SignedRequest start = startRequest();
    Verdict verdict = RequestCheck.check(start.toFileBytes(), VCM, TENANT.getPublic(), now, verifier);
    assertTrue(verdict.accepted());
    assertNull(verdict.refusal());
    assertEquals(RequestKind.START, verdict.kind());
    assertEquals(start.digest(), verdict.digest());
    assertEquals(PublicKeys.fingerprint(TENANT.getPublic()), verdict.expectedSigner());
    assertEquals(now, verdict.moduleNow());
    assertTrue(RequestCheck.check(propertiesRequest().toFileBytes(), VCM, TENANT.getPublic(), now, verifier)
        .accepted());
  }

  @Test
  void aRequestSignedByAReplacedKeyGetsTheVcmsOwnRefusal() throws Exception {
    SignedRequest props = propertiesRequest();
    Verdict verdict = RequestCheck.check(props.toFileBytes(), VCM, STRANGER.getPublic(), now, verifier);
    assertFalse(verdict.accepted());
    assertEquals(Refusal.Code.INVALID_REQUEST, verdict.refusal().code());
    assertEquals(vcmRefuses(props, STRANGER.getPublic(), RequestKind.PROPERTIES, now), verdict.refusal().getMessage());
    assertContains("not by the VCM's current k_tenant_req", verdict.refusal().getMessage());
  }

  @Test
  void expiryIsJudgedByTheModuleTimeGiven() throws Exception {
    SignedRequest start = startRequest();
    Instant late = T0.plus(HOUR).plusSeconds(1);
    Verdict verdict = RequestCheck.check(start.toFileBytes(), VCM, TENANT.getPublic(), late, verifier);
    assertEquals(vcmRefuses(start, TENANT.getPublic(), RequestKind.START, late), verdict.refusal().getMessage());
    assertContains("expired at 2025-03-01T13:00:00Z (module time is now 2025-03-01T13:00:01Z)",
        verdict.refusal().getMessage());
  }

  @Test
  void aRequestForAnotherVcmOrNoRequestAtAllIsRefusedAsTheVcmWould() throws Exception {
    Verdict other = RequestCheck.check(startRequest().toFileBytes(), OTHER_VCM, TENANT.getPublic(), now, verifier);
    assertContains("request is for VCM " + VCM + ", not " + OTHER_VCM, other.refusal().getMessage());

    Verdict garbage = RequestCheck.check(utf8("garbage"), VCM, TENANT.getPublic(), now, verifier);
    assertEquals(Refusal.Code.INVALID_REQUEST, garbage.refusal().code());
    assertNull(garbage.kind());
    assertFalse(garbage.refusal().getMessage().contains("\n"));
  }
}
