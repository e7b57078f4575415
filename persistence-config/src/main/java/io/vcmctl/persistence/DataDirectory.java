package io.vcmctl.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
      writeOwnerOnly(file, content, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a file that only the owner may read: into a temporary file beside it, then renamed
   * into place, so that a reader sees the old file or the whole new one. A symbolic link at
   * {@code file} is never followed: it is replaced as any file is, or kept.
   *
   * @param replace whether an existing file (or link) at {@code file} may be replaced
   * @throws FileAlreadyExistsException {@code file} exists and {@code replace} is false
   */
  public static void writeOwnerOnly(Path file, byte[] content, boolean replace) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(file.toString(), null, "it is a directory");
    }
    if (!replace && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(file.toString());
    }
    String prefix = "." + file.getFileName();
    Path tmp = posix()
        ? Files.createTempFile(parent, prefix, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
        : Files.createTempFile(parent, prefix, ".tmp");
    try {
      Files.write(tmp, content);
      if (replace) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        createNew(file, tmp);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A hard link fails if anything (even a dangling link) took the name meanwhile, where a
   * rename would silently replace it; a file system without hard links gets a move that
   * refuses an existing name.
   */
  private static void createNew(Path file, Path tmp) throws IOException {
    try {
      Files.createLink(file, tmp);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException | UnsupportedOperationException e) {
      Files.move(tmp, file);
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
