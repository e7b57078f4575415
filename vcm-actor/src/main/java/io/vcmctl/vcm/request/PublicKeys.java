package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.SafeText.quote;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Request-signing keys: Ed25519 (what hsmadmin makes) and, for verification, ECDSA P-256.
 * Keys travel as base64 of their X.509 SubjectPublicKeyInfo DER and are named by an
 * ssh-style fingerprint over the same DER.
 */
public final class PublicKeys {

  private static final String ED25519_OID = "1.3.101.112";
  private static final String EC_OID = "1.2.840.10045.2.1";
  private static final String P256_OID = "1.2.840.10045.3.1.7";

  private static final String ACCEPTED = "only Ed25519 and ECDSA P-256 keys are accepted";

  private PublicKeys() {}

  /**
   * BouncyCastle, created and registered on first use; every key operation goes through it so
   * that parsing and signing do not depend on which providers the JDK has.
   */
  private static final class Bc {
    static final Provider PROVIDER = load();

    private static Provider load() {
      Provider bc = new BouncyCastleProvider();
      if (Security.getProvider(bc.getName()) == null) {
        Security.addProvider(bc);
      }
      return bc;
    }
  }

  private static Provider provider() {
    return Bc.PROVIDER;
  }

  public static KeyPair generateEd25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519", provider()).generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BouncyCastle has no Ed25519: " + e.getMessage(), e);
    }
  }

  /** Base64 (standard alphabet, one line) of the key's SubjectPublicKeyInfo DER. */
  public static String encode(PublicKey key) {
    return Base64.getEncoder().encodeToString(der(key));
  }

  /** Reads a key that {@link #encode} wrote; only Ed25519 and ECDSA P-256 keys pass. */
  public static PublicKey decode(String encoded) throws RequestException {
    if (encoded == null || encoded.isBlank()) {
      throw new RequestException(Problem.BAD_KEY,
          "no public key given; expected base64 of an Ed25519 or ECDSA P-256 public key");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(encoded.strip());
    } catch (IllegalArgumentException e) {
      throw new RequestException(Problem.BAD_KEY, "public key " + quote(encoded)
          + " is not base64; expected base64 of the key's X.509 SubjectPublicKeyInfo DER"
          + " (openssl pkey -pubin -outform DER | base64 -w0)", e);
    }
    return decodeDer(der, "public key " + quote(encoded));
  }

  /** Parses SubjectPublicKeyInfo DER; {@code what} names the key's origin in messages. */
  static PublicKey decodeDer(byte[] der, String what) throws RequestException {
    String factory = keyFactoryAlgorithm(publicKeyAlgorithm(der, what), what);
    try {
      return KeyFactory.getInstance(factory, provider()).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new RequestException(Problem.BAD_KEY, what + " is not a valid " + factory
          + " public key (" + io.vcmctl.vcm.SafeText.oneLine(e.getMessage()) + ")", e);
    }
  }

  /** Parses PKCS#8 DER of an Ed25519 or ECDSA P-256 private key. */
  static PrivateKey decodePrivateDer(byte[] der, String what) throws RequestException {
    String factory = keyFactoryAlgorithm(privateKeyAlgorithm(der, what), what);
    try {
      return KeyFactory.getInstance(factory, provider()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new RequestException(Problem.BAD_KEY, what + " is not a valid " + factory
          + " private key (" + io.vcmctl.vcm.SafeText.oneLine(e.getMessage()) + ")", e);
    }
  }

  /** "SHA256:" and unpadded base64 of SHA-256 over the SubjectPublicKeyInfo DER, as ssh prints. */
  public static String fingerprint(PublicKey key) {
    return fingerprintOfDer(der(key));
  }

  /**
   * The fingerprint of a key in {@link #encode} form, without parsing the key; equal to
   * {@link #fingerprint(PublicKey)} of the decoded key.
   *
   * @throws IllegalArgumentException if {@code encoded} is not base64
   */
  public static String fingerprint(String encoded) {
    try {
      return fingerprintOfDer(Base64.getDecoder().decode(encoded.strip()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("public key " + quote(encoded) + " is not base64", e);
    }
  }

  /** Signs with Ed25519, or SHA256withECDSA for an ECDSA P-256 key. */
  public static byte[] sign(PrivateKey key, byte[] data) {
    try {
      // BouncyCastle's engines take its own key classes, so any key is re-read through it.
      PrivateKey bcKey = decodePrivateDer(key.getEncoded(), "the signing key");
      Signature signature = Signature.getInstance(signatureAlgorithm(bcKey), provider());
      signature.initSign(bcKey);
      signature.update(data);
      return signature.sign();
    } catch (RequestException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("cannot sign with this " + key.getAlgorithm() + " key: "
          + io.vcmctl.vcm.SafeText.oneLine(e.getMessage()), e);
    }
  }

  /** Whether {@code sig} is a valid signature of {@code data}; false, never an exception, otherwise. */
  public static boolean verify(PublicKey key, byte[] data, byte[] sig) {
    if (key == null || data == null || sig == null) {
      return false;
    }
    try {
      PublicKey bcKey = decodeDer(der(key), "the verifying key");
      Signature signature = Signature.getInstance(signatureAlgorithm(bcKey), provider());
      signature.initVerify(bcKey);
      signature.update(data);
      return signature.verify(sig);
    } catch (RequestException | GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256(data));
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String fingerprintOfDer(byte[] der) {
    return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha256(der));
  }

  private static byte[] der(PublicKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"X.509".equals(key.getFormat())) {
      throw new IllegalArgumentException("public key has no X.509 encoding");
    }
    return der;
  }

  /** Only keys that passed {@link #keyFactoryAlgorithm} get here. */
  private static String signatureAlgorithm(Key bcKey) {
    return "EC".equals(bcKey.getAlgorithm()) ? "SHA256withECDSA" : "Ed25519";
  }

  /** A key's algorithm identifier: the OID and, for EC, the named curve's OID. */
  private record Algorithm(String oid, String parameters) {
    static Algorithm of(AlgorithmIdentifier id) {
      ASN1Encodable parameters = id.getParameters();
      return new Algorithm(id.getAlgorithm().getId(),
          parameters instanceof ASN1ObjectIdentifier curve ? curve.getId() : null);
    }
  }

  private static Algorithm publicKeyAlgorithm(byte[] der, String what) throws RequestException {
    try {
      return Algorithm.of(SubjectPublicKeyInfo.getInstance(der).getAlgorithm());
    } catch (RuntimeException e) {
      throw new RequestException(Problem.BAD_KEY, what
          + " is not an X.509 SubjectPublicKeyInfo; expected an Ed25519 or ECDSA P-256 public key", e);
    }
  }

  private static Algorithm privateKeyAlgorithm(byte[] der, String what) throws RequestException {
    try {
      return Algorithm.of(PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm());
    } catch (RuntimeException e) {
      throw new RequestException(Problem.BAD_KEY, what
          + " is not a PKCS#8 private key; expected an Ed25519 or ECDSA P-256 private key", e);
    }
  }

  /** The KeyFactory algorithm for a key, refusing what requests may not use. */
  private static String keyFactoryAlgorithm(Algorithm algorithm, String what) throws RequestException {
    if (ED25519_OID.equals(algorithm.oid())) {
      return "Ed25519";
    }
    if (EC_OID.equals(algorithm.oid())) {
      if (P256_OID.equals(algorithm.parameters())) {
        return "EC";
      }
      throw new RequestException(Problem.BAD_KEY,
          what + " is an ECDSA key on a curve other than P-256; " + ACCEPTED);
    }
    throw new RequestException(Problem.BAD_KEY,
        what + " is " + algorithmName(algorithm.oid()) + "; " + ACCEPTED);
  }

  private static String algorithmName(String oid) {
    switch (oid) {
      case "1.2.840.113549.1.1.1":
        return "an RSA key";
      case "1.3.101.113":
        return "an Ed448 key";
      case "1.3.101.110":
        return "an X25519 key";
      default:
        return "a key of algorithm " + oid;
    }
  }
}
