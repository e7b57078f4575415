package io.vcmctl.orchestrator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** DATA/access.log stays bounded however many refusals are written, and is read across its rotated files. */
class AccessLogTest {

  private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");
  private static final Operator MALLORY = new Operator("mallory", Role.AUDITOR, new byte[16], new byte[32], AT, null);

  private static Path fresh(String name) {
    DataDirectory dir = TestConfigs.freshDataDirectory(name).create();
    return dir.resolve(AccessControl.LOG_FILE);
  }

  @Test
  void manyRefusalsFromManyThreadsKeepTheLogWithinItsFilesWholeAndOwnerOnly() throws Exception {
    Path file = fresh("access-log-rotation");
    AccessLog.Settings settings = new AccessLog.Settings(1024, 3);
    AccessLog log = new AccessLog(file, settings);
    int threads = 8;
    int each = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            log.refused(MALLORY, "hsm reset " + thread + " " + i, "admin", AT);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    for (int n = 0; n < settings.files(); n++) {
      Path f = log.rotated(n);
      assertTrue(Files.size(f) <= settings.maxFileBytes(), f + " grew to " + Files.size(f));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
    }
    assertFalse(Files.exists(log.rotated(settings.files())), "only " + settings.files() + " files are kept");

    // Every kept entry is whole, and each writer's entries are in the order it wrote them, none
    // missing between the oldest kept and its last: a rotation lost nothing it kept.
    List<JsonNode> entries = log.entries();
    assertTrue(entries.size() > 10, "the rotated files are read too: " + entries.size());
    Map<String, Integer> lastOf = new HashMap<>();
    for (JsonNode e : entries) {
      assertEquals("refused", e.path("outcome").asText(), e.toString());
      String[] what = e.path("what").asText().split(" ");
      int i = Integer.parseInt(what[3]);
      Integer previous = lastOf.put(what[2], i);
      if (previous != null) {
        assertEquals(previous + 1, i, "writer " + what[2] + " after " + previous);
      }
    }
    assertTrue(entries.get(entries.size() - 1).path("what").asText().endsWith(" " + (each - 1)),
        "the newest entry is the last one written");
  }

  @Test
  void theDefaultsKeepFiveFilesOfSixteenMebibytesAndBadValuesAreOneLine() {
    assertEquals(new AccessLog.Settings(16L << 20, 5), AccessLog.Settings.of(ConfigFactory.load()));
    IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class, () -> AccessLog.Settings.of(
        ConfigFactory.parseString("vcmctl.orchestrator.access-log.max-file-size = 10").withFallback(
            ConfigFactory.load())));
    assertEquals("vcmctl.orchestrator.access-log.max-file-size = 10 bytes is below the least of 1KiB; set a size"
        + " such as 16MiB", tiny.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> AccessLog.Settings.of(
        ConfigFactory.parseString("vcmctl.orchestrator.access-log.files = 0").withFallback(ConfigFactory.load())));
    assertEquals("vcmctl.orchestrator.access-log.files = 0 is outside 1 to 100; set how many files to keep,"
        + " such as 5", none.getMessage());
  }

  @Test
  void aLogOfAnEarlierVersionIsReadAndRotatedOnce() throws IOException {
    Path file = fresh("access-log-earlier");
    AccessLog log = new AccessLog(file, new AccessLog.Settings(1024, 2));
    log.done(MALLORY, "operator add first auditor", AT);
    // Written without a limit: far over it.
    Files.writeString(file, Files.readString(file).repeat(20));
    log.done(MALLORY, "operator add second auditor", AT);
    assertEquals(21, log.entries().size());
    assertEquals(1, Files.readAllLines(file).size(), "the oversized file was rotated before the entry");
  }
}
