package io.vcmctl.orchestrator.cli;

import static io.vcmctl.orchestrator.cli.BinCommand.classpath;
import static io.vcmctl.orchestrator.cli.BinCommand.freePort;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/orchestrator serve} as a child process, polling every second, on a free loopback
 * port; its output goes to a log file in the work directory.
 */
final class ServeProcess {

  final Process process;
  final String url;
  final Path dataDir;
  private final Path log;
  private final Thread reader;
  private final Duration timeout;

  private ServeProcess(Process process, String url, Path dataDir, Path log, Thread reader, Duration timeout) {
    this.process = process;
    this.url = url;
    this.dataDir = dataDir;
    this.log = log;
    this.reader = reader;
    this.timeout = timeout;
  }

  /**
   * Starts {@code serve} in {@code work} on {@code dataDir} with {@code extra} arguments and
   * {@code env} (JAVA_OPTS only from it), and waits until it listens.
   */
  static ServeProcess start(Path work, Path dataDir, Duration timeout, Map<String, String> env, String... extra)
      throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>(BinCommand.script("orchestrator", "serve", "--data-dir",
        dataDir.toString(), "--port", String.valueOf(port), "--stats-delay", "1s"));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
    pb.environment().put("VCMCTL_CLASSPATH", classpath());
    pb.environment().remove("JAVA_OPTS");
    pb.environment().putAll(env);
    Process process = pb.start();
    process.getOutputStream().close();
    Path log = work.resolve(dataDir.getFileName() + "-" + process.pid() + ".log");
    String url = "http://127.0.0.1:" + port;
    CompletableFuture<Void> listening = new CompletableFuture<>();
    // Drains the daemon's output for its whole life, and says when it listens.
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); Writer file = Files.newBufferedWriter(log)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          file.write(line + "\n");
          // Flushed line by line: a test reads the log while the daemon runs.
          file.flush();
          if (line.equals("listening on " + url)) {
            listening.complete(null);
          }
        }
      } catch (IOException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IllegalStateException("serve ended without listening"));
    }, "serve-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      listening.get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new AssertionError("serve did not print 'listening on " + url + "' within " + timeout
          + ": " + e + "\n" + (Files.exists(log) ? Files.readString(log) : ""), e);
    }
    // The script execs java, so that kill -9 of this process is kill -9 of the JVM.
    assertTrue(process.info().command().orElse("").endsWith("java"), process.info()::toString);
    return new ServeProcess(process, url, dataDir, log, reader, timeout);
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** SIGTERM, as an operator would stop it. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("serve did not stop within " + timeout + " of SIGTERM");
    }
    awaitLog();
  }

  /** kill -9: no shutdown of any kind. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS), "serve survived kill -9");
    awaitLog();
  }

  /** The log is complete, and closed before the work directory is removed. */
  private void awaitLog() throws InterruptedException {
    reader.join(timeout.toMillis());
    assertFalse(reader.isAlive(), "the output of serve did not end with the process");
  }
}
