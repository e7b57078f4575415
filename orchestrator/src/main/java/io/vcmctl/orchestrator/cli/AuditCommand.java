package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.orchestrator.audit.AuditReplay;
import io.vcmctl.orchestrator.audit.AuditVerifier;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.RequestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code orchestrator audit}: export an HSM's audit trail, and verify or replay an export offline. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Exports an HSM's tamper-evident audit trail; verifies and replays an export offline (docs/audit.md).",
    subcommands = {AuditCommand.Export.class, AuditCommand.Verify.class, AuditCommand.Replay.class})
final class AuditCommand {

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Writes the HSM's audit trail as JSON Lines: the module key, every entry of the HSM and its VCMs,"
          + " and a checkpoint of every chain head signed by the module key now.")
  static final class Export implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The export file to write.")
    Path out;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() {
      Inputs.refuseExisting(out, force);
      JsonNode export = client.api().get(Api.withEsn("/v1/hsm/audit", hsm.esn));
      StringBuilder text = new StringBuilder();
      long entries = 0;
      for (JsonNode record : export.path("records")) {
        text.append(Json.compact(record)).append('\n');
        entries += "entry".equals(record.path("record").asText()) ? 1 : 0;
      }
      Inputs.write(out, text.toString().getBytes(StandardCharsets.UTF_8), force);
      System.out.println("exported: " + entries + " entries to " + out);
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Checks an export offline, without the daemon: every chain complete, in order and matching its"
          + " hashes, and the closing checkpoint signed by the module key.",
          "Exit 0 with 'verified: N entries …'; exit 1 with one ERROR line naming the first bad entry."})
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The export to check.")
    Path file;

    @Option(names = "--module-key", paramLabel = "FILE",
        description = "The module public key the export must be signed with (such as hsm/ESN/module.pub of the"
            + " data directory); without it the key in the export is trusted and its fingerprint printed.")
    Path moduleKey;

    @Override
    public Integer call() {
      PublicKey pinned = moduleKey == null ? null : pinned(moduleKey);
      try (BufferedReader in = open(file)) {
        System.out.println(AuditVerifier.verify(in, pinned, null).summary());
        return 0;
      } catch (AuditVerifier.Failed e) {
        return failed(e);
      } catch (IOException e) {
        throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    private static PublicKey pinned(Path file) {
      try {
        return KeyFiles.readPublic(file);
      } catch (RequestException e) {
        throw new CliException("cannot use " + file + " as the module key: " + e.getMessage(), e);
      }
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Verifies an export, then rebuilds every VCM from it alone with the VCMs' own event handlers and"
          + " prints them as 'vcmadmin show --json' does.")
  static final class Replay implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The export to replay.")
    Path file;

    @Override
    public Integer call() {
      try (BufferedReader in = open(file)) {
        Out.json(Json.parse(AuditReplay.replay(in).toString()));
        return 0;
      } catch (AuditVerifier.Failed e) {
        return failed(e);
      } catch (IOException e) {
        throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
  }

  private static BufferedReader open(Path file) {
    try {
      return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException(file + " does not exist; give the file that orchestrator audit export wrote", e);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static int failed(AuditVerifier.Failed e) {
    PrintWriter err = new PrintWriter(System.err, true);
    err.println("ERROR: " + e.getMessage());
    return Cli.FAILED;
  }
}
