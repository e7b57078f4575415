package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command lines' plain-socket HTTP client against servers that answer in every way HTTP/1.1
 * allows, and in ways it does not: each answer is read whole, and anything that is not HTTP is
 * said to be so (which the command lines turn into "if it serves TLS, use an https:// URL").
 */
class PlainHttpTest {

  private ServerSocket server;

  @BeforeEach
  void listen() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void close() throws IOException {
    server.close();
  }

  /** Serves one connection: reads the request head (and a body of the given length), then writes the answer. */
  private CompletableFuture<String> serveOnce(byte[] answer, int bodyLength) {
    return CompletableFuture.supplyAsync(() -> {
      try (Socket socket = server.accept()) {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        while (!request.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          request.write(b);
        }
        request.write(in.readNBytes(bodyLength));
        OutputStream out = socket.getOutputStream();
        out.write(answer);
        out.flush();
        return request.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private String base() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sendsOneRequestWithItsHeadersAndBodyAndReadsTheAnswerByItsLength() throws Exception {
    CompletableFuture<String> request = serveOnce(bytes("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        + "Content-Length: 11\r\n\r\n{\"a\": \"b\"}\nextra bytes the length excludes"), 8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer t");
    PlainHttp.Answer answer = PlainHttp.exchange(base() + "/prefix", "POST", "/v1/vcms?esn=X", headers,
        bytes("{\"x\":1}\n"), 5_000, 5_000);

    assertEquals(201, answer.status());
    assertEquals("{\"a\": \"b\"}\n", new String(answer.body(), StandardCharsets.UTF_8));
    String sent = request.get(5, TimeUnit.SECONDS);
    assertTrue(sent.startsWith("POST /prefix/v1/vcms?esn=X HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort()
        + "\r\n"), sent);
    assertTrue(sent.contains("\r\nAuthorization: Bearer t\r\n"), sent);
    assertTrue(sent.contains("\r\nContent-Length: 8\r\n"), sent);
    assertTrue(sent.endsWith("\r\n\r\n{\"x\":1}\n"), sent);
  }

  @Test
  void aUserAndPasswordInTheAddressNeverGoOnTheWire() throws Exception {
    CompletableFuture<String> request = serveOnce(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0);
    PlainHttp.exchange("http://operator:s3cret@127.0.0.1:" + server.getLocalPort(), "GET", "/v1/version", Map.of(),
        null, 5_000, 5_000);
    String sent = request.get(5, TimeUnit.SECONDS);
    assertTrue(sent.startsWith("GET /v1/version HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n"), sent);
    assertFalse(sent.contains("s3cret") || sent.contains("operator"), sent);
  }

  @Test
  void readsChunkedAnswersAndSkipsInterimOnes() throws Exception {
    serveOnce(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "4;name=x\r\n{\"a\"\r\n7\r\n: true}\r\n0\r\nTrailer: y\r\n\r\n"), 0);
    PlainHttp.Answer answer = PlainHttp.exchange(base(), "GET", "/v1/hsm/info", Map.of(), null, 5_000, 5_000);

    assertEquals(200, answer.status());
    assertEquals("{\"a\": true}", new String(answer.body(), StandardCharsets.UTF_8));
  }

  @Test
  void readsToTheCloseWhenNoLengthIsGiven() throws Exception {
    serveOnce(bytes("HTTP/1.0 404 Not Found\r\n\r\nno such path"), 0);
    PlainHttp.Answer answer = PlainHttp.exchange(base(), "GET", "/nowhere", Map.of(), null, 5_000, 5_000);

    assertEquals(404, answer.status());
    assertArrayEquals(bytes("no such path"), answer.body());
  }

  @Test
  void aServerThatClosesOrSpeaksSomethingElseIsNotHttp() {
    serveOnce(new byte[0], 0);
    assertThrows(PlainHttp.NotHttp.class,
        () -> PlainHttp.exchange(base(), "GET", "/v1/vcms", Map.of(), null, 5_000, 5_000));
    // What a TLS server answers to plain text: an alert record.
    serveOnce(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a}, 0);
    assertThrows(PlainHttp.NotHttp.class,
        () -> PlainHttp.exchange(base(), "GET", "/v1/vcms", Map.of(), null, 5_000, 5_000));
  }

  @Test
  void anAnswerCutShortOfItsLengthIsAnError() {
    serveOnce(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cut\":"), 0);
    IOException cut = assertThrows(IOException.class,
        () -> PlainHttp.exchange(base(), "GET", "/v1/vcms", Map.of(), null, 5_000, 5_000));
    assertTrue(cut.getMessage().contains("cut off"), cut.getMessage());
  }
}
