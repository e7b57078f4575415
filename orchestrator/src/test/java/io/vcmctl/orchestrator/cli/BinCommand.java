package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.orchestrator.api.JsonViews;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
public final class BinCommand {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger CALLS = new AtomicInteger();

  private BinCommand() {}

  /** What a command did. */
  public record Result(List<String> command, int exit, String out, String err) {
    /** The command succeeded quietly: exit 0, nothing on stderr. */
    public Result ok() {
      assertEquals(0, exit, this::toString);
      assertEquals("", err, this::toString);
      return this;
    }

    public JsonNode json() {
      try {
        return JsonViews.MAPPER.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + this, e);
      }
    }

    @Override
    public String toString() {
      return String.join(" ", command) + "\nexit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code bin/SCRIPT ARGS…} in {@code dir}; one that has not finished within a minute fails the test. */
  static Result run(Path dir, Map<String, String> env, String... command) {
    return exec(dir, env, TIMEOUT, script(command));
  }

  /** {@code bin/SCRIPT ARGS…} with the script's absolute path. */
  public static List<String> script(String... command) {
    List<String> full = new ArrayList<>(Arrays.asList(command));
    full.set(0, repositoryRoot().resolve("bin").resolve(command[0]).toString());
    return full;
  }

  /**
   * Runs a program in {@code dir} with the scripts pointed at this test's class path, its output
   * kept under {@code dir/.calls}; one that has not finished within {@code timeout} is killed and
   * fails the test.
   */
  public static Result exec(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
    int n = CALLS.incrementAndGet();
    try {
      Path calls = Files.createDirectories(dir.resolve(".calls"));
      Path out = calls.resolve(n + ".out");
      Path err = calls.resolve(n + ".err");
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeIf(name -> name.startsWith("ORCHESTRATOR_") || name.startsWith("P11_KIT_")
          || name.equals("VCM_TENANT_DIR") || name.equals("JAVA_OPTS"));
      pb.environment().put("VCMCTL_CLASSPATH", classpath());
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        fail(String.join(" ", command) + " did not finish within " + timeout + " (killed)");
      }
      return new Result(command, p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Surefire runs the tests with the module's class path; the scripts get the same one. */
  static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("bin").resolve("orchestrator"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no bin/orchestrator above " + Path.of("").toAbsolutePath());
  }
}
