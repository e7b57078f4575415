package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Whatever a caller sends, the answer is the JSON error shape with the right status: never text, HTML or a trace. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class HttpErrorsTest {

  private static final String BAD = "INVALID_ARGUMENT";

  private Daemon daemon;
  private ApiClient api;
  private String esn;

  @BeforeAll
  void start() {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("http-errors").root(), 0, List.of(), null, null,
        new PrintStream(OutputStream.nullOutputStream()));
    api = new ApiClient(daemon.url(), daemon.tokenFile());
    esn = daemon.orchestrator().esns().get(0);
    api.post("/v1/hsm/network", json("ipv4", "10.30.0.0/24")).ok();
    api.post("/v1/hsm/reset", "").ok();
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  @Test
  void malformedJsonIsA400() {
    assertTrue(api.post("/v1/hsm/network", "{\"ipv4\": ").refused(400, BAD).message().startsWith("the body is not valid JSON"));
    api.post("/v1/hsm/network", "<html>").refused(400, BAD);
    api.post("/v1/hsm/network", "[\"10.0.0.0/24\"]").refused(400, BAD);
    api.post("/v1/hsm/network", "\"ipv4\"").refused(400, BAD);
    api.post("/v1/hsm/network", "{\"ipv4\": \"10.1.0.0/24\"} {}").refused(400, BAD);
    api.post("/v1/hsm/network", "{\"ipv4\": \"10.1.0.0/24\", \"ipv4\": \"10.2.0.0/24\"}").refused(400, BAD);
    api.post("/v1/hsm/network", "{\"ipv4\": \"10.1.0.0/24\"\n\u0000}").refused(400, BAD);
    api.post("/v1/hsm/network", "[".repeat(5000)).refused(400, BAD);
    assertTrue(api.get("/v1/hsm/info").ok().json().get("pending_network").isNull());
  }

  @Test
  void jsonErrorsNameTheProblemNeverTheParser() {
    assertEquals("the body is not valid JSON: arrays or objects are nested more than 1000 levels deep;"
        + " send one JSON object; this call takes ipv4, ipv6, ipv6_link_local",
        api.post("/v1/hsm/network", "[".repeat(5000)).refused(400, BAD).message());
    assertEquals("the body is not valid JSON: there is more text after the first JSON value (line 1, column 25);"
        + " send one JSON object; this call takes ipv4, ipv6, ipv6_link_local",
        api.post("/v1/hsm/network", "{\"ipv4\": \"10.1.0.0/24\"} {}").refused(400, BAD).message());
    String nan = api.post("/v1/vcms/" + UUID.randomUUID() + "/stop", "{\"force\": NaN}").refused(400, BAD).message();
    assertTrue(nan.matches("the body is not valid JSON: NaN is not a JSON number \\(JSON has no NaN or Infinity\\)"
        + " \\(line 1, column \\d+\\); send one JSON object; this call takes force"), nan);
    List<String> bodies = List.of("{\"force\": -Infinity}", "{\"force\": +1}", "{/* c */}",
        "{\"force\": " + "9".repeat(2000) + "}", "{\"force\": true", "{\"force\": tru}", "{'force': 1}");
    for (String body : bodies) {
      assertNoLibraryTalk(api.post("/v1/vcms/" + UUID.randomUUID() + "/stop", body).refused(400, BAD).message());
    }
    // A signed file inside the body is judged the same way.
    String notJson = b64("{\"payload\": NaN}".getBytes(StandardCharsets.UTF_8));
    assertNoLibraryTalk(api.post("/v1/vcms", json("request", notJson)).refused(400, "INVALID_REQUEST").message());
  }

  private static void assertNoLibraryTalk(String message) {
    assertFalse(message.matches("(?s).*(`|Feature|Exception|Constraints|jackson|fasterxml|\\[Source).*"), message);
    assertTrue(message.contains("JSON"), message);
  }

  @Test
  void missingUnknownAndMistypedFieldsAreA400() {
    assertEquals("missing field licence", api.post("/v1/hsm/licence", "{}").refused(400, BAD).message());
    assertEquals("missing field licence", api.post("/v1/hsm/licence", "").refused(400, BAD).message());
    api.post("/v1/hsm/licence", json("licence", null)).refused(400, BAD);
    api.post("/v1/hsm/licence", json("licence", 42)).refused(400, BAD);
    assertTrue(api.post("/v1/hsm/network", json("ipv5", "10.0.0.0/24")).refused(400, BAD).message()
        .startsWith("unknown field 'ipv5'"));
    api.post("/v1/hsm/reset", "{\"now\": true}").refused(400, BAD);
    api.post("/v1/vcms/" + UUID.randomUUID() + "/stop", json("force", "yes")).refused(400, BAD);
    api.post("/v1/vcms/" + UUID.randomUUID() + "/stop", json("force", 1)).refused(400, BAD);
    api.post("/v1/vcms", json("request", "AAAA", "autostart", "True")).refused(400, BAD);
    api.post("/v1/vcms/" + UUID.randomUUID() + "/properties", json("request", "AAAA", "property", "autostart"))
        .refused(400, BAD);
  }

  @Test
  void badBase64AndTruncatedFilesAreA400() {
    assertTrue(api.post("/v1/hsm/licence", json("licence", "abc*")).refused(400, BAD).message()
        .startsWith("licence is not base64"));
    api.post("/v1/hsm/licence", json("licence", "a")).refused(400, BAD);
    byte[] licence = Licence.of(esn, true, SpeedRating.BASE, 2, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(Arrays.copyOf(licence, licence.length / 2))))
        .refused(400, "INVALID_LICENCE");
    byte[] request = new TestTenant().createRequest(Map.of(), Instant.now());
    api.post("/v1/vcms", json("request", b64(Arrays.copyOf(request, request.length - 20)))).refused(400, "INVALID_REQUEST");
    api.post("/v1/vcms", json("request", b64(request).substring(0, 30) + "%")).refused(400, BAD);
    assertEquals(0, api.get("/v1/vcms").ok().json().get("vcms").size());
  }

  @Test
  void badAndUnknownIdentifiers() {
    assertTrue(api.get("/v1/vcms/not-a-uuid").refused(400, BAD).message().startsWith("'not-a-uuid' is not a VCM UUID"));
    api.get("/v1/vcms/1-2-3-4-5").refused(400, BAD);
    api.post("/v1/vcms/zzz/start", "").refused(400, BAD);
    api.get("/v1/vcms/" + UUID.randomUUID()).refused(404, "NOT_FOUND");
    api.get("/v1/vcms/" + UUID.randomUUID() + "/history").refused(404, "NOT_FOUND");
    api.post("/v1/vcms/" + UUID.randomUUID() + "/delete", "").refused(404, "NOT_FOUND");
    api.get("/v1/hsm/info?esn=nope").refused(400, BAD);
    api.get("/v1/hsm/info?esn=AAAA-BBBB-CCCC").refused(404, "NOT_FOUND");
    api.get("/v1/stats?esn=").refused(400, BAD);
  }

  @Test
  void badValuesAreA400() {
    api.post("/v1/hsm/network", json("ipv4", "10.0.0.0/33")).refused(400, BAD);
    api.post("/v1/hsm/network", json("ipv4", "10.0.0.0")).refused(400, BAD);
    api.post("/v1/hsm/network", json("ipv6", "10.0.0.0/24")).refused(400, BAD);
    api.post("/v1/hsm/network", json("ipv4", "10.0.0.0/24", "ipv6", "2001:db8::/64")).refused(400, BAD);
    api.post("/v1/hsm/network", json("ipv6_link_local", false)).refused(400, BAD);
    api.post("/v1/hsm/network", "{}").refused(400, BAD);
    api.post("/v1/hsm/time", json("module_time", "yesterday")).refused(400, BAD);
    assertTrue(api.get("/v1/hsm/info").ok().json().get("pending_network").isNull());
  }

  @Test
  void hugeAndFractionalNumbersAreA400() {
    TestTenant tenant = new TestTenant();
    UUID vcm = UUID.randomUUID();
    for (String bytes : List.of("1e400", "99999999999999999999999", "1.5", "\"10\"", "null", "9".repeat(2000))) {
      api.tenant(tenant, "data-write", vcm, "{\"bytes\": " + bytes + "}").refused(400, BAD);
    }
    api.tenant(tenant, "data-write", vcm, "{}").refused(400, BAD);
    api.tenant(tenant, "enroll", vcm, "{\"bytes\": 1}").refused(400, BAD);
    api.tenant(tenant, "dance", vcm, "{}").refused(404, "NOT_FOUND");
    api.tenant(tenant, "enroll", "nope", "{}").refused(400, BAD);
    api.tenant(tenant, "enroll", vcm, "{}").refused(404, "NOT_FOUND");
  }

  @Test
  void anOversizedBodyIsA413() throws Exception {
    String huge = "{\"licence\": \"" + "A".repeat(300 * 1024) + "\"}";
    assertTrue(api.post("/v1/hsm/licence", huge).refused(413, ApiError.BODY_TOO_LARGE).message().contains("262144"));
    // Without a Content-Length (chunked), the limit holds while the body streams in.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    byte[] body = huge.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/hsm/licence"))
        .header("Authorization", "Bearer " + java.nio.file.Files.readString(daemon.tokenFile()))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, r.statusCode());
    assertEquals(ApiError.BODY_TOO_LARGE, JsonViews.MAPPER.readTree(r.body()).at("/error/code").asText());
    // A tenant call too.
    api.tenant(new TestTenant(), "data-write", UUID.randomUUID(), huge).refused(413, ApiError.BODY_TOO_LARGE);
  }

  @Test
  void unknownPathsAndMethodsAreJson() {
    api.get("/favicon.ico").refused(404, "NOT_FOUND");
    api.get("/v1/nothing").refused(404, "NOT_FOUND");
    api.get("/v1/hsm/info/").refused(404, "NOT_FOUND");
    api.send("GET", "/v2/hsms", null, Map.of()).refused(404, "NOT_FOUND");
    Answer wrong = api.post("/v1/hsm/info", "{}").refused(405, ApiError.METHOD_NOT_ALLOWED);
    assertEquals("GET", wrong.headers().firstValue("Allow").orElseThrow());
    api.get("/v1/hsm/reset").refused(405, ApiError.METHOD_NOT_ALLOWED);
    api.send("DELETE", "/v1/vcms", null, Map.of()).refused(405, ApiError.METHOD_NOT_ALLOWED);
    api.get("/v1/tenant/vcms/" + UUID.randomUUID() + "/enroll").refused(405, ApiError.METHOD_NOT_ALLOWED);
  }

  @Test
  void requestsTooBrokenForTheRoutesAreJsonToo() throws IOException {
    for (String request : List.of("BREW /v1/hsms HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/hsms HTTP/1.1\r\nHost: x\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n",
        "GET /v1/hsms HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n",
        "GET /v1/stats?esn=%zz HTTP/1.1\r\nHost: x\r\n\r\n")) {
      try (Socket socket = new Socket("127.0.0.1", daemon.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        String response = read(socket.getInputStream());
        String[] parts = response.split("\r\n\r\n", 2);
        assertTrue(parts[0].matches("(?s)HTTP/1.1 [45]\\d\\d .*"), response);
        assertTrue(parts[0].contains("Content-Type: application/json"), response);
        JsonNode error = JsonViews.MAPPER.readTree(parts[1]).get("error");
        assertEquals(1, error.get("message").asText().lines().count(), response);
        assertTrue(error.get("code").isTextual(), response);
      }
    }
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }
}
