package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code bin/} scripts as a user runs them, each a JVM of its own, in a work directory and
 * with this test's class path (so nothing is built).
 */
final class BinCommand {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger CALLS = new AtomicInteger();

  private BinCommand() {}

  /** What a command did. */
  record Result(List<String> command, int exit, String out, String err) {
    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + exit + "\nstdout:\n" + out + "stderr:\n" + err;
    }
  }

  /** Runs {@code bin/SCRIPT ARGS…} in {@code dir}; one that has not finished within a minute fails the test. */
  static Result run(Path dir, Map<String, String> env, String... command) {
    List<String> full = new ArrayList<>(Arrays.asList(command));
    full.set(0, repositoryRoot().resolve("bin").resolve(command[0]).toString());
    int n = CALLS.incrementAndGet();
    try {
      Path calls = Files.createDirectories(dir.resolve(".calls"));
      Path out = calls.resolve(n + ".out");
      Path err = calls.resolve(n + ".err");
      ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeAll(List.of("ORCHESTRATOR_URL", "ORCHESTRATOR_TOKEN_FILE", "VCM_TENANT_DIR",
          "JAVA_OPTS"));
      pb.environment().put("VCMCTL_CLASSPATH",
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        fail(String.join(" ", command) + " did not finish within " + TIMEOUT + " (killed)");
      }
      return new Result(List.of(command), p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("bin").resolve("orchestrator"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no bin/orchestrator above " + Path.of("").toAbsolutePath());
  }
}
