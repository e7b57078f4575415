package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.persistence.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that open connections and send half a request head, or drip it a byte at a time,
 * do not keep everyone else out: the daemon closes them after its request-head timeout.
 * The daemon runs in a JVM of its own with a small connection limit and a short timeout.
 */
class ConnectionLimitsTest {

  private static final int LIMIT = 100;
  private static final int HALF_HEADS = 300;
  private static final int DRIPPERS = 20;

  @Test
  void halfSentAndDrippedHeadsDoNotStarveOtherClients() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("connections").root();
    Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dpekko.http.server.max-connections=" + LIMIT, "-Dvcmctl.orchestrator.http.request-head-timeout=1s",
        "-cp", System.getProperty("java.class.path"), DaemonMain.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    ExecutorService clients = Executors.newFixedThreadPool(64);
    List<Socket> sockets = new ArrayList<>();
    try {
      URI url = URI.create(listeningUrl(daemon));
      List<CompletableFuture<Socket>> opened = new ArrayList<>();
      for (int i = 0; i < HALF_HEADS; i++) {
        opened.add(CompletableFuture.supplyAsync(() -> halfHead(url), clients));
      }
      List<CompletableFuture<Boolean>> drips = new ArrayList<>();
      for (int i = 0; i < DRIPPERS; i++) {
        drips.add(CompletableFuture.supplyAsync(() -> dripUntilClosed(url), clients));
      }
      opened.forEach(f -> {
        Socket s = f.join();
        if (s != null) {
          sockets.add(s);
        }
      });

      // Everyone else is still served, though the slots were all taken.
      new ApiClient(url.toString(), dir.resolve("admin.token")).get("/v1/hsms").ok();
      for (CompletableFuture<Boolean> drip : drips) {
        assertTrue(drip.join(), "a connection dripping its head was never closed");
      }
      assertTrue(sockets.size() > LIMIT, "only " + sockets.size() + " half-head connections were opened");
      for (Socket s : sockets) {
        s.setSoTimeout(60_000);
        assertEquals(-1, s.getInputStream().read(), "a half-head connection was not closed");
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
      clients.shutdownNow();
      daemon.destroy();
      daemon.waitFor(60, TimeUnit.SECONDS);
      daemon.destroyForcibly();
    }
  }

  private static String listeningUrl(Process daemon) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = lines.readLine();
    } while (line != null && !line.startsWith("listening on "));
    assertNotNull(line, "the daemon did not start");
    return line.substring("listening on ".length());
  }

  /** A connection that sends a request line and one header, and then nothing; null if it could not connect. */
  private static Socket halfHead(URI url) {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
      s.getOutputStream().write("GET /v1/hsms HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return s;
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing to free
      }
      return null;
    }
  }

  /** Sends a head one byte every 100 ms, never finishing it; true once the daemon closes the connection. */
  private static boolean dripUntilClosed(URI url) {
    byte[] head = ("GET /v1/hsms HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(10_000))
        .getBytes(StandardCharsets.ISO_8859_1);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 30_000);
      for (byte b : head) {
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        TimeUnit.MILLISECONDS.sleep(100); // the dripping client's own pace, not a wait for the daemon
      }
      return false;
    } catch (IOException closed) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
