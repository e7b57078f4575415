package io.vcmctl.vcm;

import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.SignedRequest;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A tenant for tests: its two key pairs and the signed requests it makes. */
public final class TestTenant {

  public final KeyPair sshadmin = PublicKeys.generateEd25519();
  public KeyPair requestKey = PublicKeys.generateEd25519();

  public String fingerprint() {
    return PublicKeys.fingerprint(sshadmin.getPublic());
  }

  public Principal principal() {
    return Principal.tenant(fingerprint());
  }

  public String requestKeyEncoded() {
    return PublicKeys.encode(requestKey.getPublic());
  }

  public byte[] createRequest(Map<String, String> properties, Instant issuedAt) {
    return createRequest(properties, issuedAt, Duration.ofHours(24));
  }

  public byte[] createRequest(Map<String, String> properties, Instant issuedAt, Duration validFor) {
    return sign(() -> RequestPayload.create(PublicKeys.encode(sshadmin.getPublic()), requestKeyEncoded(),
        properties, issuedAt, validFor), requestKey);
  }

  public byte[] startRequest(UUID vcm, Instant issuedAt, Duration validFor) {
    return sign(() -> RequestPayload.start(vcm, issuedAt, validFor), requestKey);
  }

  public byte[] propertiesRequest(UUID vcm, Map<String, String> properties, Instant issuedAt) {
    return propertiesRequest(vcm, properties, issuedAt, requestKey);
  }

  public byte[] propertiesRequest(UUID vcm, Map<String, String> properties, Instant issuedAt, KeyPair signer) {
    return sign(() -> RequestPayload.properties(vcm, properties, issuedAt, Duration.ofHours(1)), signer);
  }

  /** The properties the HSM would choose for a plain create of this tenant's request. */
  public VcmProperties properties(boolean autostart, boolean restrictStartup, String ip) {
    return new VcmProperties(autostart, restrictStartup, false, List.of("StandardFeatures"), "vcm", ip,
        requestKeyEncoded());
  }

  private interface PayloadMaker {
    RequestPayload make() throws RequestException;
  }

  private static byte[] sign(PayloadMaker maker, KeyPair signer) {
    try {
      return SignedRequest.sign(maker.make(), signer).toFileBytes();
    } catch (RequestException e) {
      throw new IllegalStateException(e);
    }
  }
}
