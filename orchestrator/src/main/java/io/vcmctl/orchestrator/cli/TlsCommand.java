package io.vcmctl.orchestrator.cli;

import io.vcmctl.orchestrator.tls.SelfSigned;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code orchestrator tls}: certificates for serving HTTPS. */
@Command(name = "tls", mixinStandardHelpOptions = true, description = "Certificates for serve --tls-cert/--tls-key.",
    subcommands = TlsCommand.SelfSignedPair.class)
final class TlsCommand {

  @Command(name = "self-signed", mixinStandardHelpOptions = true,
      description = {"Makes a self-signed certificate DIR/cert.pem and its key DIR/key.pem (owner-only), for trying"
          + " TLS: serve --tls-cert DIR/cert.pem --tls-key DIR/key.pem; clients --cacert DIR/cert.pem.",
          "It names localhost, 127.0.0.1 and ::1, and every --host."})
  static final class SelfSignedPair implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory for the pair.")
    Path dir;

    @Option(names = "--host", paramLabel = "NAME", description = "Another DNS name or IP address (repeatable).")
    List<String> hosts = new ArrayList<>();

    @Override
    public Integer call() {
      Path cert = dir.resolve(SelfSigned.CERT);
      Path key = dir.resolve(SelfSigned.KEY);
      if (Files.exists(cert) || Files.exists(key)) {
        throw new CliException(dir + " already holds " + (Files.exists(cert) ? cert : key).getFileName()
            + "; not replacing it (choose another --out)");
      }
      SelfSigned.Written written;
      try {
        written = SelfSigned.write(dir, hosts, Instant.now());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      } catch (IOException e) {
        throw new CliException("cannot write the certificate to " + dir + ": " + e.getMessage(), e);
      }
      Out.line("tls_cert", written.cert());
      Out.line("tls_key", written.key());
      Out.line("names", String.join(", ", written.names()));
      return 0;
    }
  }
}
