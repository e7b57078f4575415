package io.vcmctl.orchestrator.tls;

import io.vcmctl.vcm.SafeText;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The daemon's TLS from PEM files, as operators have them: its certificate chain and its
 * unencrypted private key (PKCS#8, or the EC and RSA forms openssl writes). Every problem is
 * an {@link IllegalArgumentException} with one line naming the file.
 */
public final class PemFiles {

  private PemFiles() {}

  /** A server context presenting the chain of {@code certFile} with the key of {@code keyFile}. */
  public static SSLContext server(Path certFile, Path keyFile) {
    List<X509Certificate> chain = PemCertificates.certificates(certFile, "--tls-cert");
    PrivateKey key = privateKey(keyFile);
    try {
      if (!matches(key, chain.get(0))) {
        throw new IllegalArgumentException("--tls-key " + keyFile + " is not the key of the certificate in --tls-cert "
            + certFile + "; give the key the certificate was made for");
      }
      char[] password = new char[0];
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("daemon", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use --tls-cert " + certFile + " with --tls-key " + keyFile + ": "
          + SafeText.oneLine(String.valueOf(e.getMessage())), e);
    }
  }

  private static PrivateKey privateKey(Path file) {
    String text = new String(PemCertificates.read(file, "--tls-key"), StandardCharsets.US_ASCII);
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object pem = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (pem instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (pem instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--tls-key " + file + " is not a readable PEM private key: "
          + SafeText.oneLine(String.valueOf(e.getMessage())), e);
    }
    throw new IllegalArgumentException("--tls-key " + file + " holds no unencrypted private key; give a PEM file with"
        + " -----BEGIN PRIVATE KEY----- (openssl pkcs8 -topk8 -nocrypt converts others)");
  }

  /** Whether {@code key} is the certificate's: a signature by one verifies with the other. */
  private static boolean matches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("--tls-key holds a " + key.getAlgorithm()
          + " key; use an EC, RSA or Ed25519 key");
    };
    byte[] probe = "vcm-orchestrator tls key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    try {
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (java.security.InvalidKeyException e) {
      return false;
    }
  }
}
