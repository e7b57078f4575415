package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcmctl.persistence.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code serve --data-dir}: which existing directories it takes, and which it leaves alone. */
@ExtendWith(LogCapturingExtension.class)
class DaemonDataDirectoryTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void refusesANonEmptyDirectoryThatIsNotADataDirectoryAndLeavesItAsItWas() throws IOException {
    Path dir = TestConfigs.freshDataDirectory("not-data").root();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("thesis.tex"), "precious");
    Files.createDirectories(dir.resolve("photos"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    String message = assertThrows(IllegalStateException.class,
        () -> Daemon.start(dir, 0, List.of(), null, null, QUIET)).getMessage();

    assertEquals(dir + " is not an orchestrator data directory and not empty (it holds photos/, thesis.tex);"
        + " choose a new or empty directory, or the data directory of an earlier serve", message);
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(List.of("photos", "thesis.tex"), entries.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }

  @Test
  void servesADataDirectoryOfAnEarlierVersionWithEverythingItWrote() throws IOException {
    Path dir = JournalCompatibilityTest.copyOfTheFixture();
    // What serve and the softhsm runtime added beside the first release's journal, esns and hsm/.
    Files.writeString(dir.resolve("admin.token"), "0".repeat(64));
    Files.writeString(dir.resolve("orchestrator.lock"), "");
    Files.createDirectories(dir.resolve("demo-vendor"));
    Files.createDirectories(dir.resolve("vcms"));
    Files.createDirectories(dir.resolve("snapshots"));

    Daemon daemon = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    try {
      assertEquals(List.of("5E4D-03E0-D947"), daemon.orchestrator().esns());
    } finally {
      daemon.stop();
    }
  }

  @Test
  void takesAnEmptyDirectory() throws IOException {
    Path dir = Files.createDirectories(TestConfigs.freshDataDirectory("empty").root());
    Daemon daemon = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    daemon.stop();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }
}
