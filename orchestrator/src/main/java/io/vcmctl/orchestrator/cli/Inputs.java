package io.vcmctl.orchestrator.cli;

import io.vcmctl.vcm.request.BoundedFiles;
import io.vcmctl.vcm.request.SignedDocument;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the signed files the commands take (requests, licences, configuration files). */
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

  /** Writes a file the user asked for with {@code --out}, replacing any earlier one. */
  static void write(Path file, byte[] content) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new CliException("cannot write " + file + ": directory " + parent + " does not exist");
      }
      Files.write(file, content);
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
