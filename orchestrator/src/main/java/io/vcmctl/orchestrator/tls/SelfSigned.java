package io.vcmctl.orchestrator.tls;

import io.vcmctl.persistence.DataDirectory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate and its key for trying TLS: EC P-256, valid for a year, naming
 * {@code localhost}, {@code 127.0.0.1}, {@code ::1} and the hosts asked for. Clients trust it
 * by giving the certificate itself as their CA ({@code --cacert DIR/cert.pem}).
 */
public final class SelfSigned {

  public static final String CERT = "cert.pem";
  public static final String KEY = "key.pem";
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
      + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*");
  private static final Pattern IP_TEXT = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private SelfSigned() {}

  /** The pair made: the certificate (public) and the key (owner-only) in {@code dir}. */
  public record Written(Path cert, Path key, List<String> names) {}

  /**
   * @param hosts DNS names or IP addresses to add to the certificate
   * @throws IllegalArgumentException a host that is neither
   * @throws IOException a file cannot be written or {@code dir} already holds one of them
   */
  public static Written write(Path dir, List<String> hosts, Instant now) throws IOException {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    names.addAll(hosts);
    List<GeneralName> san = new ArrayList<>();
    for (String name : names) {
      san.add(generalName(name));
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=vcm-orchestrator self-signed");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
          Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      Path key = dir.resolve(KEY);
      Path certFile = dir.resolve(CERT);
      DataDirectory.writeOwnerOnly(key, pem(keys.getPrivate()), false);
      DataDirectory.writeOwnerOnly(certFile, pem(cert), false);
      certFile.toFile().setReadable(true, false);
      return new Written(certFile, key, List.copyOf(names));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a certificate: " + e.getMessage(), e);
    }
  }

  private static GeneralName generalName(String name) {
    if (IP_TEXT.matcher(name).matches()) {
      try {
        // Only IP literals reach here, so this never asks DNS.
        return new GeneralName(GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress());
      } catch (IOException e) {
        throw new IllegalArgumentException("--host " + name + " is not an IP address", e);
      }
    }
    if (!DNS_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("--host " + io.vcmctl.vcm.SafeText.quote(name)
          + " is neither a DNS name nor an IP address");
    }
    return new GeneralName(GeneralName.dNSName, name);
  }

  private static byte[] pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object instanceof java.security.PrivateKey key
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
