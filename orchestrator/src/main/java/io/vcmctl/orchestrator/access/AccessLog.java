package io.vcmctl.orchestrator.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.vcmctl.orchestrator.api.JsonViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was done to the operators and what a role was refused: one JSON object a line in an
 * owner-only file of the data directory, appended and synced before the caller is answered,
 * and the same line in the daemon's log.
 *
 * <p>Refusals are written for whoever holds any valid token, so the file is rotated by size
 * ({@link Settings}): {@code access.log} is renamed {@code access.log.1}, the older ones move up
 * one, and the oldest beyond the limit is deleted. Appends and rotations of one daemon are
 * serialized (one daemon per data directory), so no entry is torn or lost to a rotation.
 */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
  /** The most entries {@link #entries()} returns: the newest ones. */
  static final int MAX_ENTRIES = 10_000;

  private final Path file;
  private final Settings settings;

  /**
   * When the log is rotated.
   *
   * @param maxFileBytes a file is rotated before an entry would take it beyond this
   * @param files how many files are kept, the current one included
   */
  public record Settings(long maxFileBytes, int files) {

    static final long MIN_FILE_BYTES = 1024;
    static final int MAX_FILES = 100;

    /**
     * {@code vcmctl.orchestrator.access-log}.
     *
     * @throws IllegalArgumentException one line naming the key and its allowed range
     */
    public static Settings of(Config config) {
      Config c = config.getConfig("vcmctl.orchestrator.access-log");
      long max;
      int files;
      try {
        max = c.getBytes("max-file-size");
        files = c.getInt("files");
      } catch (ConfigException e) {
        throw new IllegalArgumentException("vcmctl.orchestrator.access-log: " + e.getMessage(), e);
      }
      if (max < MIN_FILE_BYTES) {
        throw new IllegalArgumentException("vcmctl.orchestrator.access-log.max-file-size = " + max
            + " bytes is below the least of 1KiB; set a size such as 16MiB");
      }
      if (files < 1 || files > MAX_FILES) {
        throw new IllegalArgumentException("vcmctl.orchestrator.access-log.files = " + files
            + " is outside 1 to " + MAX_FILES + "; set how many files to keep, such as 5");
      }
      return new Settings(max, files);
    }
  }

  public AccessLog(Path file, Settings settings) {
    this.file = file;
    this.settings = settings;
  }

  /** An operator change: {@code by} did {@code what} (e.g. {@code operator add carol auditor}). */
  public void done(Operator by, String what, Instant at) {
    LOG.info("{} ({}) {}", by.principal(), by.role().label(), what);
    append(entry(at, by, what, "done", null));
  }

  /** A call refused for the caller's role. */
  public void refused(Operator by, String what, String needed, Instant at) {
    LOG.warn("{} ({}) refused: {} needs the role {}", by.principal(), by.role().label(), what, needed);
    append(entry(at, by, what, "refused", needed));
  }

  /** The newest entries, oldest first, across the rotated files. */
  public synchronized List<JsonNode> entries() {
    Deque<JsonNode> last = new ArrayDeque<>();
    for (int n = settings.files() - 1; n >= 0; n--) {
      Path f = rotated(n);
      try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
        lines.filter(l -> !l.isBlank()).forEach(l -> {
          last.addLast(parse(l));
          if (last.size() > MAX_ENTRIES) {
            last.removeFirst();
          }
        });
      } catch (NoSuchFileException e) {
        // Not rotated that often yet.
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
      }
    }
    return new ArrayList<>(last);
  }

  /** {@code access.log} for 0, {@code access.log.N} for the N-th newest rotated file. */
  Path rotated(int n) {
    return n == 0 ? file : file.resolveSibling(file.getFileName() + "." + n);
  }

  private static JsonNode parse(String line) {
    try {
      return JsonViews.MAPPER.readTree(line);
    } catch (IOException e) {
      return JsonViews.MAPPER.createObjectNode().put("unreadable", line);
    }
  }

  private static ObjectNode entry(Instant at, Operator by, String what, String outcome, String needed) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    o.put("at", at.toString());
    o.put("by", by.principal().toString());
    o.put("role", by.role().label());
    o.put("what", what);
    o.put("outcome", outcome);
    if (needed != null) {
      o.put("needed", needed);
    }
    return o;
  }

  private synchronized void append(ObjectNode entry) {
    try {
      byte[] line = (JsonViews.MAPPER.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
      long size = Files.exists(file) ? Files.size(file) : 0;
      if (size > 0 && size + line.length > settings.maxFileBytes()) {
        rotate();
      }
      if (Files.notExists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.APPEND)) {
        channel.write(java.nio.ByteBuffer.wrap(line));
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record in " + file + ": " + e.getMessage(), e);
    }
  }

  /** Renames keep each file's owner-only permissions; the oldest beyond the limit goes. */
  private void rotate() throws IOException {
    Files.deleteIfExists(rotated(settings.files() - 1));
    for (int n = settings.files() - 2; n >= 0; n--) {
      if (Files.exists(rotated(n))) {
        Files.move(rotated(n), rotated(n + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
