package io.vcmctl.vcm.request;

import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;

/**
 * Key pairs in PEM files, readable by openssl: the private key as unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}, owner-only), the public key as SubjectPublicKeyInfo
 * ({@code BEGIN PUBLIC KEY}).
 */
public final class KeyFiles {

  private static final String PRIVATE_LABEL = "PRIVATE KEY";
  private static final String PUBLIC_LABEL = "PUBLIC KEY";
  // A PEM key is well under a kilobyte; anything much larger is not one.
  private static final int MAX_FILE_BYTES = 64 * 1024;
  private static final byte[] PROBE = "vcmctl key pair check".getBytes(StandardCharsets.US_ASCII);

  private KeyFiles() {}

  /** Writes the private key as PKCS#8 PEM, owner-only (0600), replacing any file atomically. */
  public static void writePrivate(Path file, PrivateKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("private key has no PKCS#8 encoding");
    }
    DataDirectory.writeOwnerOnly(file, pem(PRIVATE_LABEL, der));
  }

  /** Writes the public key as SubjectPublicKeyInfo PEM, world-readable (0644). */
  public static void writePublic(Path file, PublicKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"X.509".equals(key.getFormat())) {
      throw new IllegalArgumentException("public key has no X.509 encoding");
    }
    DataDirectory.writeOwnerOnly(file, pem(PUBLIC_LABEL, der));
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make " + file + " readable: " + e.getMessage(), e);
      }
    }
  }

  public static PrivateKey readPrivate(Path file) throws RequestException {
    return PublicKeys.decodePrivateDer(privateDer(file), file.toString());
  }

  public static PublicKey readPublic(Path file) throws RequestException {
    return PublicKeys.decodeDer(publicDer(file), file.toString());
  }

  /** The PKCS#8 DER of a private key file, not yet parsed as a key. */
  public static byte[] privateDer(Path file) throws RequestException {
    return readPem(file, PRIVATE_LABEL, "a PEM private key");
  }

  /** The SubjectPublicKeyInfo DER of a public key file, not yet parsed as a key. */
  public static byte[] publicDer(Path file) throws RequestException {
    return readPem(file, PUBLIC_LABEL, "a PEM public key");
  }

  /**
   * The key pair in these files, made (Ed25519) and written if neither exists. A missing public
   * file is rewritten from the private key; the private key is never replaced.
   */
  public static KeyPair readOrCreateKeyPair(Path privateFile, Path publicFile)
      throws RequestException {
    boolean hasPrivate = Files.exists(privateFile);
    boolean hasPublic = Files.exists(publicFile);
    if (!hasPrivate && !hasPublic) {
      KeyPair keys = PublicKeys.generateEd25519();
      // Private first: a crash in between leaves a state the next call repairs.
      writePrivate(privateFile, keys.getPrivate());
      writePublic(publicFile, keys.getPublic());
      return keys;
    }
    if (!hasPrivate) {
      throw new RequestException(Problem.BAD_KEY, publicFile + " exists but its private key "
          + privateFile + " does not; restore the private key, or remove " + publicFile
          + " to make a new key pair");
    }
    PrivateKey privateKey = readPrivate(privateFile);
    PublicKey publicKey;
    if (hasPublic) {
      publicKey = readPublic(publicFile);
    } else if (privateKey instanceof EdDSAPrivateKey) {
      publicKey = ((EdDSAPrivateKey) privateKey).getPublicKey();
      writePublic(publicFile, publicKey);
    } else {
      throw new RequestException(Problem.BAD_KEY, publicFile + ": no such file; write it from "
          + privateFile + " with openssl pkey -in " + privateFile + " -pubout -out " + publicFile);
    }
    if (!PublicKeys.verify(publicKey, PROBE, PublicKeys.sign(privateKey, PROBE))) {
      throw new RequestException(Problem.BAD_KEY, privateFile + " and " + publicFile
          + " are not one key pair; restore the matching files");
    }
    return new KeyPair(publicKey, privateKey);
  }

  private static byte[] pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** The DER inside the first {@code label} PEM block of {@code file}. */
  private static byte[] readPem(Path file, String label, String description)
      throws RequestException {
    byte[] bytes;
    try {
      bytes = BoundedFiles.read(file, MAX_FILE_BYTES);
    } catch (BoundedFiles.TooLarge e) {
      throw new RequestException(Problem.BAD_KEY, file + " is not " + description + " (it holds more than "
          + MAX_FILE_BYTES + " bytes, far too many for a key)", e);
    } catch (NoSuchFileException e) {
      throw new RequestException(Problem.BAD_KEY, file + ": no such file", e);
    } catch (IOException e) {
      throw new RequestException(Problem.BAD_KEY,
          "cannot read " + file + ": " + io.vcmctl.vcm.SafeText.oneLine(e.getMessage()), e);
    }
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = from < 0 ? -1 : text.indexOf(end, from + begin.length());
    if (to < 0) {
      String hint = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
          ? " (it is encrypted; store it unencrypted, openssl pkey -in FILE -out FILE)"
          : " (no " + begin + " ... " + end + " block)";
      throw new RequestException(Problem.BAD_KEY, file + " is not " + description + hint);
    }
    String body = text.substring(from + begin.length(), to).replaceAll("\\s+", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new RequestException(Problem.BAD_KEY,
          file + " is not " + description + " (its base64 is damaged)", e);
    }
  }
}
