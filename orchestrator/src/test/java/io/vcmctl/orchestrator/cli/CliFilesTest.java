package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
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

  @Test
  void anOutFileIsNeverOverwrittenWithoutForceNorWrittenThroughALink() throws IOException {
    Path precious = Files.writeString(work.resolve("precious.txt"), "precious");
    Path victim = Files.writeString(work.resolve("victim.txt"), "victim");
    Path link = Files.createSymbolicLink(work.resolve("sl.json"), victim.getFileName());
    Path dangling = Files.createSymbolicLink(work.resolve("dangling.json"), Path.of("planted.txt"));
    Files.writeString(work.resolve("licence.json"), "earlier licence");
    String vendorKey = daemon.tokenFile().resolveSibling("demo-vendor").resolve("vendor.key").toString();
    String esn = daemon.orchestrator().esns().get(0);

    List<CompletableFuture<Result>> refusals = List.of(
        tenant("t-precious", "precious.txt"), tenant("t-link", "sl.json"), tenant("t-dangling", "dangling.json"),
        run(Map.of(), "orchestrator", "licence", "issue", "--vendor-key", vendorKey, "--esn", esn, "--speed", "mid",
            "--out", "licence.json"));
    CompletableFuture<Result> fresh = tenant("t-fresh", "fresh.json");
    for (CompletableFuture<Result> run : refusals) {
      Result r = run.join();
      assertEquals(1, r.exit(), r::toString);
      assertTrue(r.err().matches("ERROR: \\S+ already exists; not overwriting it \\(give --force to replace it,"
          + " or choose another name\\)\\n"), r::toString);
    }
    assertEquals("precious", Files.readString(precious));
    assertEquals("victim", Files.readString(victim));
    assertEquals(victim.getFileName(), Files.readSymbolicLink(link));
    assertTrue(Files.notExists(work.resolve("planted.txt")));
    assertEquals("earlier licence", Files.readString(work.resolve("licence.json")));
    assertTrue(Files.notExists(work.resolve("t-precious")), "keys were made for a request that was not written");
    Result written = fresh.join();
    assertEquals(0, written.exit(), written::toString);
    assertOwnerOnly(work.resolve("fresh.json"));

    // --force replaces the link itself, never the file it points to.
    Result forced = BinCommand.run(work, Map.of(), "hsmadmin", "vcm", "create", "--tenant-dir", "t-link", "--out",
        "sl.json", "--force");
    assertEquals(0, forced.exit(), forced::toString);
    assertFalse(Files.isSymbolicLink(link));
    assertOwnerOnly(link);
    assertTrue(Files.readString(link).contains("\"payload\""));
    assertEquals("victim", Files.readString(victim));
    try (Stream<Path> left = Files.list(work)) {
      assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
    }
  }

  @Test
  void anOutdirThatIsNoDirectoryIsRefusedBeforeAnythingIsCreated() throws IOException {
    Files.writeString(work.resolve("plain.txt"), "plain");
    Result request = tenant("t-outdir", "outdir-request.json").join();
    assertEquals(0, request.exit(), request::toString);
    for (String outdir : List.of("plain.txt", "plain.txt/../configs")) {
      Result r = BinCommand.run(work, provider(), "vcmadmin", "create", "--request", "outdir-request.json",
          "--outdir", outdir, "../../escaped");
      assertEquals(1, r.exit(), r::toString);
      assertTrue(r.err().matches("ERROR: cannot use --outdir \\S+: .*\\n"), r::toString);
    }
    assertEquals("plain", Files.readString(work.resolve("plain.txt")));
    assertEquals(0, daemon.orchestrator().vcms(daemon.orchestrator().esns().get(0)).toCompletableFuture().join()
        .size(), "nothing was created");
  }

  private CompletableFuture<Result> tenant(String tenantDir, String out) {
    return run(Map.of(), "hsmadmin", "vcm", "create", "--tenant-dir", tenantDir, "--name", "alice", "--out", out);
  }

  private static void assertOwnerOnly(Path file) throws IOException {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file::toString);
  }

  private Map<String, String> provider() {
    return Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_TOKEN_FILE", daemon.tokenFile().toString());
  }

  private CompletableFuture<Result> run(Map<String, String> env, String... command) {
    return CompletableFuture.supplyAsync(() -> BinCommand.run(work, env, command));
  }
}
