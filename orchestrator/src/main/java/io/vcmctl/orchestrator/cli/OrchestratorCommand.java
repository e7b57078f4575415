package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.Listener;
import io.vcmctl.vcm.SafeText;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code orchestrator}: the daemon, and the vendor's tools for test and demo licences. */
@Command(name = "orchestrator", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
    scope = ScopeType.INHERIT,
    description = "Runs the VCM orchestrator, issues test and demo licences, and exports and verifies audit trails.",
    subcommands = {OrchestratorCommand.Serve.class, OrchestratorCommand.LicenceCommand.class,
        OrchestratorCommand.VendorKey.class, OperatorCommand.class, TlsCommand.class, AuditCommand.class,
        DbCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class OrchestratorCommand {

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print a stack trace with an error.")
  boolean verbose;

  public static void main(String[] args) {
    Cli.main(new OrchestratorCommand(), args);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Runs the HSM(s) on the embedded LevelDB store under DIR and answers HTTP(S) on ADDRESS:N"
          + " until stopped (SIGTERM or Ctrl-C).",
          "Keeps the bootstrap admin's token in DIR/admin.token (owner-only; made at the first start, the same"
          + " after a restart) and prints 'listening on http://127.0.0.1:N' once it accepts commands."})
  static final class Serve implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:ORCHESTRATOR_DATA_DIR:-./data}",
        description = "Where the journal, snapshots, keys, operators and admin token live"
            + " (env ORCHESTRATOR_DATA_DIR; default: ${DEFAULT-VALUE});"
            + " a new, empty or earlier data directory, never one holding other files.")
    Path dataDir;

    @Option(names = "--port", paramLabel = "N",
        description = "HTTP port; 0 picks a free one (default: vcmctl.orchestrator.http.port, 8750).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS",
        description = "The address to listen on (default: 127.0.0.1); anything but loopback needs TLS"
            + " or --insecure-http.")
    String bind;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve HTTPS with this PEM certificate (chain).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--insecure-http",
        description = "Allow plain HTTP on a non-loopback --bind: tokens then cross the network in clear.")
    boolean insecureHttp;

    @Option(names = "--esn", paramLabel = "ESN", converter = Converters.Esn.class,
        description = "An HSM to run (repeatable); default: those run before in DIR, or one new HSM.")
    List<String> esns = new ArrayList<>();

    @Option(names = "--stats-delay", paramLabel = "DURATION", converter = Durations.class,
        description = "Pause after each complete stats poll, such as 30s (default: 30s).")
    Duration statsDelay;

    @Option(names = "--vendor-public-key", paramLabel = "FILE",
        description = "The vendor key that licences must be signed by; without it a demo vendor key is trusted.")
    Path vendorPublicKey;

    @Option(names = "--runtime", paramLabel = "RUNTIME",
        description = {"Where VCMs run: auto, simulated, softhsm (real PKCS#11 tokens), or a VcmRuntime class name"
            + " (default: vcmctl.runtime, auto: softhsm when installed, else simulated)."})
    String runtime;

    @Option(names = "--log-file", paramLabel = "FILE",
        description = "Append the daemon's log (one line per command, warnings) to FILE instead of stderr.")
    Path logFile;

    @Option(names = "--config", paramLabel = "FILE",
        description = {"HOCON settings over the built-in ones; vcmctl.mode = cluster makes this process a node of"
            + " a cluster on a shared PostgreSQL journal (docs/operations.md)."})
    Path config;

    @Override
    public Integer call() {
      int chosenPort = port != null ? port : config == null ? 8750 : httpPort(config);
      Daemon.portProblem(chosenPort).ifPresent(problem -> {
        throw new ParameterException(spec.commandLine(), "--port: " + problem);
      });
      if (logFile != null) {
        LogFile.use(logFile);
      }
      Daemon daemon;
      try {
        daemon = Daemon.start(dataDir, chosenPort, esns, statsDelay, vendorPublicKey, runtime,
            new Listener(bind, tlsCert, tlsKey, insecureHttp), config, System.out);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new CliException(e.getMessage(), e);
      }
      // SIGTERM and Ctrl-C stop it through Pekko's coordinated shutdown, which the daemon joins.
      daemon.awaitTermination();
      return 0;
    }

    /** The HTTP port the file sets, or the built-in one; a bad file is reported when serve reads it. */
    private static int httpPort(Path file) {
      try {
        return com.typesafe.config.ConfigFactory.parseFile(file.toFile())
            .withFallback(com.typesafe.config.ConfigFactory.defaultReference()).getInt("vcmctl.orchestrator.http.port");
      } catch (com.typesafe.config.ConfigException e) {
        return 8750;
      }
    }
  }

  @Command(name = "licence", mixinStandardHelpOptions = true, description = "Test and demo licences.",
      subcommands = LicenceCommand.Issue.class)
  static final class LicenceCommand {

    @Command(name = "issue", mixinStandardHelpOptions = true,
        description = "Makes a licence file for one HSM, signed by the vendor key; apply it with hsmadmin fet.")
    static final class Issue implements Callable<Integer> {
      private static final Pattern FEATURE_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

      @Spec
      CommandSpec spec;

      @Option(names = "--vendor-key", paramLabel = "FILE", required = true,
          description = "The vendor's private key (vendor.key).")
      Path vendorKey;

      @Option(names = "--esn", paramLabel = "ESN", required = true, converter = Converters.Esn.class,
          description = "The HSM the licence is for (hsmadmin info shows it).")
      String esn;

      @Option(names = "--multi-tenant", description = "Grant multi-tenancy (needs --max-active).")
      boolean multiTenant;

      @Option(names = "--speed", paramLabel = "base|mid|high", converter = Converters.Speed.class,
          description = "Grant this speed rating.")
      SpeedRating speed;

      @Option(names = "--max-active", paramLabel = "N", description = "Licensed number of active VCMs.")
      Integer maxActive;

      @Option(names = "--features", paramLabel = "F1,F2", split = ",",
          description = "Grant these platform features (letters, digits and _), besides the standard ones.")
      List<String> features = List.of();

      @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the licence.")
      Path out;

      @Option(names = "--force", description = "Replace the --out file if it exists.")
      boolean force;

      @Mixin
      Options.Json format;

      @Override
      public Integer call() {
        if (maxActive != null && (maxActive < 1 || maxActive > Licence.MAX_ACTIVE_LIMIT)) {
          throw new ParameterException(spec.commandLine(), "--max-active must be between 1 and "
              + Licence.MAX_ACTIVE_LIMIT + ", not " + maxActive);
        }
        for (String feature : features) {
          if (!FEATURE_NAME.matcher(feature).matches()) {
            throw new ParameterException(spec.commandLine(), "--features: " + SafeText.quote(feature)
                + " is not a feature name; give names of letters, digits and _ (at most 64), joined by commas");
          }
        }
        if (!multiTenant && speed == null && maxActive == null && features.isEmpty()) {
          throw new ParameterException(spec.commandLine(), "the licence would grant nothing; give --multi-tenant"
              + " with --max-active N, --speed, --features, or several of them");
        }
        Licence licence;
        try {
          licence = Licence.of(esn, multiTenant, speed, maxActive == null ? 0 : maxActive, List.copyOf(
              new TreeSet<>(features)), Instant.now());
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.write(out, licence.sign(vendorKeyPair(vendorKey)), force);
        ObjectNode issued = Json.object();
        issued.put("licence", out.toString());
        issued.put("esn", licence.esn());
        issued.put("multi_tenant", licence.multiTenant());
        issued.put("speed_rating", speed == null ? null : speed.label());
        issued.put("max_active_vcms", maxActive);
        issued.put("features", licence.features().isEmpty() ? null : String.join(", ", licence.features()));
        Out.object(issued, format.json);
        return 0;
      }

      private static KeyPair vendorKeyPair(Path file) {
        // Checked here: a missing key is a mistake to report, never a reason to make a new one.
        if (!Files.isRegularFile(file)) {
          throw new CliException(file + ": no such file (make a vendor key with orchestrator vendor-key generate;"
              + " the demo vendor's is DATA/demo-vendor/vendor.key)");
        }
        try {
          PrivateKey key = KeyFiles.readPrivate(file);
          if (!(key instanceof EdDSAPrivateKey)) {
            throw new CliException(file + " is not an Ed25519 key; orchestrator vendor-key generate makes one");
          }
          return new KeyPair(((EdDSAPrivateKey) key).getPublicKey(), key);
        } catch (RequestException e) {
          throw new CliException(e.getMessage(), e);
        }
      }
    }
  }

  @Command(name = "vendor-key", mixinStandardHelpOptions = true, description = "The vendor's licence-signing key.",
      subcommands = VendorKey.Generate.class)
  static final class VendorKey {

    @Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Makes a vendor key pair: DIR/vendor.key (owner-only) and DIR/vendor.pub.")
    static final class Generate implements Callable<Integer> {
      @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory for the key pair.")
      Path dir;

      @Mixin
      Options.Json format;

      @Override
      public Integer call() {
        Path key = dir.resolve("vendor.key");
        Path pub = dir.resolve("vendor.pub");
        if (Files.exists(key) || Files.exists(pub)) {
          throw new CliException(dir + " already holds a vendor key; not replacing it, since licences it signed"
              + " would no longer verify (choose another --out)");
        }
        KeyPair keys = PublicKeys.generateEd25519();
        try {
          KeyFiles.writePrivate(key, keys.getPrivate());
          KeyFiles.writePublic(pub, keys.getPublic());
        } catch (RuntimeException e) {
          throw new CliException("cannot write the vendor key to " + dir + ": " + e.getMessage(), e);
        }
        ObjectNode made = Json.object();
        made.put("vendor_key", key.toString());
        made.put("vendor_public_key", pub.toString());
        made.put("fingerprint", PublicKeys.fingerprint(keys.getPublic()));
        Out.object(made, format.json);
        return 0;
      }
    }
  }
}
