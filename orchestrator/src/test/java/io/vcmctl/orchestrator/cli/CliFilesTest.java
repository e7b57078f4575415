package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The files the command lines read and write, against one daemon: bounded reads, careful writes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliFilesTest {

  @TempDir
  Path work;

  private Daemon daemon;

  @BeforeAll
  void startTheDaemon() {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("cli-files").root(), 0, List.of(), null, null,
        new PrintStream(OutputStream.nullOutputStream()));
  }

  @AfterAll
  void stopTheDaemon() {
    daemon.stop();
  }

  @Test
  void anEndlessInputFileIsRefusedAfterItsLimit() throws IOException {
    // /dev/zero says it holds 0 bytes and never ends: only a bounded read finishes.
    Path tenant = Files.createDirectories(work.resolve("endless-tenant"));
    Files.createSymbolicLink(tenant.resolve("sshadmin.key"), Path.of("/dev/zero"));
    Files.createSymbolicLink(tenant.resolve("sshadmin.pub"), Path.of("/dev/zero"));
    List<CompletableFuture<Result>> runs = List.of(
        run(provider(), "hsmadmin", "fet", "/dev/zero"),
        run(Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_TOKEN_FILE", "/dev/zero"), "hsmadmin", "info"),
        run(provider(), "vcmadmin", "create", "--request", "/dev/zero", "endless"),
        run(Map.of(), "hsmadmin", "vcm", "inspect-request", "/dev/zero"),
        run(Map.of("ORCHESTRATOR_URL", daemon.url()), "hsmadmin", "vcm", "enroll", "/dev/zero"),
        run(Map.of(), "hsmadmin", "vcm", "create", "--tenant-dir", tenant.toString(), "--out", "endless.json"));
    for (CompletableFuture<Result> run : runs) {
      Result r = run.join();
      assertEquals(1, r.exit(), r::toString);
      List<String> lines = r.err().lines().toList();
      assertEquals(1, lines.size(), r::toString);
      assertTrue(lines.get(0).startsWith("ERROR: ")
          && lines.get(0).matches(".*holds more than \\d+ bytes.*"), r::toString);
    }
    assertTrue(Files.notExists(work.resolve("endless.json")));
  }

  private Map<String, String> provider() {
    return Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_TOKEN_FILE", daemon.tokenFile().toString());
  }

  private CompletableFuture<Result> run(Map<String, String> env, String... command) {
    return CompletableFuture.supplyAsync(() -> BinCommand.run(work, env, command));
  }
}
