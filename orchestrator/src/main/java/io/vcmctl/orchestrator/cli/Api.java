package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The daemon's HTTP API (docs/api.md) as the command lines use it: provider calls carry the
 * admin token, tenant calls are signed with the sshadmin key. A refusal becomes a
 * {@link CliException} with the daemon's one-line message.
 */
final class Api {

  // Longer than the daemon's own ask timeout (60 s), so its answer, even a refusal, arrives.
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
  private static final int MAX_QUOTED_BODY = 200;

  private final String url;
  private final String token;
  private final KeyPair tenant;
  private final HttpClient http;

  private Api(String url, String token, KeyPair tenant) {
    this.url = url;
    this.token = token;
    this.tenant = tenant;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (url.startsWith("http:")) {
      builder.sslContext(plainHttpOnly());
    }
    this.http = builder.build();
  }

  /**
   * A TLS context that trusts nothing, for a client that never speaks TLS: the default one
   * would load the JDK's CA certificates at every start of every command.
   */
  private static SSLContext plainHttpOnly() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[0], null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS: " + e.getMessage(), e);
    }
  }

  static Api provider(String url, String token) {
    return new Api(url, token, null);
  }

  static Api tenant(String url, KeyPair sshadmin) {
    return new Api(url, null, sshadmin);
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  JsonNode post(String path, JsonNode body) {
    return send("POST", path, body);
  }

  /** {@code path} with {@code ?esn=ESN} when an ESN was named. */
  static String withEsn(String path, String esn) {
    return esn == null ? path : path + "?esn=" + URLEncoder.encode(esn, StandardCharsets.UTF_8);
  }

  private JsonNode send(String method, String path, JsonNode body) {
    byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
        .timeout(CALL_TIMEOUT)
        .header("Accept", "application/json")
        .method(method, bytes.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (tenant != null) {
      // The signature covers the path without the query, as the daemon checks it.
      Map<String, String> headers = TenantCall.sign(tenant, method, rawPath(path), bytes, Instant.now());
      headers.forEach(request::header);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw unreachable(e);
    } catch (HttpTimeoutException e) {
      throw new CliException("the orchestrator at " + url + " did not answer within " + CALL_TIMEOUT.toSeconds()
          + " s; it may be overloaded, try again", e);
    } catch (IOException e) {
      throw e.getCause() instanceof ConnectException ? unreachable(e)
          : new CliException("cannot talk to the orchestrator at " + url + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for the orchestrator", e);
    }
    JsonNode answer = parse(response.body());
    if (response.statusCode() / 100 == 2 && answer instanceof ObjectNode) {
      return answer;
    }
    JsonNode message = answer == null ? null : answer.path("error").path("message");
    if (message != null && message.isTextual()) {
      throw new CliException(message.textValue());
    }
    String text = response.body().strip();
    throw new CliException("the orchestrator at " + url + " answered HTTP " + response.statusCode()
        + (text.isEmpty() ? "" : ": " + (text.length() > MAX_QUOTED_BODY ? text.substring(0, MAX_QUOTED_BODY) + "..."
        : text)));
  }

  private CliException unreachable(Exception e) {
    return new CliException("cannot reach the orchestrator at " + url
        + " (is it running? start it with bin/orchestrator serve)", e);
  }

  private static String rawPath(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static JsonNode parse(String body) {
    try {
      return body.isBlank() ? null : JsonViews.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }
}
