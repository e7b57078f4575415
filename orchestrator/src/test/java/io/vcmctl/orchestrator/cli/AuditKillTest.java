package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.cli.BinCommand.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export verifies after the daemon is killed with -9 in the middle of writing events, and restarted. */
class AuditKillTest {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  Path work;

  @Test
  void theTrailVerifiesAfterKillMinus9MidWriteAndGoesOnAfterTheRestart() throws Exception {
    Path data = work.resolve("data");
    ServeProcess server = ServeProcess.start(work, data, START_TIMEOUT, Map.of());
    Options.Url where = new Options.Url();
    where.url = server.url;
    Api api = Api.provider(where, Files.readString(data.resolve("admin.token")).strip());
    api.post("/v1/hsm/network", Json.parse("{\"ipv4\": \"10.0.0.0/24\"}"));
    CountDownLatch acknowledged = new CountDownLatch(20);
    CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
      try {
        while (true) {
          api.post("/v1/hsm/time", Json.object());
          acknowledged.countDown();
        }
      } catch (CliException stopped) {
        // The daemon is gone: the writes end there.
      }
    });
    assertTrue(acknowledged.await(60, TimeUnit.SECONDS), "20 writes acknowledged");
    // Killed while the writer keeps sending: some write is under way.
    server.kill();
    writes.join();

    server = ServeProcess.start(work, data, START_TIMEOUT, Map.of());
    try {
      Map<String, String> env = Map.of("ORCHESTRATOR_URL", server.url,
          "ORCHESTRATOR_TOKEN_FILE", data.resolve("admin.token").toString());
      BinCommand.run(work, env, "orchestrator", "audit", "export", "--out", "after-kill.jsonl").ok();
      Path key;
      try (Stream<Path> hsms = Files.list(data.resolve("hsm"))) {
        key = hsms.findFirst().orElseThrow().resolve("module.pub");
      }
      Result verified = BinCommand.run(work, Map.of(), "orchestrator", "audit", "verify", "after-kill.jsonl",
          "--module-key", key.toString()).ok();
      long entries = entries(verified);
      assertTrue(entries >= 22, "the acknowledged writes are in the trail: " + verified);

      BinCommand.run(work, env, "hsmadmin", "reset").ok();
      BinCommand.run(work, env, "orchestrator", "audit", "export", "--out", "later.jsonl").ok();
      Result later = BinCommand.run(work, Map.of(), "orchestrator", "audit", "verify", "later.jsonl",
          "--module-key", key.toString()).ok();
      assertTrue(entries(later) > entries, "the chain goes on from the recovered head: " + later);
    } finally {
      server.stop();
    }
  }

  private static long entries(Result verified) {
    return Long.parseLong(verified.out().replaceFirst("^verified: (\\d+) entries.*\\s*$", "$1"));
  }
}
