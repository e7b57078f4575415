package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.orchestrator.ops.OpsSettings;
import io.vcmctl.orchestrator.ops.Readiness;
import io.vcmctl.orchestrator.ops.Version;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /metrics}, {@code /healthz}, {@code /readyz} and {@code /v1/version} on one daemon
 * after a scripted session, read by a strict parser, by the command lines, and by real
 * Prometheus tools: {@code promtool} and a Prometheus server scraping with the token file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class OperationsEndpointsTest {

  private static final long DISK_LIMIT = 16L * 1024 * 1024;
  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private OpsFleet fleet;
  private final TestTenant aliceTenant = new TestTenant();
  private final TestTenant bobTenant = new TestTenant();
  private final TestTenant carolTenant = new TestTenant();
  private final TestTenant daveTenant = new TestTenant();
  private UUID alice;
  private UUID carol;
  private UUID dave;

  @BeforeAll
  void scriptedSession() {
    fleet = OpsFleet.start("ops-metrics", Duration.ofMillis(300));
    alice = fleet.create("alice", aliceTenant, Map.of());
    fleet.start(alice);
    fleet.enrol(aliceTenant, alice);
    fleet.write(aliceTenant, alice, 1_000_000);
    UUID bob = fleet.create("bob", bobTenant, Map.of("restrict_startup", "true"));
    fleet.api.post("/v1/vcms/" + bob + "/start", "{}").refused(409, "START_REQUEST_REQUIRED");
    carol = fleet.create("carol", carolTenant, Map.of());
    fleet.start(carol);
    fleet.enrol(carolTenant, carol);
    fleet.write(carolTenant, carol, 14_000_000);
    dave = fleet.create("dave", daveTenant, Map.of());
    fleet.api.post("/v1/vcms/" + dave + "/delete", "{}").ok();
    fleet.api.post("/v1/vcms/" + alice + "/stop", "{}").refused(409, "VCM_IN_USE");
    fleet.api.send("POST", "/v1/vcms/" + alice + "/start", "{}", Map.of("Authorization", "Bearer not-the-token"))
        .refused(401, "UNAUTHORIZED");
    fleet.awaitFreshStats();
  }

  @AfterAll
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  // ---- /metrics ----------------------------------------------------------------------------

  @Test
  void metricsMatchVcmadminStatsAndHsmadminInfo() {
    TextExposition scrape = TextExposition.parse(scrape(null).body());
    JsonNode stats = fleet.cli("vcmadmin", "stats", "--json").ok().json().get("stats");
    JsonNode info = fleet.cli("hsmadmin", "info", "--json").ok().json();
    String esn = info.get("esn").asText();

    assertEquals(3, stats.size(), stats::toString);
    for (JsonNode vcm : stats) {
      String[] labels = {"esn", esn, "uuid", vcm.get("uuid").asText(), "name", vcm.get("name").asText()};
      assertTrue(vcm.get("answering").asBoolean(), vcm::toString);
      assertEquals(vcm.get("disk_bytes").asDouble(), scrape.value("vcmctl_vcm_disk_bytes", labels), vcm::toString);
      assertEquals(vcm.get("memory_bytes").asDouble(), scrape.value("vcmctl_vcm_memory_bytes", labels), vcm::toString);
      assertEquals(vcm.get("disk_bytes").asDouble() / DISK_LIMIT, scrape.value("vcmctl_vcm_disk_limit_ratio", labels),
          1e-12, vcm::toString);
      assertEquals(1, scrape.value("vcmctl_vcm_answering", labels));
      for (String state : List.of("inactive", "active", "disk-limit-stopped")) {
        assertEquals(state.equals(vcm.get("state").asText()) ? 1 : 0,
            scrape.value("vcmctl_vcm_state", concat(labels, "state", state)), () -> vcm + " " + state);
      }
    }
    assertEquals(14_000_000, scrape.value("vcmctl_vcm_disk_bytes", "name", "carol"));
    assertEquals(0, scrape.value("vcmctl_vcm_memory_bytes", "name", "bob"));
    assertTrue(scrape.samples.stream().noneMatch(s -> dave.toString().equals(s.labels().get("uuid"))),
        "the deleted VCM still has series");

    assertEquals(info.get("vcms_active").asDouble(), scrape.value("vcmctl_vcms_active", "esn", esn));
    assertEquals(info.get("max_active_vcms").asDouble(), scrape.value("vcmctl_vcms_max_active", "esn", esn));
    assertEquals(info.get("vcms_created").asDouble(), scrape.value("vcmctl_vcms_created", "esn", esn));
    assertEquals(info.get("max_creatable_vcms").asDouble(), scrape.value("vcmctl_vcms_max_creatable", "esn", esn));
    assertEquals(2, scrape.value("vcmctl_vcms_active", "esn", esn));
    assertEquals(1, scrape.value("vcmctl_hsm_up", "esn", esn));
    assertEquals(DISK_LIMIT, scrape.value("vcmctl_vcm_disk_limit_bytes"));
    assertEquals(Version.current(), scrape.samples("vcmctl_build_info").get(0).labels().get("version"));
    assertEquals("gauge", scrape.types.get("vcmctl_vcm_disk_bytes"));
    assertEquals("counter", scrape.types.get("vcmctl_commands_total"));
    assertEquals("histogram", scrape.types.get("vcmctl_stats_poll_duration_seconds"));
    assertTrue(scrape.value("jvm_memory_used_bytes", "area", "heap") > 0);
    assertTrue(scrape.types.containsKey("process_cpu_seconds_total"), scrape.types::toString);
  }

  @Test
  void commandsAreCountedByKindOutcomeAndRefusalCode() {
    TextExposition scrape = TextExposition.parse(scrape(null).body());
    assertEquals(1, scrape.value("vcmctl_commands_total", "command", "licence", "outcome", "ok"));
    assertEquals(4, scrape.value("vcmctl_commands_total", "command", "create", "outcome", "ok"));
    assertEquals(2, scrape.value("vcmctl_commands_total", "command", "start", "outcome", "ok"));
    assertEquals(2, scrape.value("vcmctl_commands_total", "command", "start", "outcome", "refused"));
    assertEquals(1, scrape.value("vcmctl_command_refusals_total", "command", "start", "code", "START_REQUEST_REQUIRED"));
    assertEquals(1, scrape.value("vcmctl_command_refusals_total", "command", "start", "code", "UNAUTHORIZED"));
    assertEquals(1, scrape.value("vcmctl_command_refusals_total", "command", "stop", "code", "VCM_IN_USE"));
    assertEquals(1, scrape.value("vcmctl_commands_total", "command", "delete", "outcome", "ok"));
    assertEquals(2, scrape.value("vcmctl_commands_total", "command", "tenant-enroll", "outcome", "ok"));
    assertEquals(2, scrape.value("vcmctl_commands_total", "command", "tenant-data-write", "outcome", "ok"));
    assertTrue(scrape.samples("vcmctl_commands_total", "outcome", "error").isEmpty());

    // Only acknowledged commands are timed: the persist latency as a client sees it.
    assertEquals(2, scrape.value("vcmctl_command_duration_seconds_count", "command", "start"));
    assertTrue(scrape.value("vcmctl_command_duration_seconds_sum", "command", "start") > 0);
    assertEquals(2, scrape.value("vcmctl_command_duration_seconds_bucket", "command", "start", "le", "+Inf"));

    String esn = fleet.esn;
    assertTrue(scrape.value("vcmctl_stats_poll_duration_seconds_count", "esn", esn) >= 2);
    assertEquals(0.3, scrape.value("vcmctl_stats_poll_delay_seconds", "esn", esn));
    assertEquals(0, scrape.value("vcmctl_stats_unanswered_vcms", "esn", esn));
    double lastCycle = scrape.value("vcmctl_stats_last_cycle_timestamp_seconds", "esn", esn);
    double now = Instant.now().toEpochMilli() / 1000.0;
    assertTrue(lastCycle <= now && lastCycle > now - 60, () -> "last cycle at " + lastCycle + ", now " + now);
  }

  @Test
  void noLabelHoldsAKeyATokenOrARequest() {
    String text = scrape(null).body();
    assertFalse(text.contains(fleet.token()), "the admin token is in the scrape");
    for (TestTenant t : List.of(aliceTenant, bobTenant, carolTenant, daveTenant)) {
      assertFalse(text.contains(t.requestKeyEncoded()), "a request key is in the scrape");
      assertFalse(text.contains(t.fingerprint()), "a tenant key's fingerprint is in the scrape");
    }
    for (JsonNode event : fleet.api.get("/v1/vcms/" + alice + "/history").ok().json().get("events")) {
      if (!event.get("request_digest").isNull()) {
        assertFalse(text.contains(event.get("request_digest").asText()), "a request digest is in the scrape");
      }
    }
    TextExposition scrape = TextExposition.parse(text);
    scrape.samples.stream().filter(s -> s.name().startsWith("vcmctl_"))
        .forEach(s -> assertTrue(List.of("esn", "uuid", "name", "state", "command", "outcome", "code", "le", "version")
            .containsAll(s.labels().keySet()), s::toString));
  }

  @Test
  void metricsNeedTheAdminToken() {
    Answer missing = fleet.api.send("GET", "/metrics", null, Map.of()).refused(401, "UNAUTHORIZED");
    assertEquals("Bearer realm=\"vcm-orchestrator\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
    fleet.api.send("GET", "/metrics", null, Map.of("Authorization", "Bearer " + "0".repeat(64)))
        .refused(401, "UNAUTHORIZED");
    fleet.api.send("GET", "/metrics", null, Map.of("Authorization", "Basic " + fleet.token()))
        .refused(401, "UNAUTHORIZED");
    Answer post = fleet.api.send("POST", "/metrics", "{}", Map.of("Authorization", "Bearer " + fleet.token()))
        .refused(405, "METHOD_NOT_ALLOWED");
    assertEquals("GET", post.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void textFormatByDefaultAndOpenMetricsWhenAsked() {
    HttpResponse<String> plain = scrape(null);
    assertEquals(TEXT_FORMAT, plain.headers().firstValue("Content-Type").orElseThrow());
    // What Prometheus 2.42 sends: OpenMetrics preferred.
    HttpResponse<String> open = scrape("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
        + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assertEquals(OPEN_METRICS, open.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(open.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    assertTrue(open.body().contains("# TYPE vcmctl_commands counter\n"), "OpenMetrics names the counter's family");
    // Protobuf is not served; the text format is.
    HttpResponse<String> protobuf = scrape("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
        + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3");
    assertEquals(TEXT_FORMAT, protobuf.headers().firstValue("Content-Type").orElseThrow());
    TextExposition.parse(protobuf.body());
  }

  // ---- health, readiness, version ------------------------------------------------------

  @Test
  void healthAndReadinessNeedNoTokenAndTellOnlyTheFailingCheck() {
    Answer health = fleet.api.send("GET", "/healthz", null, Map.of());
    assertEquals(200, health.status());
    assertEquals("{\"status\":\"ok\"}", health.raw());
    Answer ready = fleet.api.send("GET", "/readyz", null, Map.of());
    assertEquals(200, ready.status(), ready.raw());
    assertEquals("{\"status\":\"ready\"}", ready.raw());

    // Polled every hour: the first cycle runs at start, so the daemon is ready and its stats are
    // collected without waiting an hour; past two delays they are stale.
    OpsFleet hourly = OpsFleet.start("ops-hourly", Duration.ofHours(1));
    try {
      TestProbe.create(hourly.daemon.orchestrator().system()).awaitAssert(Duration.ofSeconds(20), () -> {
        Answer answer = hourly.api.send("GET", "/readyz", null, Map.of());
        assertEquals("{\"status\":\"ready\"}", answer.raw());
        return null;
      });
      assertTrue(hourly.api.get("/v1/stats").ok().json().get("collected_since_start").asBoolean());

      Readiness threeHoursOn = new Readiness(hourly.daemon.orchestrator(),
          OpsSettings.fromConfig(hourly.daemon.orchestrator().system().settings().config()),
          Clock.offset(Clock.systemUTC(), Duration.ofHours(3)));
      assertEquals(Optional.of(Readiness.STATS_FRESH), threeHoursOn.failingCheck().toCompletableFuture().join());
      assertEquals(200, hourly.api.send("GET", "/healthz", null, Map.of()).status());
    } finally {
      hourly.close();
    }
  }

  @Test
  void versionIsServedWithTheTokenAndPrintedByHsmadminInfo() {
    JsonNode version = fleet.api.get("/v1/version").ok().json();
    assertEquals(Version.current(), version.get("version").asText());
    assertEquals(Runtime.version().toString(), version.get("java_version").asText());
    assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), Version.current());
    fleet.api.send("GET", "/v1/version", null, Map.of()).refused(401, "UNAUTHORIZED");

    String printed = fleet.cli("hsmadmin", "info").ok().out();
    assertTrue(printed.lines().anyMatch(l -> l.equals("daemon_version: " + Version.current())), printed);
    assertEquals(Version.current(), fleet.cli("hsmadmin", "info", "--json").ok().json().get("daemon_version").asText());
  }

  @Test
  void pollerStatusSaysHowFreshTheStatsAre() {
    JsonNode poller = fleet.api.get("/v1/stats/poller?esn=" + fleet.esn).ok().json();
    assertEquals(0.3, poller.get("delay_seconds").asDouble());
    assertEquals(0.6, poller.get("stale_after_seconds").asDouble());
    assertEquals(DISK_LIMIT, poller.get("disk_limit_bytes").asLong());
    assertEquals(0.8, poller.get("disk_warning_ratio").asDouble());
    assertTrue(poller.get("cycles_completed").asLong() >= 2, poller::toString);
    assertEquals(3, poller.get("vcms").asInt());
    assertEquals(0, poller.get("unanswered").asInt());
    Instant.parse(poller.get("last_completed_at").asText());
    fleet.api.get("/v1/stats/poller?esn=0000-0000-0000").refused(404, "NOT_FOUND");
    fleet.api.send("GET", "/v1/stats/poller", null, Map.of()).refused(401, "UNAUTHORIZED");
  }

  @Test
  void theConsoleIsServedWithoutATokenAndLoadsNothingFromElsewhere() {
    Answer page = raw("/");
    assertEquals(200, page.status());
    assertEquals("text/html; charset=UTF-8", page.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
        + " form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
        page.headers().firstValue("Content-Security-Policy").orElseThrow());
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
    Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(page.raw());
    int files = 0;
    while (refs.find()) {
      assertTrue(refs.group(1).startsWith("/console/"), refs.group(1));
      assertEquals(200, raw(refs.group(1)).status(), refs.group(1));
      files++;
    }
    assertEquals(3, files, "the page's script, style sheet and icon");
    assertFalse(page.raw().contains(fleet.token()));
    fleet.api.send("GET", "/console/../admin.token", null, Map.of()).refused(404, "NOT_FOUND");
    fleet.api.send("GET", "/console/nothing.js", null, Map.of()).refused(404, "NOT_FOUND");
  }

  // ---- real Prometheus tools ---------------------------------------------------------------

  @Test
  void promtoolFindsNoProblemInAScrape() throws Exception {
    Path promtool = ExternalProgram.require("promtool", "prometheus");
    Path file = fleet.work.resolve("scrape.txt");
    Files.writeString(file, scrape(null).body());
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    assertEquals("", output.strip());
  }

  @Test
  void aPrometheusServerScrapesTheDaemonWithTheTokenFile() throws Exception {
    Path prometheus = ExternalProgram.require("prometheus", "prometheus");
    Path dir = Files.createDirectories(fleet.work.resolve("prometheus"));
    String documented = yamlUnder(operationsGuide(), "### Scrape config");
    assertEquals(documented, yamlUnder(Files.readString(OpsFleet.repositoryRoot().resolve("README.md")),
        "## Operations"), "the README's scrape config differs from docs/operations.md's");
    String scrapeConfig = documented
        .replace("/srv/vcm-orchestrator/data/admin.token", fleet.daemon.tokenFile().toString())
        .replace("127.0.0.1:8750", "127.0.0.1:" + fleet.daemon.port());
    Files.writeString(dir.resolve("prometheus.yml"),
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n" + scrapeConfig);
    int port = freePort();
    Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      String base = "http://127.0.0.1:" + port + "/api/v1/query?query=";
      TestProbe<Object> patience = TestProbe.create(fleet.daemon.orchestrator().system());
      JsonNode result = patience.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
        JsonNode r = query(base + URLEncoder.encode("vcmctl_vcms_active", StandardCharsets.UTF_8));
        assertEquals(1, r.size(), () -> r + "\n" + log(dir));
        return r.get(0);
      });
      assertEquals(fleet.esn, result.at("/metric/esn").asText());
      assertEquals("vcm-orchestrator", result.at("/metric/job").asText());
      assertEquals("2", result.at("/value/1").asText());
      JsonNode up = query(base + URLEncoder.encode("up{job=\"vcm-orchestrator\"}", StandardCharsets.UTF_8));
      assertEquals("1", up.get(0).at("/value/1").asText());
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void theAlertRulesOfTheGuidePassPromtool() throws Exception {
    Path promtool = ExternalProgram.require("promtool", "prometheus");
    Path dir = Files.createDirectories(fleet.work.resolve("rules"));
    Files.writeString(dir.resolve("rules.yml"), yamlUnder(operationsGuide(), "### Alert rules"));
    try (InputStream test = getClass().getResourceAsStream("alert-rules-test.yml")) {
      Files.write(dir.resolve("alert-rules-test.yml"), test.readAllBytes());
    }
    String checked = run(dir, promtool.toString(), "check", "rules", "rules.yml");
    assertTrue(checked.contains("SUCCESS: 2 rules found"), checked);
    String tested = run(dir, promtool.toString(), "test", "rules", "alert-rules-test.yml");
    assertTrue(tested.contains("SUCCESS"), tested);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private HttpResponse<String> scrape(String accept) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fleet.daemon.url() + "/metrics"))
        .header("Authorization", "Bearer " + fleet.token());
    if (accept != null) {
      request.header("Accept", accept);
    }
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
      return r;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A GET without a token whose body may be anything. */
  private Answer raw(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(fleet.daemon.url() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), null, r.headers(), r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private JsonNode query(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode json = JsonViews.MAPPER.readTree(r.body());
      assertEquals("success", json.path("status").asText(), r::body);
      return json.at("/data/result");
    } catch (IOException e) {
      throw new AssertionError("Prometheus does not answer yet: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), () -> String.join(" ", command) + "\n" + output);
    return output;
  }

  private static String operationsGuide() throws IOException {
    return Files.readString(OpsFleet.repositoryRoot().resolve("docs").resolve("operations.md"));
  }

  /** The first yaml block after a heading of the guide, as an operator would copy it. */
  static String yamlUnder(String guide, String heading) {
    Matcher m = Pattern.compile(Pattern.quote(heading) + "\\n.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(guide);
    assertTrue(m.find(), "docs/operations.md has no yaml block under " + heading);
    return m.group(1);
  }

  private static String log(Path dir) {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String[] concat(String[] labels, String... more) {
    String[] all = new String[labels.length + more.length];
    System.arraycopy(labels, 0, all, 0, labels.length);
    System.arraycopy(more, 0, all, labels.length, more.length);
    return all;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
