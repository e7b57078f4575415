package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.Listener;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code serve} over TLS, and the command lines reaching it with {@code --cacert}, as a user runs them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private Path work;

  private Daemon daemon;
  private Path dataDir;

  @BeforeAll
  void startOverTls() throws IOException {
    work = Files.createTempDirectory(Path.of("target"), "tls-work").toAbsolutePath();
    Result made = BinCommand.run(work, Map.of(), "orchestrator", "tls", "self-signed", "--out", "tls").ok();
    assertEquals("tls_cert: tls/cert.pem\ntls_key: tls/key.pem\nnames: localhost, 127.0.0.1, ::1\n", made.out());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("tls/key.pem"))));
    BinCommand.run(work, Map.of(), "orchestrator", "tls", "self-signed", "--out", "other").ok();
    dataDir = TestConfigs.freshDataDirectory("tls").root().toAbsolutePath();
    daemon = Daemon.start(dataDir, 0, List.of(), null, null, null,
        new Listener(null, work.resolve("tls/cert.pem"), work.resolve("tls/key.pem"), false), QUIET);
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  private Map<String, String> env(String cacert) {
    Map<String, String> env = new HashMap<>(Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_DATA_DIR",
        dataDir.toString()));
    if (cacert != null) {
      env.put("ORCHESTRATOR_CACERT", cacert);
    }
    return env;
  }

  @Test
  void providerAndTenantCallsWorkOverHttpsWithTheCa() {
    assertTrue(daemon.url().matches("https://127\\.0\\.0\\.1:\\d+"), daemon.url());
    String esn = daemon.orchestrator().esns().get(0);
    Principal admin = Principal.provider("admin");
    daemon.orchestrator().applyLicence(esn, Licence.of(esn, true, SpeedRating.MID, 5, List.of(), Instant.now())
        .sign(DemoVendor.keyPair()), admin).toCompletableFuture().join();
    daemon.orchestrator().setNetwork(esn, Network.ipv4("10.60.0.0/24"), admin).toCompletableFuture().join();
    daemon.orchestrator().reset(esn, admin).toCompletableFuture().join();

    BinCommand.run(work, Map.of(), "hsmadmin", "vcm", "create", "--name", "tls", "--out", "req.json").ok();
    Result created = BinCommand.run(work, env(null), "vcmadmin", "create", "--cacert", "tls/cert.pem", "--request",
        "req.json", "tls").ok();
    String uuid = created.out().lines().filter(l -> l.startsWith("uuid: ")).findFirst().orElseThrow().substring(6);
    BinCommand.run(work, env("tls/cert.pem"), "vcmadmin", "start", uuid).ok();
    Result enrolled = BinCommand.run(work, env("tls/cert.pem"), "hsmadmin", "vcm", "enroll", "vcm-" + uuid + ".config");
    assertEquals(0, enrolled.exit(), enrolled::toString);
    assertTrue(BinCommand.run(work, env("tls/cert.pem"), "vcmadmin", "show", uuid).ok().out().contains("enrolled: true"));
  }

  @Test
  void aWrongCaOrPlainHttpIsRefusedWithOneClearLine() throws IOException {
    Result wrongCa = BinCommand.run(work, env(null), "hsmadmin", "info", "--cacert", "other/cert.pem");
    assertEquals(1, wrongCa.exit(), wrongCa::toString);
    assertEquals("ERROR: the orchestrator at " + daemon.url() + " presented a certificate not signed by a CA trusted"
        + " here (--cacert other/cert.pem); give its CA with --cacert FILE or ORCHESTRATOR_CACERT\n", wrongCa.err());

    String plain = daemon.url().replace("https://", "http://");
    Map<String, String> plainEnv = env(null);
    plainEnv.put("ORCHESTRATOR_URL", plain);
    Result refused = BinCommand.run(work, plainEnv, "hsmadmin", "info");
    assertEquals(1, refused.exit(), refused::toString);
    assertEquals(1, refused.err().lines().count(), refused::toString);
    assertTrue(refused.err().startsWith("ERROR: the orchestrator at " + plain + " closed the connection without"
        + " answering; if it serves TLS, use an https:// URL"), refused::toString);

    // Nothing is ever answered in clear on the TLS port, whatever is sent.
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), daemon.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /v1/hsms HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] answer;
      try {
        answer = in.readNBytes(5);
      } catch (IOException reset) {
        answer = new byte[0];
      }
      assertTrue(!new String(answer, StandardCharsets.US_ASCII).startsWith("HTTP/"), "answered in clear");
    }
  }

  @Test
  void listeningBeyondLoopbackWithoutTlsIsRefusedBeforeAnythingStarts() throws IOException {
    Path dir = TestConfigs.freshDataDirectory("tls-refused").root();
    IllegalArgumentException clear = assertThrows(IllegalArgumentException.class, () -> Daemon.start(dir, 0, List.of(),
        null, null, null, new Listener("0.0.0.0", null, null, false), QUIET));
    assertEquals("--bind 0.0.0.0 without TLS would send operators' tokens in clear over the network; give --tls-cert"
        + " and --tls-key, or --insecure-http to accept that", clear.getMessage());
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "the data directory was touched");
    }
    IllegalArgumentException half = assertThrows(IllegalArgumentException.class, () -> Daemon.start(dir, 0, List.of(),
        null, null, null, new Listener(null, work.resolve("tls/cert.pem"), null, false), QUIET));
    assertTrue(half.getMessage().startsWith("TLS needs both --tls-cert and --tls-key"), half.getMessage());
    IllegalArgumentException mismatched = assertThrows(IllegalArgumentException.class, () -> Daemon.start(dir, 0,
        List.of(), null, null, null, new Listener(null, work.resolve("tls/cert.pem"), work.resolve("other/key.pem"),
            false), QUIET));
    assertTrue(mismatched.getMessage().contains("is not the key of the certificate"), mismatched.getMessage());

    IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> Daemon.start(dir, 0,
        List.of(), null, null, null, new Listener("vcm.example.invalid", null, null, false), QUIET));
    assertEquals("--bind 'vcm.example.invalid' is not an IP address; give one of this host's, such as 127.0.0.1, ::1"
        + " or 0.0.0.0 (all)", name.getMessage());

    Result cli = BinCommand.run(work, Map.of(), "orchestrator", "serve", "--data-dir", "refused", "--port", "0",
        "--bind", "0.0.0.0");
    assertEquals(1, cli.exit(), cli::toString);
    assertEquals("ERROR: " + clear.getMessage() + "\n", cli.err());
  }

  @Test
  void insecureHttpIsTheOperatorsExplicitChoice() {
    Daemon open = Daemon.start(TestConfigs.freshDataDirectory("tls-insecure").root(), 0, List.of(), null, null, null,
        new Listener("0.0.0.0", null, null, true), QUIET);
    try {
      assertTrue(open.url().startsWith("http://127.0.0.1:"), open.url());
      BinCommand.run(work, Map.of("ORCHESTRATOR_URL", open.url(), "ORCHESTRATOR_TOKEN_FILE",
          open.tokenFile().toAbsolutePath().toString()), "hsmadmin", "info").ok();
    } finally {
      open.stop();
    }
  }
}
