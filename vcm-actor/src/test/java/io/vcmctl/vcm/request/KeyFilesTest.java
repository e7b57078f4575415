package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

  @TempDir Path dir;

  private Path privateFile() {
    return dir.resolve("request.key");
  }

  private Path publicFile() {
    return dir.resolve("request.pub");
  }

  @Test
  void privateKeyIsWrittenOwnerOnlyAsPkcs8PemAndReadsBack() throws Exception {
    KeyFiles.writePrivate(privateFile(), TENANT.getPrivate());

    List<String> lines = Files.readAllLines(privateFile());
    assertEquals("-----BEGIN PRIVATE KEY-----", lines.get(0));
    assertEquals("-----END PRIVATE KEY-----", lines.get(lines.size() - 1));
    assertTrue(lines.stream().allMatch(line -> line.length() <= 64), lines.toString());
    if (posix()) {
      assertEquals("rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile())));
    }
    PrivateKey read = KeyFiles.readPrivate(privateFile());
    byte[] data = utf8("data");
    assertTrue(PublicKeys.verify(TENANT.getPublic(), data, PublicKeys.sign(read, data)));
  }

  @Test
  void publicKeyIsWrittenAsSpkiPemAndReadsBack() throws Exception {
    KeyFiles.writePublic(publicFile(), TENANT.getPublic());

    List<String> lines = Files.readAllLines(publicFile());
    assertEquals("-----BEGIN PUBLIC KEY-----", lines.get(0));
    assertEquals("-----END PUBLIC KEY-----", lines.get(lines.size() - 1));
    assertArrayEquals(TENANT.getPublic().getEncoded(),
        KeyFiles.readPublic(publicFile()).getEncoded());
  }

  @Test
  void readOrCreateKeyPairMakesAnEd25519PairOnceAndThenReusesIt() throws Exception {
    KeyPair made = KeyFiles.readOrCreateKeyPair(privateFile(), publicFile());
    byte[] privateBytes = Files.readAllBytes(privateFile());

    KeyPair reused = KeyFiles.readOrCreateKeyPair(privateFile(), publicFile());

    assertEquals("Ed25519", made.getPublic().getAlgorithm());
    assertEquals(PublicKeys.fingerprint(made.getPublic()), PublicKeys.fingerprint(reused.getPublic()));
    assertArrayEquals(privateBytes, Files.readAllBytes(privateFile()));
    if (posix()) {
      assertEquals("rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile())));
    }
  }

  @Test
  void readOrCreateKeyPairRewritesAMissingPublicFileFromThePrivateKey() throws Exception {
    KeyPair made = KeyFiles.readOrCreateKeyPair(privateFile(), publicFile());
    Files.delete(publicFile());

    KeyPair restored = KeyFiles.readOrCreateKeyPair(privateFile(), publicFile());

    assertEquals(PublicKeys.fingerprint(made.getPublic()), PublicKeys.fingerprint(restored.getPublic()));
    assertEquals(PublicKeys.fingerprint(made.getPublic()),
        PublicKeys.fingerprint(KeyFiles.readPublic(publicFile())));
  }

  @Test
  void readOrCreateKeyPairNeverReplacesALostPrivateKey() throws Exception {
    KeyFiles.readOrCreateKeyPair(privateFile(), publicFile());
    Files.delete(privateFile());

    String message = refused(Problem.BAD_KEY,
        () -> KeyFiles.readOrCreateKeyPair(privateFile(), publicFile()));
    assertContains("restore the private key", message);
    assertTrue(Files.notExists(privateFile()));
  }

  @Test
  void readOrCreateKeyPairRefusesFilesOfTwoDifferentPairs() throws Exception {
    KeyFiles.readOrCreateKeyPair(privateFile(), publicFile());
    KeyFiles.writePublic(publicFile(), TENANT.getPublic());

    assertContains("are not one key pair",
        refused(Problem.BAD_KEY, () -> KeyFiles.readOrCreateKeyPair(privateFile(), publicFile())));
  }

  @Test
  void missingKeyFileIsReportedByName() {
    String message = refused(Problem.BAD_KEY, () -> KeyFiles.readPrivate(privateFile()));
    assertEquals(privateFile() + ": no such file", message);
    assertEquals(publicFile() + ": no such file",
        refused(Problem.BAD_KEY, () -> KeyFiles.readPublic(publicFile())));
  }

  @Test
  void garbageFileIsNotAPemKey() throws Exception {
    Files.write(privateFile(), utf8("this is not a key\n"));

    assertContains(privateFile() + " is not a PEM private key",
        refused(Problem.BAD_KEY, () -> KeyFiles.readPrivate(privateFile())));
    assertContains(privateFile() + " is not a PEM public key",
        refused(Problem.BAD_KEY, () -> KeyFiles.readPublic(privateFile())));
  }

  @Test
  void publicKeyFileIsNotAPrivateKey() throws Exception {
    KeyFiles.writePublic(publicFile(), TENANT.getPublic());

    assertContains(publicFile() + " is not a PEM private key",
        refused(Problem.BAD_KEY, () -> KeyFiles.readPrivate(publicFile())));
  }

  @Test
  void pemWithDamagedContentIsRefused() throws Exception {
    Files.write(publicFile(), utf8("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));

    assertContains(publicFile().toString(),
        refused(Problem.BAD_KEY, () -> KeyFiles.readPublic(publicFile())));
  }

  @Test
  void encryptedPrivateKeyGetsAHint() throws Exception {
    Files.write(privateFile(), utf8(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"));

    assertContains("store it unencrypted",
        refused(Problem.BAD_KEY, () -> KeyFiles.readPrivate(privateFile())));
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
