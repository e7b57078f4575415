package io.vcmctl.softhsm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.Usage;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A softhsm runtime on a fresh data directory, shared by the tests of one class. Closing it
 * destroys every VCM under the directory (so no server outlives the tests), closes every
 * runtime instance made on it and removes the directory.
 */
final class SoftHsmFixture implements AutoCloseable {

  /** Patience for one device call; calls take milliseconds here. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  final Path dataDir;
  final SoftHsmSettings settings;
  final SoftHsmRuntime runtime;
  private final List<SoftHsmRuntime> instances = new ArrayList<>();

  private SoftHsmFixture(Path dataDir) {
    this.dataDir = dataDir;
    // Under /tmp: the data directory of a clone can be too deep for a unix socket path.
    this.settings = SoftHsmSettings.fromConfig(ConfigFactory.load(
        ConfigFactory.parseMap(Map.of("vcmctl.data-dir", dataDir.toString()))));
    this.runtime = newInstance();
  }

  /** A fixture, or a skipped test when the programs are missing (a failure under CI=true). */
  static SoftHsmFixture create() throws IOException {
    return create("vcmctl-softhsm");
  }

  /** A fixture whose data directory's name starts with {@code prefix}. */
  static SoftHsmFixture create(String prefix) throws IOException {
    SoftHsmFixture fixture = new SoftHsmFixture(Files.createTempDirectory(prefix));
    requireInstalled(SoftHsmRuntime.missingProgram(fixture.settings)
        .or(() -> Files.isExecutable(Pkcs11Tool.PROGRAM) ? Optional.empty()
            : Optional.of("pkcs11-tool is not installed: no program " + Pkcs11Tool.PROGRAM + " (Debian package opensc)")),
        fixture);
    return fixture;
  }

  private static void requireInstalled(Optional<String> missing, SoftHsmFixture fixture) {
    if (missing.isEmpty()) {
      return;
    }
    fixture.close();
    if ("true".equals(System.getenv("CI"))) {
      fail(missing.get() + "; CI=true needs it (.ci/run installs it)");
    }
    Assumptions.abort(missing.get());
  }

  /** Another runtime on the same directory, as a daemon restarted after kill -9 makes. */
  SoftHsmRuntime newInstance() {
    SoftHsmRuntime instance = new SoftHsmRuntime(settings);
    instances.add(instance);
    return instance;
  }

  /** A VCM created (and with {@code started}, running) through {@link #runtime}. */
  UUID vcm(boolean started) {
    UUID vcm = UUID.randomUUID();
    await(runtime.create(vcm));
    if (started) {
      await(runtime.start(vcm));
    }
    return vcm;
  }

  VcmDirectory directory(UUID vcm) {
    return new VcmDirectory(settings.directory(), vcm);
  }

  Pkcs11Tool tenant(UUID vcm) {
    return new Pkcs11Tool(runtime.pkcs11(vcm).orElseThrow());
  }

  Usage measure(VcmRuntime on, UUID vcm) {
    return await(on.measure(view(vcm)));
  }

  /** The runtime measures by uuid; the rest of the view is what the entity would hold. */
  static VcmView view(UUID vcm) {
    return new VcmView(vcm, VcmStatus.ACTIVE, new VcmProperties(false, false, false, List.of("StandardFeatures"),
        "vcm", "10.0.0.1", "key"), TenantFacts.INITIAL, "ssh", "tenant", Instant.EPOCH, 1);
  }

  static <T> T await(CompletionStage<T> call) {
    try {
      return call.toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("device call failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("device call did not complete within " + CALL_TIMEOUT, e);
    }
  }

  /** The one-line reason a call failed with; fails the test when it succeeded or gave more than a line. */
  static String failure(CompletionStage<?> call) {
    try {
      Object result = call.toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected the device call to fail, but it returned " + result);
    } catch (ExecutionException e) {
      String message = e.getCause().getMessage();
      assertOneLine(message);
      return message;
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("device call did not complete within " + CALL_TIMEOUT, e);
    }
  }

  static void assertOneLine(String message) {
    assertTrue(message != null && !message.isBlank(), "a failure says why");
    assertFalse(message.contains("\n") || message.contains("\tat "), "one line, no stack trace: " + message);
  }

  /**
   * Every p11-kit server process serving {@code socket}, found in /proc. A child the server has
   * just forked for a connection shows the server's command line until it executes
   * {@code p11-kit-remote}; it is a session, not a second server.
   */
  static List<ProcessHandle> serversOf(Path socket) {
    return ProcessHandle.allProcesses()
        .filter(process -> serves(process, socket))
        .filter(process -> process.parent().filter(parent -> serves(parent, socket)).isEmpty())
        .collect(Collectors.toList());
  }

  private static boolean serves(ProcessHandle process, Path socket) {
    List<String> args = List.of(process.info().arguments().orElse(new String[0]));
    int name = args.indexOf("-n");
    return name >= 0 && name + 1 < args.size() && args.get(name + 1).equals(socket.toString())
        && process.info().command().orElse("").contains("p11-kit");
  }

  /**
   * Whether the process still runs. A process that ended counts as ended even as a zombie:
   * an orphaned session is reaped by PID 1 whenever PID 1 gets to it, and
   * {@link ProcessHandle#isAlive} counts a zombie as alive.
   */
  static boolean isRunning(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      return process.isAlive() && stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the other end closed the (non-blocking) connection. */
  static boolean isClosed(SocketChannel channel) {
    try {
      return channel.read(ByteBuffer.allocate(1)) == -1;
    } catch (IOException e) {
      return true;
    }
  }

  static ProcessHandle onlyServerOf(Path socket) {
    List<ProcessHandle> servers = serversOf(socket);
    if (servers.size() != 1) {
      fail("expected exactly one p11-kit server on " + socket + ", found " + servers.size());
    }
    return servers.get(0);
  }

  /** Re-checks {@code condition} every few milliseconds until it holds or {@code within} passes. */
  static void eventually(String what, Duration within, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(within);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        fail(what + " did not happen within " + within.toMillis() + " ms");
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  @Override
  public void close() {
    try {
      destroyAll();
    } finally {
      // Servers outlive the JVM by design: whatever a failed test left running ends here.
      ProcessHandle.allProcesses()
          .filter(process -> List.of(process.info().arguments().orElse(new String[0])).stream()
              .anyMatch(arg -> arg.startsWith(dataDir.toString())))
          .forEach(ProcessHandle::destroyForcibly);
      instances.forEach(SoftHsmRuntime::close);
      removeDataDir();
    }
  }

  private void destroyAll() {
    if (!Files.isDirectory(settings.directory())) {
      return;
    }
    try (Stream<Path> vcms = Files.list(settings.directory())) {
      vcms.map(dir -> UUID.fromString(dir.getFileName().toString())).forEach(vcm -> await(runtime.destroy(vcm)));
    } catch (IOException e) {
      throw new AssertionError("cannot list " + settings.directory(), e);
    }
  }

  private void removeDataDir() {
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new AssertionError("cannot remove " + dataDir, e);
    }
  }
}
