package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Abuse HttpErrorsTest does not cover: floods of wrong admin tokens and of forged tenant
 * signatures (all refused, no secret in the log, the right caller served at once), bodies that
 * stop half way or trickle in while others are served, and path tricks in names and paths.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class HttpAbuseTest {

  private static final int FLOOD = 2000;

  private Daemon daemon;
  private ApiClient api;
  private String token;
  private final TestTenant tenant = new TestTenant();
  private String vcm;

  @BeforeAll
  void start() throws IOException {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("http-abuse").root(), 0, List.of(), null, null,
        new PrintStream(OutputStream.nullOutputStream()));
    api = new ApiClient(daemon.url(), daemon.tokenFile());
    token = Files.readString(daemon.tokenFile(), StandardCharsets.US_ASCII);
    String esn = daemon.orchestrator().esns().get(0);
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, 5, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
    api.post("/v1/hsm/network", json("ipv4", "10.70.0.0/24")).ok();
    api.post("/v1/hsm/reset", "").ok();
    vcm = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())), "name", "target"))
        .ok().json().path("uuid").asText();
    api.post("/v1/vcms/" + vcm + "/start", "").ok();
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  @Test
  void thousandsOfWrongTokensAreRefusedUnloggedAndTheRightOneWorksAtOnce() throws Exception {
    ListAppender<ILoggingEvent> log = capture();
    try {
      // Near misses of the real token (its last hex digit replaced by g-z, so never the token
      // itself), and others of every length.
      List<Answer> answers = flood(i -> api.send("POST", "/v1/hsm/network", json("ipv4", "10.99.0.0/24").toString(),
          Map.of("Authorization", "Bearer " + (i % 2 == 0 ? token.substring(0, token.length() - 1) + (char) ('g' + i % 20)
              : "wrong-" + "x".repeat(i % 300)))));
      for (Answer a : answers) {
        a.refused(401, "UNAUTHORIZED");
      }
      assertFalse(pendingNetwork().contains("10.99."), "nothing changed");
      api.post("/v1/hsm/time", "").ok();
      for (ILoggingEvent e : log.list) {
        String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
            : ThrowableProxyUtil.asString(e.getThrowableProxy()));
        assertFalse(text.contains(token.substring(0, token.length() - 1)), "a token in the log: " + text);
      }
    } finally {
      release(log);
    }
  }

  @Test
  void thousandsOfForgedTenantSignaturesAreRefusedAndTheTenantIsServedAtOnce() throws Exception {
    String path = "/v1/tenant/vcms/" + vcm + "/enroll";
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    TestTenant forger = new TestTenant();
    List<Answer> answers = flood(i -> {
      // Signed by another key while naming the tenant's.
      Map<String, String> headers = new HashMap<>(TenantCall.sign(forger.sshadmin, "POST", path, body, Instant.now()));
      headers.put(TenantCall.KEY, PublicKeys.encode(tenant.sshadmin.getPublic()));
      return api.send("POST", path, "{}", headers);
    });
    String code = answers.get(0).code();
    for (Answer a : answers) {
      a.refused(401, code);
    }
    assertFalse(api.get("/v1/vcms/" + vcm).ok().json().path("enrolled").asBoolean(), "nothing changed");
    assertTrue(api.tenant(tenant, "enroll", vcm, "{}").ok().json().path("enrolled").asBoolean());
  }

  @Test
  void aBodyThatStopsHalfWayChangesNothing() throws IOException {
    String body = json("ipv4", "10.98.0.0/24").toString();
    try (Socket socket = new Socket("127.0.0.1", daemon.port())) {
      socket.setSoTimeout(90_000);
      socket.getOutputStream().write(head("/v1/hsm/network", body.length()));
      socket.getOutputStream().write(body.substring(0, body.length() / 2).getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      String response = read(socket.getInputStream());
      // Either no answer at all (the connection just closes) or a JSON error.
      if (!response.isEmpty()) {
        String[] parts = response.split("\r\n\r\n", 2);
        assertTrue(parts[0].matches("(?s)HTTP/1.1 4\\d\\d .*"), response);
        assertEquals(1, JsonViews.MAPPER.readTree(parts[1]).at("/error/message").asText().lines().count(), response);
      }
    }
    assertFalse(pendingNetwork().contains("10.98."), "nothing changed");
  }

  @Test
  void aBodyTricklingInHoldsUpNoOneElseAndIsServedWhenComplete() throws IOException {
    String body = json("ipv4", "10.70.0.0/23").toString();
    try (Socket socket = new Socket("127.0.0.1", daemon.port())) {
      socket.setSoTimeout(90_000);
      OutputStream out = socket.getOutputStream();
      out.write(head("/v1/hsm/network", body.length()));
      byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < bytes.length - 1; i++) {
        out.write(bytes[i]);
        out.flush();
        if (i % 8 == 0) {
          // Meanwhile, other callers are answered.
          api.get("/v1/hsm/info").ok();
        }
      }
      out.write(bytes[bytes.length - 1]);
      out.flush();
      InputStream in = socket.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 200", status);
    }
    assertEquals("ipv4 10.70.0.0/23", pendingNetwork());
  }

  @Test
  void pathTricksInNamesAndPathsReachNoFile() {
    for (String name : List.of("../../etc/passwd", "/etc/shadow", "..", "a/../../b", "C:\\Windows\\x")) {
      Answer created = api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(Map.of(),
          Instant.now())), "name", name)).ok();
      String uuid = created.json().path("uuid").asText();
      // The file name the command line writes comes from the uuid alone.
      assertEquals("vcm-" + uuid + ".config", created.json().path("config_file_name").asText());
      assertEquals(name, api.get("/v1/vcms/" + uuid).ok().json().path("name").asText());
      api.post("/v1/vcms/" + uuid + "/delete", "").ok();
    }
    for (String path : List.of("/v1/vcms/..%2F..%2Fhsm%2Finfo", "/v1/vcms/%2e%2e/history",
        "/v1/vcms/" + vcm + "%00/history", "/v1/tenant/vcms/..%2f" + vcm + "/enroll")) {
      Answer a = api.send(path.startsWith("/v1/tenant") ? "POST" : "GET", path, null,
          Map.of("Authorization", "Bearer " + token));
      assertTrue(List.of(400, 401, 404).contains(a.status()), a::raw);
      assertEquals(1, a.message().lines().count(), a::raw);
    }
  }

  private String pendingNetwork() {
    return api.get("/v1/hsm/info").ok().json().path("pending_network").asText("");
  }

  private byte[] head(String path, int length) {
    return ("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /** {@link #FLOOD} calls from 16 threads; their answers. */
  private static List<Answer> flood(IntFunction<Answer> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < FLOOD; i++) {
        int n = i;
        calls.add(pool.submit(() -> call.apply(n)));
      }
      List<Answer> answers = new ArrayList<>();
      for (Future<Answer> f : calls) {
        answers.add(f.get());
      }
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
  }
}
