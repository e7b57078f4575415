package io.vcmctl.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The one directory that holds every durable byte of an orchestrator: {@code journal/},
 * {@code snapshots/} and the module keys. It is created owner-only (0700) because the
 * journal holds tenant public keys and the directory holds the module's private key.
 */
public final class DataDirectory {

  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");

  private final Path root;

  private DataDirectory(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The data directory named by {@code vcmctl.data-dir}. */
  public static DataDirectory fromConfig(Config config) {
    return new DataDirectory(Path.of(config.getString("vcmctl.data-dir")));
  }

  public static DataDirectory of(Path root) {
    return new DataDirectory(root);
  }

  public Path root() {
    return root;
  }

  public Path journal() {
    return root.resolve("journal");
  }

  public Path snapshots() {
    return root.resolve("snapshots");
  }

  public Path resolve(String name) {
    return root.resolve(name);
  }

  /**
   * Creates the directory and its journal and snapshot parents, owner-only. Native LevelDB
   * creates only the last level of its path, so the parents must exist before it opens.
   */
  public DataDirectory create() {
    try {
      createOwnerOnly(root);
      createOwnerOnly(journal());
      createOwnerOnly(snapshots());
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + root + ": " + e.getMessage(), e);
    }
  }

  /** Configuration that points the journal and the snapshot store at this directory. */
  public Config config() {
    return ConfigFactory.empty()
        .withValue("vcmctl.data-dir", ConfigValueFactory.fromAnyRef(root.toString()))
        .withValue("pekko.persistence.journal.leveldb.dir",
            ConfigValueFactory.fromAnyRef(journal().toString()))
        .withValue("pekko.persistence.snapshot-store.local.dir",
            ConfigValueFactory.fromAnyRef(snapshots().toString()));
  }

  /** Writes a file that only the owner may read, replacing any earlier one atomically. */
  public static void writeOwnerOnly(Path file, byte[] content) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      if (posix()) {
        Files.setPosixFilePermissions(tmp, OWNER_ONLY_FILE);
      }
      Files.write(tmp, content);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void createOwnerOnly(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
    if (posix()) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
