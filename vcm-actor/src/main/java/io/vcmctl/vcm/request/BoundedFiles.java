package io.vcmctl.vcm.request;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the small files a user hands over (requests, licences, configuration files, keys, the
 * admin token). A file's size is not trusted: {@code /dev/zero}, a pipe or a file that grows
 * reports little or nothing, so at most the limit plus one byte is read, whatever it says.
 */
public final class BoundedFiles {

  private BoundedFiles() {}

  /** The file holds more than the limit; nothing beyond the limit was read. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    private final int limit;

    TooLarge(Path file, int limit) {
      super(file + " holds more than " + limit + " bytes");
      this.limit = limit;
    }

    public int limit() {
      return limit;
    }
  }

  /** The whole file if it holds at most {@code limit} bytes; otherwise {@link TooLarge}. */
  public static byte[] read(Path file, int limit) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new TooLarge(file, limit);
      }
      return bytes;
    }
  }
}
