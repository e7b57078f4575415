package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Starting and stopping the daemon: what it writes, where it listens, what it refuses. */
@ExtendWith(LogCapturingExtension.class)
class DaemonTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void startsOnLoopbackWithAnOwnerOnlyTokenAndSaysSo() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("daemon").root();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Daemon daemon = Daemon.start(dir, 0, null, null, null, new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertTrue(daemon.url().matches("http://127\\.0\\.0\\.1:\\d+"), daemon.url());
      assertEquals(daemon.url(), "http://127.0.0.1:" + daemon.port());
      Path keyFile = dir.resolve("demo-vendor").resolve("vendor.key");
      assertEquals(List.of("no --vendor-public-key: trusting the demo vendor key; licences signed with " + keyFile
          + " are accepted (not for production)", "runtime: simulated (VCMs run in process)",
          "listening on " + daemon.url()),
          out.toString(StandardCharsets.UTF_8).lines().toList());

      assertEquals(dir.resolve("admin.token"), daemon.tokenFile());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.tokenFile())));
      assertTrue(Files.readString(daemon.tokenFile()).matches("[0-9a-f]{64}"));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
      assertEquals(PublicKeys.encode(DemoVendor.keyPair().getPublic()),
          PublicKeys.encode(KeyFiles.readPublic(dir.resolve("demo-vendor").resolve("vendor.pub"))));

      new ApiClient(daemon.url(), daemon.tokenFile()).get("/v1/hsms").ok();
      List<InetAddress> elsewhere = nonLoopbackAddresses();
      elsewhere.add(InetAddress.getByName("::1"));
      for (InetAddress address : elsewhere) {
        try (Socket socket = new Socket()) {
          assertThrows(IOException.class, () -> socket.connect(new InetSocketAddress(address, daemon.port()), 2000),
              "reachable on " + address);
        }
      }
    } finally {
      daemon.stop();
    }
  }

  @Test
  void aRestartKeepsTheStateAndTheAdminToken() throws IOException {
    Path dir = TestConfigs.freshDataDirectory("daemon-restart").root();
    Daemon first = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    ApiClient before = new ApiClient(first.url(), first.tokenFile());
    String esn = first.orchestrator().esns().get(0);
    before.post("/v1/hsm/network", json("ipv4", "10.40.0.0/24")).ok();
    String oldToken = Files.readString(first.tokenFile());
    first.stop();

    Daemon second = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    try {
      assertEquals(List.of(esn), second.orchestrator().esns());
      assertEquals(oldToken, Files.readString(second.tokenFile()));
      ApiClient after = new ApiClient(second.url(), oldToken);
      assertEquals("ipv4 10.40.0.0/24", after.get("/v1/hsm/info").ok().json().get("pending_network").asText());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(second.tokenFile())));
    } finally {
      second.stop();
    }
  }

  @Test
  void aDemoLicenceNoLongerCountsOnceARealVendorKeyIsTrusted() throws IOException {
    Path dir = TestConfigs.freshDataDirectory("daemon-demo-licence").root();
    Daemon demo = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    String esn = demo.orchestrator().esns().get(0);
    Licence licence = Licence.of(esn, true, SpeedRating.MID, 3, List.of(), Instant.now());
    new ApiClient(demo.url(), demo.tokenFile()).post("/v1/hsm/licence",
        json("licence", b64(licence.sign(DemoVendor.keyPair())))).ok();
    demo.stop();

    Path pub = dir.resolveSibling(dir.getFileName() + "-vendor.pub");
    KeyFiles.writePublic(pub, PublicKeys.generateEd25519().getPublic());
    Daemon real = Daemon.start(dir, 0, List.of(), null, pub, QUIET);
    try {
      com.fasterxml.jackson.databind.JsonNode info = new ApiClient(real.url(), real.tokenFile())
          .get("/v1/hsm/info").ok().json();
      assertFalse(info.get("multi_tenant").asBoolean(), info.toString());
      assertEquals(1, info.get("max_active_vcms").asInt());
      assertEquals(1, info.get("licences_not_trusted").size(), info.toString());
      assertTrue(info.get("licences_not_trusted").get(0).asText().startsWith("licence " + licence.id() + " "),
          info.toString());
    } finally {
      real.stop();
    }
  }

  @Test
  void aGivenVendorKeyIsTheOnlyOneTrusted() throws IOException {
    Path dir = TestConfigs.freshDataDirectory("daemon-vendor").root();
    KeyPair vendor = PublicKeys.generateEd25519();
    Path pub = dir.resolveSibling(dir.getFileName() + "-vendor.pub");
    KeyFiles.writePublic(pub, vendor.getPublic());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Daemon daemon = Daemon.start(dir, 0, List.of(), null, pub, new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(List.of("runtime: simulated (VCMs run in process)", "listening on " + daemon.url()),
          out.toString(StandardCharsets.UTF_8).lines().toList());
      assertFalse(Files.exists(dir.resolve("demo-vendor")));
      ApiClient api = new ApiClient(daemon.url(), daemon.tokenFile());
      String esn = daemon.orchestrator().esns().get(0);
      Licence licence = Licence.of(esn, true, SpeedRating.BASE, 2, List.of(), Instant.now());
      api.post("/v1/hsm/licence", json("licence", b64(licence.sign(DemoVendor.keyPair())))).refused(400, "INVALID_LICENCE");
      api.post("/v1/hsm/licence", json("licence", b64(licence.sign(vendor)))).ok();
    } finally {
      daemon.stop();
    }
  }

  @Test
  void badStartsFailInOneLineAndLeaveTheDirectoryUsable() throws IOException {
    Path dir = TestConfigs.freshDataDirectory("daemon-bad").root();
    oneLine(assertThrows(IllegalArgumentException.class,
        () -> Daemon.start(dir, 0, List.of(), null, dir.resolve("missing.pub"), QUIET)));
    oneLine(assertThrows(IllegalArgumentException.class, () -> Daemon.start(dir, 70000, List.of(), null, null, QUIET)));
    oneLine(assertThrows(IllegalArgumentException.class,
        () -> Daemon.start(dir, 0, List.of("not-an-esn"), null, null, QUIET)));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String message = oneLine(assertThrows(IllegalStateException.class,
          () -> Daemon.start(dir, taken.getLocalPort(), List.of(), null, null, QUIET)));
      assertTrue(message.contains("already in use"), message);
    }

    Daemon daemon = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    try {
      String message = oneLine(assertThrows(IllegalStateException.class,
          () -> Daemon.start(dir, 0, List.of(), null, null, QUIET)));
      assertTrue(message.startsWith("another orchestrator is running on " + dir), message);
      new ApiClient(daemon.url(), daemon.tokenFile()).get("/v1/hsm/info").ok();
    } finally {
      daemon.stop();
    }
  }

  @Test
  void sigtermStopsItCleanly() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("daemon-sigterm").root();
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), DaemonMain.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("listening on "));
      assertTrue(line != null, "the daemon did not start");
      ApiClient api = new ApiClient(line.substring("listening on ".length()), dir.resolve("admin.token"));
      api.post("/v1/hsm/network", json("ipv4", "10.50.0.0/24")).ok();

      child.destroy();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop on SIGTERM");
      assertEquals(143, child.exitValue());
    } finally {
      child.destroyForcibly();
    }

    Daemon again = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    try {
      assertEquals("ipv4 10.50.0.0/24", new ApiClient(again.url(), again.tokenFile()).get("/v1/hsm/info").ok()
          .json().get("pending_network").asText());
    } finally {
      again.stop();
    }
  }

  private static String oneLine(RuntimeException e) {
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    return e.getMessage();
  }

  private static List<InetAddress> nonLoopbackAddresses() throws IOException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (!a.isLoopbackAddress() && !(a instanceof Inet6Address && a.isLinkLocalAddress())) {
          out.add(a);
        }
      }
    }
    return out;
  }
}
