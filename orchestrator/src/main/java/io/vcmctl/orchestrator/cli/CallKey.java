package io.vcmctl.orchestrator.cli;

import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.UnaryOperator;

/**
 * The key that signs a tenant's calls (the sshadmin key): the base64 public key the daemon is
 * sent, and the signing itself.
 *
 * <p>An Ed25519 pair (what {@code hsmadmin vcm create} makes) is read and used through the
 * JDK's own provider, SunEC: registering BouncyCastle loads about 660 classes from a signed jar,
 * which a class data sharing archive cannot hold, and cost a tenant call more than its own
 * HTTP round trip. Ed25519 signatures are deterministic, so the daemon sees the same bytes
 * either provider makes. Any other key, or files the JDK cannot read, or a pair that does not
 * match, take the BouncyCastle path ({@link KeyFiles#readOrCreateKeyPair}), which says what
 * is wrong. No lambdas here, as in {@link Everyday}.
 */
final class CallKey implements UnaryOperator<byte[]> {

  private static final String ED25519 = "Ed25519";
  private static final int ED25519_V2_LENGTH = 83;
  private static final int ED25519_SPKI_LENGTH = 44;
  private static final byte[] PROBE = "vcmctl key pair check".getBytes(StandardCharsets.US_ASCII);

  private final String publicKey;
  private final PrivateKey privateKey;
  private final KeyPair bouncyCastle;

  private CallKey(String publicKey, PrivateKey privateKey, KeyPair bouncyCastle) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.bouncyCastle = bouncyCastle;
  }

  /** The Ed25519 pair in these files read through the JDK, or null: then read it with {@link #of}. */
  static CallKey jdk(Path privateFile, Path publicFile) {
    try {
      byte[] publicDer = KeyFiles.publicDer(publicFile);
      byte[] privateDer = KeyFiles.privateDer(privateFile);
      KeyFactory keys = KeyFactory.getInstance(ED25519);
      PrivateKey privateKey = keys.generatePrivate(new PKCS8EncodedKeySpec(privateDer));
      if (!sameEmbeddedPublicKey(privateDer, publicDer)) {
        PublicKey publicKey = keys.generatePublic(new X509EncodedKeySpec(publicDer));
        Signature verifier = Signature.getInstance(ED25519);
        verifier.initVerify(publicKey);
        verifier.update(PROBE);
        if (!verifier.verify(sign(privateKey, PROBE))) {
          return null;
        }
      }
      return new CallKey(Base64.getEncoder().encodeToString(publicDer), privateKey, null);
    } catch (RequestException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** A pair read through BouncyCastle. */
  static CallKey of(KeyPair pair) {
    return new CallKey(PublicKeys.encode(pair.getPublic()), null, pair);
  }

  /**
   * Whether the private key file carries the public key (PKCS#8 v2, as written here) and it is
   * the one in the public key file: then the pair matches without the probe signature and its
   * verification, two of the three curve operations a call would otherwise make cold. (A file
   * whose embedded key is not its private half's own is then refused by the daemon as a bad
   * signature.)
   */
  private static boolean sameEmbeddedPublicKey(byte[] privateDer, byte[] publicDer) {
    // 30 51 02 01 01 (v2) 30 05 06 03 2B 65 70 04 22 04 20 <32 private> 81 21 00 <32 public>
    // against 30 2A 30 05 06 03 2B 65 70 03 21 00 <32 public>.
    return privateDer.length == ED25519_V2_LENGTH && privateDer[4] == 1 && privateDer[48] == (byte) 0x81
        && privateDer[49] == 0x21 && privateDer[50] == 0 && publicDer.length == ED25519_SPKI_LENGTH
        && Arrays.equals(privateDer, 51, 83, publicDer, 12, 44);
  }

  /** Base64 of the public key's SubjectPublicKeyInfo DER, as the daemon expects it. */
  String publicKey() {
    return publicKey;
  }

  /** Signs with the private key: the signer a tenant call is given. */
  @Override
  public byte[] apply(byte[] data) {
    if (bouncyCastle != null) {
      return PublicKeys.sign(bouncyCastle.getPrivate(), data);
    }
    try {
      return sign(privateKey, data);
    } catch (GeneralSecurityException e) {
      throw new CliException("cannot sign with the sshadmin key: " + e.getMessage(), e);
    }
  }

  private static byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature signature = Signature.getInstance(ED25519);
    signature.initSign(key);
    signature.update(data);
    return signature.sign();
  }
}
