package io.vcmctl.orchestrator.cli;

import com.sun.net.httpserver.HttpServer;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.RequestException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What bin/lib/launch.sh runs once per build, under {@code -XX:ArchiveClassesAtExit}, to make
 * the class data sharing archive that the command lines then start from: the everyday commands
 * of both programs (provider reads, a tenant's signed call, help, a usage error), against a
 * stand-in daemon inside this JVM that answers every call with the same JSON object. The
 * classes they load are the ones archived, already parsed and verified. It prints nothing and
 * leaves nothing behind; it fails if a command does not end as it should, so that the launcher
 * makes no archive that lacks that command's classes.
 */
public final class ArchiveTraining {

  private static final String VCM = "00000000-0000-4000-8000-000000000000";
  // Numbers too, as the daemon's answers carry them: reading and printing them loads classes of their own.
  private static final byte[] ANSWER = ("{\"vcms\": [], \"uuid\": \"" + VCM
      + "\", \"state\": \"active\", \"version\": \"training\", \"max_active_vcms\": 10,"
      + " \"disk_used_fraction\": 0.25}").getBytes(StandardCharsets.UTF_8);

  private ArchiveTraining() {}

  public static void main(String[] args) throws IOException, RequestException {
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    System.setOut(none);
    System.setErr(none);
    HttpServer daemon = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    daemon.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, ANSWER.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(ANSWER);
      }
    });
    daemon.start();
    Path dir = Files.createTempDirectory("vcmctl-training");
    try {
      String url = "http://127.0.0.1:" + daemon.getAddress().getPort();
      Path token = Files.writeString(dir.resolve("admin.token"), "training");
      String[] provider = {"--url", url, "--token-file", token.toString()};
      String[] tenant = {"--url", url, "--tenant-dir", dir.resolve("tenant").toString()};
      expect(0, new VcmAdminCommand(), join(provider, "show", "--json"));
      expect(0, new VcmAdminCommand(), join(provider, "show"));
      expect(0, new HsmAdminCommand(), join(provider, "info", "--json"));
      // The tenant's key as hsmadmin vcm create makes it; the create itself stays out of the archive, as
      // its JSON binding (some 400 classes) would weigh on every command's start.
      Path tenantDir = Files.createDirectories(dir.resolve("tenant"));
      KeyFiles.readOrCreateKeyPair(tenantDir.resolve(Options.TenantDir.SSHADMIN + ".key"),
          tenantDir.resolve(Options.TenantDir.SSHADMIN + ".pub"));
      expect(0, new HsmAdminCommand(), join(tenant, "vcm", "mode", "operational", VCM));
      expect(0, new VcmAdminCommand(), "--help");
      expect(Cli.USAGE, new HsmAdminCommand(), "info", "--no-such-option");
    } finally {
      daemon.stop(0);
      delete(dir);
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

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> {
        try {
          Files.delete(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
