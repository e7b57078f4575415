package io.vcmctl.orchestrator.cli;

import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.vcm.request.BoundedFiles;
import io.vcmctl.vcm.request.SignedDocument;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the signed files the commands take (requests, licences, configuration files), and writes files. */
final class Inputs {

  private Inputs() {}

  /** The file's bytes; {@code what} names it in errors ("request file"). */
  static byte[] signedFile(Path file, String what) {
    try {
      if (Files.isDirectory(file)) {
        throw new CliException(file + " is a directory, not a " + what);
      }
      return BoundedFiles.read(file, SignedDocument.MAX_FILE_BYTES);
    } catch (BoundedFiles.TooLarge e) {
      throw new CliException(file + " holds more than " + e.limit() + " bytes, too large for a " + what
          + "; check that this is the " + what, e);
    } catch (NoSuchFileException e) {
      throw new CliException(file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new CliException("cannot read " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Refuses early, before work that would be wasted, when {@link #write} would refuse {@code file}. */
  static void refuseExisting(Path file, boolean force) {
    if (!force && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException(exists(file));
    }
  }

  private static String exists(Path file) {
    return file + " already exists; not overwriting it (give --force to replace it, or choose another name)";
  }

  /**
   * Writes a file the user asked for ({@code --out}, {@code --outdir}): owner-only, through a
   * temporary file and a rename, never through a symbolic link at {@code file}, and over an
   * existing file only with {@code --force}.
   */
  static void write(Path file, byte[] content, boolean force) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new CliException("cannot write " + file + ": directory " + parent + " does not exist");
      }
      DataDirectory.writeOwnerOnly(file, content, force);
    } catch (FileAlreadyExistsException e) {
      throw new CliException(Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
          ? "cannot write " + file + ": it is a directory; name a file"
          : exists(file), e);
    } catch (AccessDeniedException e) {
      throw new CliException("cannot write " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
