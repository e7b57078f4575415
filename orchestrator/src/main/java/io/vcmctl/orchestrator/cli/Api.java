package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.api.TenantCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The daemon's HTTP API (docs/api.md) as the command lines use it: provider calls carry the
 * admin token, tenant calls are signed with the sshadmin key. A refusal becomes a
 * {@link CliException} with the daemon's one-line message.
 *
 * <p>{@code http://} goes over a plain socket ({@link PlainHttp}); {@code https://} through
 * {@link HttpsURLConnection} rather than {@code java.net.http.HttpClient}: a command makes one
 * or two calls, and the newer client's start-up (its executor, selector thread and TLS set-up,
 * about 470 classes) cost more than the call itself.
 */
final class Api {

  private static final int CONNECT_TIMEOUT_MS = 5_000;
  // Longer than the daemon's own ask timeout (60 s), so its answer, even a refusal, arrives.
  private static final int CALL_TIMEOUT_MS = 90_000;
  private static final int MAX_QUOTED_BODY = 200;

  private final String url;
  private final Options.Url where;
  private final String token;
  private final CallKey tenant;

  private Api(Options.Url where, String token, CallKey tenant) {
    this.url = where.url;
    this.where = where;
    this.token = token;
    this.tenant = tenant;
  }

  static Api provider(Options.Url where, String token) {
    return new Api(where, token, null);
  }

  static Api tenant(Options.Url where, CallKey sshadmin) {
    return new Api(where, null, sshadmin);
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
    byte[] bytes = body == null ? null : Json.compact(body).getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    if (tenant != null) {
      // The signature covers the path without the query, as the daemon checks it.
      headers.putAll(TenantCall.sign(tenant.publicKey(), tenant, method, rawPath(path),
          bytes == null ? new byte[0] : bytes, Instant.now()));
    }
    if (bytes != null) {
      headers.put("Content-Type", "application/json");
    }
    try {
      if (url.startsWith("http://")) {
        PlainHttp.Answer answer = PlainHttp.exchange(url, method, path, headers, bytes, CONNECT_TIMEOUT_MS,
            CALL_TIMEOUT_MS);
        return answer(answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
      }
      return https(method, path, headers, bytes);
    } catch (SocketTimeoutException e) {
      throw new CliException("the orchestrator at " + url + " did not answer within " + CALL_TIMEOUT_MS / 1000
          + " s; it may be overloaded, try again", e);
    } catch (ConnectException | UnknownHostException e) {
      throw unreachable(e);
    } catch (SSLException e) {
      throw tlsFailed(e);
    } catch (PlainHttp.NotHttp e) {
      throw new CliException("the orchestrator at " + url + " closed the connection without answering;"
          + " if it serves TLS, use an https:// URL", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException("cannot talk to the orchestrator at " + url + ": " + message(e), e);
    }
  }

  /** The JDK's client, for its certificate and host name checks. */
  private JsonNode https(String method, String path, Map<String, String> headers, byte[] bytes) throws IOException {
    HttpsURLConnection http = (HttpsURLConnection) new URL(url + path).openConnection();
    SSLContext tls = where.tls();
    if (tls != null) {
      http.setSSLSocketFactory(tls.getSocketFactory());
    }
    http.setConnectTimeout(CONNECT_TIMEOUT_MS);
    http.setReadTimeout(CALL_TIMEOUT_MS);
    http.setUseCaches(false);
    // A redirect is an answer, never followed with the token.
    http.setInstanceFollowRedirects(false);
    for (Map.Entry<String, String> header : headers.entrySet()) {
      http.setRequestProperty(header.getKey(), header.getValue());
    }
    http.setRequestMethod(method);
    if (bytes != null) {
      http.setDoOutput(true);
      // Streaming with a known length also keeps the JDK from silently resending a POST.
      http.setFixedLengthStreamingMode(bytes.length);
    }
    try {
      http.connect();
    } catch (SocketTimeoutException e) {
      throw unreachable(e);
    }
    if (bytes != null) {
      try (OutputStream out = http.getOutputStream()) {
        out.write(bytes);
      }
    }
    int status = http.getResponseCode();
    return answer(status, read(status / 100 == 2 ? http.getInputStream() : http.getErrorStream()));
  }

  private JsonNode answer(int status, String body) {
    JsonNode answer = parse(body);
    if (status / 100 == 2 && answer instanceof ObjectNode) {
      return answer;
    }
    JsonNode message = answer == null ? null : answer.path("error").path("message");
    if (message != null && message.isTextual()) {
      throw CliException.refused(answer.path("error").path("code").asText(null), message.textValue());
    }
    String text = body.strip();
    throw new CliException("the orchestrator at " + url + " answered HTTP " + status
        + (text.isEmpty() ? "" : ": " + (text.length() > MAX_QUOTED_BODY ? text.substring(0, MAX_QUOTED_BODY) + "..."
        : text)));
  }

  /** The whole body; none at all (an error without one) is empty. */
  private static String read(InputStream in) throws IOException {
    if (in == null) {
      return "";
    }
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private CliException tlsFailed(SSLException e) {
    String detail = String.valueOf(e.getMessage());
    if (e instanceof SSLHandshakeException && (detail.contains("PKIX") || detail.contains("certification path"))) {
      return new CliException("the orchestrator at " + url + " presented a certificate not signed by a CA trusted here ("
          + where.trusted() + "); give its CA with --cacert FILE or ORCHESTRATOR_CACERT", e);
    }
    if (detail.contains("subject alternative") || detail.contains("No name matching")) {
      return new CliException("the orchestrator's certificate does not name the host of " + url
          + "; use a name it was made for, or make one that names it (orchestrator tls self-signed --host)", e);
    }
    if (detail.contains("plaintext") || detail.contains("Unsupported or unrecognized SSL message")) {
      return new CliException("the orchestrator at " + url + " does not serve TLS; use an http:// URL", e);
    }
    return new CliException("TLS with the orchestrator at " + url + " failed: " + detail, e);
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
      return body.isBlank() ? null : Json.parse(body);
    } catch (IOException e) {
      return null;
    }
  }
}
