package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/** A test client of the HTTP API over loopback, as the command lines use it. */
final class ApiClient {

  /** One answer: its status, its JSON body and its headers. */
  record Answer(int status, JsonNode json, HttpHeaders headers, String raw) {
    String code() {
      return json.path("error").path("code").asText(null);
    }

    String message() {
      return json.path("error").path("message").asText(null);
    }

    /** Asserts an error answer of this status and code with a one-line message. */
    Answer refused(int expectedStatus, String expectedCode) {
      assertEquals(expectedStatus, status, raw);
      assertEquals(expectedCode, code(), raw);
      assertEquals(1, message().lines().count(), raw);
      return this;
    }

    Answer ok() {
      assertEquals(200, status, raw);
      return this;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String token;

  ApiClient(String base, Path tokenFile) {
    this(base, read(tokenFile));
  }

  /** A client calling with this bearer token, such as an operator's. */
  ApiClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  String token() {
    return token;
  }

  private static String read(Path tokenFile) {
    try {
      return Files.readString(tokenFile, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static ObjectNode json(Object... fieldsAndValues) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      o.set((String) fieldsAndValues[i], JsonViews.MAPPER.valueToTree(fieldsAndValues[i + 1]));
    }
    return o;
  }

  Answer get(String path) {
    return send(request(path).GET());
  }

  Answer post(String path, JsonNode body) {
    return post(path, body.toString());
  }

  Answer post(String path, String body) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** A call with these headers only: no admin token unless given. */
  Answer send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return send(b);
  }

  /** A tenant call signed now with the tenant's sshadmin key. */
  Answer tenant(TestTenant tenant, String action, Object vcm, String body) {
    return tenant(tenant, action, vcm, body, Instant.now());
  }

  Answer tenant(TestTenant tenant, String action, Object vcm, String body, Instant signedAt) {
    String path = "/v1/tenant/vcms/" + vcm + "/" + action;
    return send("POST", path, body,
        TenantCall.sign(tenant.sshadmin, "POST", path, body.getBytes(StandardCharsets.UTF_8), signedAt));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      // Only the metrics answer in another format; their JSON is then missing, their text in raw.
      JsonNode json = r.headers().firstValue("Content-Type").orElse("").startsWith("text/")
          ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : JsonViews.MAPPER.readTree(r.body());
      return new Answer(r.statusCode(), json, r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
