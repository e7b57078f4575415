package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.cli.BinCommand.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --log-file}: one dated line per command, naming who, what, which VCM and the outcome. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonLogTest {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  static Path work;

  private ServeProcess server;
  private Path log;

  @BeforeAll
  void startTheDaemon() throws IOException {
    log = work.resolve("logs").resolve("daemon.log");
    server = ServeProcess.start(work, work.resolve("data"), START_TIMEOUT, Map.of(), "--log-file", log.toString());
  }

  @AfterAll
  void stopTheDaemon() throws InterruptedException {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void everyCommandIsOneDatedLineWithWhoWhatWhichVcmAndTheOutcome() throws IOException {
    cli("hsmadmin", "setnetwork", "--ipv4", "10.0.0.0/24");
    UUID nobody = UUID.randomUUID();
    cli("vcmadmin", "stop", nobody.toString());
    String token = Files.readString(server.dataDir.resolve("admin.token")).strip();

    // Written before the answer goes out: there once the command has its answer.
    List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("CommandLog")).toList();
    assertEquals(2, lines.size(), lines::toString);
    assertTrue(lines.get(lines.size() - 2).matches(
        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* INFO .*CommandLog"
            + " - network by provider:admin on the HSM: ok"), lines::toString);
    assertTrue(lines.get(lines.size() - 1).endsWith("CommandLog - stop by provider:admin on VCM " + nobody
        + ": refused NOT_FOUND (HTTP 404)"), lines::toString);
    assertFalse(Files.readString(log).contains(token), "the log holds the admin token");
    assertFalse(server.output().contains("CommandLog"), "with --log-file the log went to stderr too");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
  }

  private void cli(String... command) {
    Result r = BinCommand.exec(work, Map.of("ORCHESTRATOR_URL", server.url), Duration.ofSeconds(60),
        BinCommand.script(command));
    assertTrue(r.exit() <= 1, r::toString);
  }
}
