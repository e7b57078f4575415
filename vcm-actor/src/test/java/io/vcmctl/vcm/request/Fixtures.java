package io.vcmctl.vcm.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.function.Executable;

/** Keys, times and assertions shared by the request tests. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final UUID VCM = UUID.fromString("6f1c2a3e-0b4d-4c5e-8f90-a1b2c3d4e5f6");
  static final UUID OTHER_VCM = UUID.fromString("00000000-1111-4222-8333-444444444444");

  static final KeyPair SSHADMIN = PublicKeys.generateEd25519();
  static final KeyPair TENANT = PublicKeys.generateEd25519();
  static final KeyPair STRANGER = PublicKeys.generateEd25519();

  private Fixtures() {}

  /** Runs {@code action}, which must fail with {@code problem}; returns the message. */
  static String refused(Problem problem, Executable action) {
    RequestException e = assertThrows(RequestException.class, action);
    assertEquals(problem, e.problem(), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  static void assertContains(String expected, String actual) {
    assertTrue(actual.contains(expected), () -> "expected <" + expected + "> in <" + actual + ">");
  }

  /** An ordered map from alternating names and values. */
  static Map<String, String> props(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  static RequestPayload createPayload(Map<String, String> properties) throws RequestException {
    return RequestPayload.create(PublicKeys.encode(SSHADMIN.getPublic()),
        PublicKeys.encode(TENANT.getPublic()), properties, T0, HOUR);
  }

  static SignedRequest createRequest() throws RequestException {
    return SignedRequest.sign(createPayload(props("autostart", "true", "name", "payments")), TENANT);
  }

  static SignedRequest startRequest() throws RequestException {
    return SignedRequest.sign(RequestPayload.start(VCM, T0, HOUR), TENANT);
  }

  static SignedRequest propertiesRequest() throws RequestException {
    return SignedRequest.sign(
        RequestPayload.properties(VCM, props("autostart", "false"), T0, HOUR), TENANT);
  }

  /** A P-256 key pair from the JDK's own provider, as a tenant's other tooling might make. */
  static KeyPair jdkP256() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A request carrying {@code payloadJson}, signed by TENANT so that only the payload is wrong. */
  static SignedRequest signedJson(String payloadJson) {
    byte[] payload = utf8(payloadJson);
    return new SignedRequest(payload, PublicKeys.sign(TENANT.getPrivate(), payload),
        PublicKeys.fingerprint(TENANT.getPublic()));
  }
}
