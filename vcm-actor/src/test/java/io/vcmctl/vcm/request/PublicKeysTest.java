package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.jdkP256;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PublicKeysTest {

  private static final byte[] DATA = utf8("some request bytes");

  @Test
  void fingerprintIsSshStyleSha256OfTheKeyDer() throws Exception {
    String fingerprint = PublicKeys.fingerprint(TENANT.getPublic());

    assertTrue(fingerprint.matches("SHA256:[A-Za-z0-9+/]{43}"), fingerprint);
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(TENANT.getPublic().getEncoded());
    assertEquals("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash), fingerprint);
    assertEquals(fingerprint, PublicKeys.fingerprint(PublicKeys.encode(TENANT.getPublic())));
  }

  @Test
  void fingerprintOfTextThatIsNotBase64IsRefused() {
    assertThrows(IllegalArgumentException.class, () -> PublicKeys.fingerprint("not base64!"));
  }

  @Test
  void encodedKeyIsOneLineOfBase64AndDecodesToTheSameKey() throws Exception {
    String encoded = PublicKeys.encode(TENANT.getPublic());

    assertTrue(encoded.matches("[A-Za-z0-9+/]+=*"), encoded);
    PublicKey decoded = PublicKeys.decode(encoded);
    assertArrayEquals(TENANT.getPublic().getEncoded(), decoded.getEncoded());
  }

  @Test
  void refusesTextThatIsNotBase64AsAKey() {
    String message = refused(Problem.BAD_KEY, () -> PublicKeys.decode("not a key!"));
    assertContains("is not base64", message);
  }

  @Test
  void refusesBase64ThatIsNotAKey() {
    String message = refused(Problem.BAD_KEY,
        () -> PublicKeys.decode(Base64.getEncoder().encodeToString(utf8("hello, world"))));
    assertContains("is not an X.509 SubjectPublicKeyInfo", message);
  }

  @Test
  void refusesAnEmptyKey() {
    assertContains("no public key given", refused(Problem.BAD_KEY, () -> PublicKeys.decode(" ")));
  }

  @Test
  void refusesRsaKeys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    String encoded = PublicKeys.encode(rsa.generateKeyPair().getPublic());

    String message = refused(Problem.BAD_KEY, () -> PublicKeys.decode(encoded));
    assertContains("is an RSA key; only Ed25519 and ECDSA P-256 keys are accepted", message);
  }

  @Test
  void refusesEcKeysOnOtherCurves() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    String encoded = PublicKeys.encode(ec.generateKeyPair().getPublic());

    assertContains("curve other than P-256",
        refused(Problem.BAD_KEY, () -> PublicKeys.decode(encoded)));
  }

  @Test
  void ed25519SignatureVerifiesAndAnyChangeBreaksIt() {
    byte[] signature = PublicKeys.sign(TENANT.getPrivate(), DATA);

    assertEquals(64, signature.length);
    assertTrue(PublicKeys.verify(TENANT.getPublic(), DATA, signature));
    assertFalse(PublicKeys.verify(TENANT.getPublic(), utf8("other bytes"), signature));
    signature[0] ^= 1;
    assertFalse(PublicKeys.verify(TENANT.getPublic(), DATA, signature));
  }

  @Test
  void verifyAnswersFalseInsteadOfThrowingOnGarbage() {
    assertFalse(PublicKeys.verify(TENANT.getPublic(), DATA, new byte[0]));
    assertFalse(PublicKeys.verify(TENANT.getPublic(), DATA, utf8("garbage")));
    assertFalse(PublicKeys.verify(TENANT.getPublic(), DATA, null));
    assertFalse(PublicKeys.verify(null, DATA, new byte[64]));
  }

  @Test
  void ecdsaP256SignatureFromOtherToolingVerifies() throws Exception {
    KeyPair p256 = jdkP256();
    Signature jdk = Signature.getInstance("SHA256withECDSA");
    jdk.initSign(p256.getPrivate());
    jdk.update(DATA);
    byte[] signature = jdk.sign();

    assertTrue(PublicKeys.verify(p256.getPublic(), DATA, signature));
    PublicKey decoded = PublicKeys.decode(PublicKeys.encode(p256.getPublic()));
    assertTrue(PublicKeys.verify(decoded, DATA, signature));
    assertFalse(PublicKeys.verify(decoded, utf8("other bytes"), signature));
  }

  @Test
  void ecdsaP256KeysCanSign() throws Exception {
    KeyPair p256 = jdkP256();

    assertTrue(PublicKeys.verify(p256.getPublic(), DATA, PublicKeys.sign(p256.getPrivate(), DATA)));
  }

  @Test
  void signatureByOneKeyDoesNotVerifyUnderAnother() throws Exception {
    byte[] signature = PublicKeys.sign(TENANT.getPrivate(), DATA);

    assertFalse(PublicKeys.verify(Fixtures.STRANGER.getPublic(), DATA, signature));
    assertFalse(PublicKeys.verify(jdkP256().getPublic(), DATA, signature));
  }

  @Test
  void sha256HexMatchesTheStandardVector() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        PublicKeys.sha256Hex(utf8("abc")));
  }
}
