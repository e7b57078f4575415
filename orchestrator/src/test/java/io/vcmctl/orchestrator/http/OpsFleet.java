package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.cli.BinCommand;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;

/**
 * A daemon with one licensed, networked HSM for the operations tests, and the means to script
 * a session on it: VCMs from tenants' requests, tenant calls, and the real command lines.
 */
final class OpsFleet implements AutoCloseable {

  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  final Daemon daemon;
  final ApiClient api;
  final String esn;
  final Path work;

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
    return BinCommand.exec(work, Map.of("ORCHESTRATOR_URL", daemon.url(),
        "ORCHESTRATOR_TOKEN_FILE", daemon.tokenFile().toString()), CLI_TIMEOUT, BinCommand.script(command));
  }

  static Path repositoryRoot() {
    return BinCommand.repositoryRoot();
  }

  @Override
  public void close() {
    daemon.stop();
  }
}
