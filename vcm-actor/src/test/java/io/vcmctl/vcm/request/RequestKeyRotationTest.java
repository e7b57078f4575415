package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestKeyRotationTest {

  @TempDir Path dir;

  private KeyPair original() throws RequestException {
    return KeyFiles.readOrCreateKeyPair(dir.resolve("request.key"), dir.resolve("request.pub"));
  }

  private byte[] onDisk(String file) throws Exception {
    return Files.readAllBytes(dir.resolve(file));
  }

  @Test
  void theCurrentKeyStaysUntilTheCommitAndTheNextKeyIsTheSameEachTimeUntilThen() throws Exception {
    KeyPair first = original();
    byte[] currentBefore = onDisk("request.key");
    RequestKeyRotation rotation = new RequestKeyRotation(dir, "request");

    RequestKeyRotation.Pending pending = rotation.prepare();
    assertTrue(pending.made());
    assertArrayEquals(first.getPublic().getEncoded(), pending.current().getPublic().getEncoded());
    assertArrayEquals(currentBefore, onDisk("request.key"), "the current key is never overwritten");
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("request.next.key"))));

    RequestKeyRotation.Pending again = rotation.prepare();
    assertFalse(again.made());
    assertArrayEquals(pending.next().getPublic().getEncoded(), again.next().getPublic().getEncoded());
    assertArrayEquals(currentBefore, onDisk("request.key"));
  }

  @Test
  void aCommitMakesTheNextKeyCurrentAndKeepsTheOldOneTwice() throws Exception {
    KeyPair first = original();
    RequestKeyRotation rotation = new RequestKeyRotation(dir, "request");

    KeyPair second = rotation.prepare().next();
    rotation.commit();
    assertArrayEquals(second.getPublic().getEncoded(), original().getPublic().getEncoded());
    assertArrayEquals(first.getPublic().getEncoded(), KeyFiles.readPublic(dir.resolve("request.previous.pub"))
        .getEncoded());
    assertFalse(rotation.pending());

    KeyPair third = rotation.prepare().next();
    rotation.commit();
    assertArrayEquals(third.getPublic().getEncoded(), original().getPublic().getEncoded());
    assertArrayEquals(second.getPublic().getEncoded(), KeyFiles.readPublic(dir.resolve("request.previous.pub"))
        .getEncoded());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("request.key"))));
  }

  @Test
  void aCommitWithoutANewKeyOrWithoutAnyKeyIsRefusedAndChangesNothing() throws Exception {
    RequestKeyRotation rotation = new RequestKeyRotation(dir, "request");
    assertContains("hsmadmin vcm create", refused(Problem.BAD_KEY, rotation::prepare));
    assertEquals(0, Files.list(dir).count());

    original();
    byte[] before = onDisk("request.key");
    assertContains("rotate-request-key UUID --out FILE first", refused(Problem.BAD_KEY, rotation::commit));
    assertArrayEquals(before, onDisk("request.key"));
    assertFalse(Files.exists(dir.resolve("request.previous.key")));
  }
}
