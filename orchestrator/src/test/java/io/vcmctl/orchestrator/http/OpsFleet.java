package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;

/**
 * A daemon with one licensed, networked HSM for the operations tests, and the means to script
 * a session on it: VCMs from tenants' requests, tenant calls, and the real command lines.
 */
final class OpsFleet implements AutoCloseable {

  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  /** What a command line printed and how it ended. */
  record Result(List<String> command, int exit, String out, String err) {
    Result ok() {
      assertEquals(0, exit, this::toString);
      assertEquals("", err, this::toString);
      return this;
    }

    JsonNode json() {
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

  final Daemon daemon;
  final ApiClient api;
  final String esn;
  final Path work;
  private int calls;

  private OpsFleet(Daemon daemon, Path work) {
    this.daemon = daemon;
    this.work = work;
    this.api = new ApiClient(daemon.url(), daemon.tokenFile());
    this.esn = daemon.orchestrator().esns().get(0);
  }

  /** A daemon on a fresh data directory, its HSM licensed for 10 active VCMs and networked. */
  static OpsFleet start(String name, Duration statsDelay) {
    Path dir = TestConfigs.freshDataDirectory(name).root();
    Daemon daemon = Daemon.start(dir, 0, List.of(), statsDelay, null, new PrintStream(OutputStream.nullOutputStream()));
    OpsFleet fleet = new OpsFleet(daemon, dir.resolveSibling(dir.getFileName() + "-work"));
    try {
      Files.createDirectories(fleet.work);
      byte[] licence = Licence.of(fleet.esn, true, SpeedRating.MID, 10, List.of(), Instant.now())
          .sign(DemoVendor.keyPair());
      fleet.api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
      fleet.api.post("/v1/hsm/network", json("ipv4", "10.30.0.0/24")).ok();
      fleet.api.post("/v1/hsm/reset", "{}").ok();
      return fleet;
    } catch (IOException e) {
      daemon.stop();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      daemon.stop();
      throw e;
    }
  }

  /** A VCM made from the tenant's request, which asks for these properties besides the name. */
  UUID create(String name, TestTenant tenant, Map<String, String> properties) {
    JsonNode created = api.post("/v1/vcms", json("request", b64(tenant.createRequest(properties, Instant.now())),
        "name", name)).ok().json();
    return UUID.fromString(created.get("uuid").asText());
  }

  void start(UUID vcm) {
    api.post("/v1/vcms/" + vcm + "/start", "{}").ok();
  }

  void enrol(TestTenant tenant, UUID vcm) {
    api.tenant(tenant, "enroll", vcm, "{}").ok();
  }

  /** The tenant writes this much data into its VCM; the simulated runtime's disk use grows by it. */
  void write(TestTenant tenant, UUID vcm, long bytes) {
    api.tenant(tenant, "data-write", vcm, "{\"bytes\": " + bytes + "}").ok();
  }

  String token() {
    try {
      return Files.readString(daemon.tokenFile(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits for two complete poll cycles from now: the second one started after everything done
   * before this call, so the stored figures reflect it.
   */
  void awaitFreshStats() {
    TestProbe<StatsPoller.CycleCompleted> cycles = TestProbe.create(daemon.orchestrator().system());
    daemon.orchestrator().system().eventStream()
        .tell(new EventStream.Subscribe<>(StatsPoller.CycleCompleted.class, cycles.getRef()));
    Duration patience = Duration.ofSeconds(30);
    cycles.receiveMessage(patience);
    cycles.receiveMessage(patience);
    daemon.orchestrator().system().eventStream()
        .tell(new EventStream.Unsubscribe<>(cycles.getRef()));
    cycles.stop();
  }

  /** {@code bin/hsmadmin}, {@code bin/vcmadmin}: the real scripts, each a JVM, on this daemon. */
  Result cli(String... command) {
    List<String> full = new ArrayList<>(List.of(command));
    full.set(0, repositoryRoot().resolve("bin").resolve(command[0]).toString());
    int n = ++calls;
    Path out = work.resolve("cli-" + n + ".out");
    Path err = work.resolve("cli-" + n + ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(full).directory(work.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeAll(List.of("JAVA_OPTS", "VCM_TENANT_DIR"));
      pb.environment().put("VCMCTL_CLASSPATH",
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
      pb.environment().put("ORCHESTRATOR_URL", daemon.url());
      pb.environment().put("ORCHESTRATOR_TOKEN_FILE", daemon.tokenFile().toString());
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within " + CLI_TIMEOUT);
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

  @Override
  public void close() {
    daemon.stop();
  }
}
