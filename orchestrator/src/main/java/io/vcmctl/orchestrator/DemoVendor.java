package io.vcmctl.orchestrator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The demo vendor: an Ed25519 key pair that anyone can rebuild, trusted only when the daemon
 * runs without a real vendor key so that the quick start can issue licences. Its seed is
 * public, so a licence it signs proves nothing; it is never for production.
 */
public final class DemoVendor {

  private static final String SEED_PHRASE = "vcmctl demo vendor key; public, not for production";

  private DemoVendor() {}

  /** The same key pair on every call and every machine; no key file has to ship. */
  public static KeyPair keyPair() {
    return Holder.PAIR;
  }

  private static final class Holder {
    static final KeyPair PAIR = derive();
  }

  private static KeyPair derive() {
    try {
      byte[] seed = MessageDigest.getInstance("SHA-256").digest(SEED_PHRASE.getBytes(StandardCharsets.UTF_8));
      Ed25519PrivateKeyParameters secret = new Ed25519PrivateKeyParameters(seed, 0);
      KeyFactory keys = KeyFactory.getInstance("Ed25519", new BouncyCastleProvider());
      return new KeyPair(
          keys.generatePublic(new X509EncodedKeySpec(
              SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(secret.generatePublicKey()).getEncoded())),
          keys.generatePrivate(new PKCS8EncodedKeySpec(
              PrivateKeyInfoFactory.createPrivateKeyInfo(secret).getEncoded())));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the demo vendor key: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
