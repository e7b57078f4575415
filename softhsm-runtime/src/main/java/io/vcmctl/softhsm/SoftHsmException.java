package io.vcmctl.softhsm;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.UUID;

/** A device call of the softhsm runtime that failed; the message is one line, the reason. */
public final class SoftHsmException extends RuntimeException {

  SoftHsmException(String message) {
    super(oneLine(message));
  }

  private SoftHsmException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** {@code failure} as one line that says which call on which VCM failed and why. */
  static SoftHsmException of(String action, UUID vcm, Throwable failure) {
    if (failure instanceof SoftHsmException known) {
      return known;
    }
    return new SoftHsmException("cannot " + action + " VCM " + vcm + ": " + reason(failure), failure);
  }

  private static String reason(Throwable failure) {
    if (failure instanceof NoSuchFileException e) {
      return "no such file or directory " + e.getFile();
    }
    if (failure instanceof AccessDeniedException e) {
      return "permission denied on " + e.getFile();
    }
    if (failure instanceof FileSystemException e) {
      return e.getFile() + ": " + (e.getReason() == null ? failure.getClass().getSimpleName() : e.getReason());
    }
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  private static String oneLine(String text) {
    return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
  }
}
