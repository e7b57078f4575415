package io.vcmctl.orchestrator.cli;

import io.vcmctl.vcm.request.KeyFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Locale;

/**
 * What bin/lib/launch.sh runs once per build to list the classes that the command lines' class
 * data sharing archive holds: the everyday commands of both programs (provider reads, a
 * tenant's signed call, help, a usage error) against a stand-in daemon inside this JVM that
 * answers every call with the same JSON object. Every class loaded here is archived and mapped
 * at every command's start, so the stand-in is a bare socket and the tenant's key is made with
 * the JDK: an HTTP server, its logging, or BouncyCastle's jar verification would each add
 * classes no command loads. It prints nothing and leaves nothing behind; it fails if a command
 * does not end as it should, so that the launcher makes no archive that lacks that command's
 * classes.
 */
public final class ArchiveTraining {

  private static final String VCM = "00000000-0000-4000-8000-000000000000";
  // Numbers too, as the daemon's answers carry them: reading and printing them loads classes of their own.
  private static final byte[] ANSWER = ("{\"vcms\": [], \"uuid\": \"" + VCM
      + "\", \"state\": \"active\", \"version\": \"training\", \"max_active_vcms\": 10,"
      + " \"disk_used_fraction\": 0.25}").getBytes(StandardCharsets.UTF_8);
  private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
      + ANSWER.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  // PKCS#8 v2 of an Ed25519 key, as hsmadmin vcm create writes it: the private key, then its public key.
  private static final byte[] V2_PREFIX = {0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70,
      0x04, 0x22, 0x04, 0x20};
  private static final byte[] V2_PUBLIC = {(byte) 0x81, 0x21, 0x00};
  private static final int KEY_BYTES = 32;

  private ArchiveTraining() {}

  public static void main(String[] args) throws IOException, GeneralSecurityException {
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    System.setOut(none);
    System.setErr(none);
    Path dir = Files.createTempDirectory("vcmctl-training");
    try (ServerSocket daemon = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(new StandIn(daemon), "training-daemon");
      answering.setDaemon(true);
      answering.start();
      String url = "http://127.0.0.1:" + daemon.getLocalPort();
      Path token = Files.writeString(dir.resolve("admin.token"), "training");
      String[] provider = {"--url", url, "--token-file", token.toString()};
      String[] tenant = {"--url", url, "--tenant-dir", dir.resolve("tenant").toString()};
      expect(0, new VcmAdminCommand(), join(provider, "show", "--json"));
      expect(0, new VcmAdminCommand(), join(provider, "show"));
      expect(0, new HsmAdminCommand(), join(provider, "info", "--json"));
      Path tenantDir = Files.createDirectories(dir.resolve("tenant"));
      writeTenantKey(tenantDir.resolve(Options.TenantDir.SSHADMIN + ".key"),
          tenantDir.resolve(Options.TenantDir.SSHADMIN + ".pub"));
      expect(0, new HsmAdminCommand(), join(tenant, "vcm", "mode", "operational", VCM));
      expect(0, new VcmAdminCommand(), "--help");
      expect(Cli.USAGE, new HsmAdminCommand(), "info", "--no-such-option");
    } finally {
      delete(dir.toFile());
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** A command that ends otherwise would leave its classes out of the archive: no archive then. */
  private static void expect(int status, Object command, String... args) {
    int actual = Cli.execute(command, args);
    if (actual != status) {
      throw new IllegalStateException("training: '" + String.join(" ", args) + "' exited " + actual);
    }
  }

  /** The command words first, then the connection options. */
  private static String[] join(String[] options, String... words) {
    String[] all = new String[words.length + options.length];
    System.arraycopy(words, 0, all, 0, words.length);
    System.arraycopy(options, 0, all, words.length, options.length);
    return all;
  }

  /** An Ed25519 pair in the files and the form hsmadmin vcm create writes, made by the JDK. */
  static void writeTenantKey(Path privateFile, Path publicFile) throws GeneralSecurityException {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] spki = pair.getPublic().getEncoded();
    byte[] der = new byte[V2_PREFIX.length + KEY_BYTES + V2_PUBLIC.length + KEY_BYTES];
    System.arraycopy(V2_PREFIX, 0, der, 0, V2_PREFIX.length);
    // The JDK gives the private key's bytes in the order RFC 8410 stores them.
    byte[] secret = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
    System.arraycopy(secret, 0, der, V2_PREFIX.length, KEY_BYTES);
    System.arraycopy(V2_PUBLIC, 0, der, V2_PREFIX.length + KEY_BYTES, V2_PUBLIC.length);
    System.arraycopy(spki, spki.length - KEY_BYTES, der, der.length - KEY_BYTES, KEY_BYTES);
    KeyFiles.writePrivate(privateFile, new Encoded(der));
    KeyFiles.writePublic(publicFile, pair.getPublic());
  }

  /** A private key that is only its PKCS#8 encoding, for {@link KeyFiles#writePrivate}. */
  private record Encoded(byte[] der) implements PrivateKey {
    @Override
    public String getAlgorithm() {
      return "Ed25519";
    }

    @Override
    public String getFormat() {
      return "PKCS#8";
    }

    @Override
    public byte[] getEncoded() {
      return der.clone();
    }
  }

  /** Answers every connection with {@link #ANSWER} once the request is read, until the socket closes. */
  private record StandIn(ServerSocket daemon) implements Runnable {
    @Override
    public void run() {
      while (!daemon.isClosed()) {
        try (Socket call = daemon.accept()) {
          InputStream in = call.getInputStream();
          readRequest(in);
          OutputStream answer = call.getOutputStream();
          answer.write(HEAD);
          answer.write(ANSWER);
          answer.flush();
        } catch (IOException e) {
          // The socket closed at the end of training, or a call went wrong: the command then fails the training.
        }
      }
    }

    /** The request line, the headers and a body of their Content-Length. */
    private static void readRequest(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      int c;
      while (head.indexOf("\r\n\r\n") < 0 && (c = in.read()) >= 0) {
        head.append((char) c);
      }
      String headers = head.toString().toLowerCase(Locale.ROOT);
      int at = headers.indexOf("\r\ncontent-length:");
      if (at >= 0) {
        int end = headers.indexOf("\r\n", at + 2);
        in.readNBytes(Integer.parseInt(headers.substring(at + "\r\ncontent-length:".length(), end).strip()));
      }
    }
  }

  private static void delete(File file) {
    File[] inside = file.listFiles();
    if (inside != null) {
      for (File each : inside) {
        delete(each);
      }
    }
    file.delete();
  }
}
