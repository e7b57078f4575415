package io.vcmctl.vcm.request;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.util.Arrays;

/**
 * A tenant's request-key rotation in its key directory. {@code NAME.key}/{@code .pub} is the
 * current key, which signs every request; {@link #prepare} makes {@code NAME.next.key}/{@code .pub}
 * beside it (the provider is asked, by a request the current key signs, to make it the VCM's
 * {@code k_tenant_req}); {@link #commit} makes the next key current once the provider has, and
 * keeps the one it replaces as {@code NAME.previous.key}/{@code .pub}. The current key is never
 * overwritten before the commit, so a request the provider has not applied costs nothing.
 */
public final class RequestKeyRotation {

  /**
   * @param current the key that signs requests until the commit
   * @param next the key the VCM is asked to take
   * @param made whether {@code next} was made now (otherwise an earlier, uncommitted one is reused)
   */
  public record Pending(KeyPair current, KeyPair next, boolean made) {}

  private final Path dir;
  private final String name;

  public RequestKeyRotation(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /**
   * The current key and the next one, made (owner-only) if there is none yet; running it again
   * before the commit gives the same next key, so a lost request file can be made again.
   */
  public Pending prepare() throws RequestException {
    KeyPair current = current();
    boolean made = !Files.exists(file("next", ".key")) && !Files.exists(file("next", ".pub"));
    KeyPair next = KeyFiles.readOrCreateKeyPair(file("next", ".key"), file("next", ".pub"));
    return new Pending(current, next, made);
  }

  /** Whether a next key waits to be committed. */
  public boolean pending() {
    return Files.exists(file("next", ".key"));
  }

  /**
   * Makes the next key current and keeps the replaced one as the previous key.
   *
   * @return the key that was current and the one that is now
   */
  public Pending commit() throws RequestException {
    if (!pending()) {
      throw new RequestException(Problem.BAD_KEY, "no new request key to commit in " + dir + " (" + name
          + ".next.key); make one with hsmadmin vcm rotate-request-key UUID --out FILE first");
    }
    KeyPair current = current();
    KeyPair next = KeyFiles.readOrCreateKeyPair(file("next", ".key"), file("next", ".pub"));
    if (Arrays.equals(current.getPublic().getEncoded(), next.getPublic().getEncoded())) {
      throw new RequestException(Problem.BAD_KEY, file("next", ".key") + " is the current request key already;"
          + " remove it and make a new one with hsmadmin vcm rotate-request-key UUID --out FILE");
    }
    try {
      // The private key moves last each time: a crash in between leaves every private key on disk.
      move(file("", ".pub"), file("previous", ".pub"));
      move(file("", ".key"), file("previous", ".key"));
      move(file("next", ".pub"), file("", ".pub"));
      move(file("next", ".key"), file("", ".key"));
    } catch (IOException e) {
      throw new RequestException(Problem.BAD_KEY, "cannot make the new request key current in " + dir + ": "
          + io.vcmctl.vcm.SafeText.oneLine(e.getMessage()), e);
    }
    return new Pending(current, next, false);
  }

  private KeyPair current() throws RequestException {
    if (!Files.exists(file("", ".key"))) {
      throw new RequestException(Problem.BAD_KEY, "no request key in " + dir + " (" + name + ".key); the tenant's"
          + " keys are made by hsmadmin vcm create: use the same --tenant-dir (or VCM_TENANT_DIR) as then");
    }
    return KeyFiles.readOrCreateKeyPair(file("", ".key"), file("", ".pub"));
  }

  private Path file(String stage, String suffix) {
    return dir.resolve(name + (stage.isEmpty() ? "" : "." + stage) + suffix);
  }

  private static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
