package io.vcmctl.orchestrator.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.api.JsonViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
  /** The most entries {@link #entries()} returns: the newest ones. */
  static final int MAX_ENTRIES = 10_000;

  private final Path file;

  public AccessLog(Path file) {
    this.file = file;
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

  /** The newest entries, oldest first. */
  public synchronized List<JsonNode> entries() {
    Deque<JsonNode> last = new ArrayDeque<>();
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      lines.filter(l -> !l.isBlank()).forEach(l -> {
        last.addLast(parse(l));
        if (last.size() > MAX_ENTRIES) {
          last.removeFirst();
        }
      });
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return new ArrayList<>(last);
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
      if (Files.notExists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.APPEND)) {
        channel.write(java.nio.ByteBuffer.wrap((JsonViews.MAPPER.writeValueAsString(entry) + "\n")
            .getBytes(StandardCharsets.UTF_8)));
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record in " + file + ": " + e.getMessage(), e);
    }
  }
}
