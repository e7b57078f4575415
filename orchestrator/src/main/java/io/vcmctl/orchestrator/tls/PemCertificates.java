package io.vcmctl.orchestrator.tls;

import io.vcmctl.vcm.SafeText;
import io.vcmctl.vcm.request.BoundedFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * PEM certificates with the JDK alone (the command lines load nothing more for {@code --cacert}).
 * Every problem is an {@link IllegalArgumentException} with one line naming the file.
 */
public final class PemCertificates {

  // A certificate chain or a key is a few KiB; a much larger file is something else.
  private static final int MAX_PEM_BYTES = 1 << 20;

  private PemCertificates() {}

  /** A client context trusting only the certificates of {@code caFile}. */
  public static SSLContext trusting(Path caFile, String option) {
    List<X509Certificate> cas = certificates(caFile, option);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot trust " + option + " " + caFile + ": "
          + SafeText.oneLine(String.valueOf(e.getMessage())), e);
    }
  }

  /** The PEM certificates of a file, at least one. */
  public static List<X509Certificate> certificates(Path file, String option) {
    byte[] bytes = read(file, option);
    try {
      List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(bytes)).stream().map(c -> (X509Certificate) c).toList();
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(option + " " + file + " holds no certificate; give a PEM file with"
            + " -----BEGIN CERTIFICATE-----");
      }
      return certs;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(option + " " + file + " is not a PEM certificate (-----BEGIN CERTIFICATE-----)",
          e);
    }
  }

  static byte[] read(Path file, String option) {
    try {
      return BoundedFiles.read(file, MAX_PEM_BYTES);
    } catch (BoundedFiles.TooLarge e) {
      throw new IllegalArgumentException(option + " " + file + " is not a PEM file (it holds more than " + e.limit()
          + " bytes)", e);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(option + " " + file + ": no such file", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + option + " " + file + ": " + e.getMessage(), e);
    }
  }
}
