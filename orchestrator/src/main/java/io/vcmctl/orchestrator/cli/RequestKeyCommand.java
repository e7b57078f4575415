package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.cli.Options.TenantDir;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestKeyRotation;
import io.vcmctl.vcm.request.RequestPayload;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hsmadmin vcm rotate-request-key}: the tenant's request-signing key replaced in two steps. */
@Command(name = "rotate-request-key", mixinStandardHelpOptions = true,
    description = {"Replaces your request-signing key, in two steps. First (--out) makes a new key beside the"
        + " current one and a properties request, signed by the current key, asking the provider to make the new"
        + " key the VCM's k_tenant_req.",
        "Once the provider has set it (vcmadmin properties set), --commit makes the new key the one that signs;"
            + " until then the current key goes on signing, and the replaced one is kept as request.previous.key."})
final class RequestKeyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  TenantDir keys;

  @Mixin
  Options.Json format;

  @Option(names = "--commit", description = "Make the new key current: after the provider has applied the request.")
  boolean commit;

  @Option(names = "--out", paramLabel = "FILE", description = "Where to write the properties request.")
  Path out;

  @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = TenantCommand.DEFAULT_VALIDITY,
      converter = Durations.class, description = "How long the request is valid (default: ${DEFAULT-VALUE}).")
  Duration validFor;

  @Option(names = "--force", description = "Replace the --out file if it exists.")
  boolean force;

  @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class)
  UUID vcm;

  @Override
  public Integer call() {
    if (commit == (out != null)) {
      throw new ParameterException(spec.commandLine(), commit
          ? "--commit makes the new key current and writes no request; leave out --out"
          : "give --out FILE to make the request for a new key, or --commit once the provider has applied it");
    }
    RequestKeyRotation rotation = new RequestKeyRotation(keys.dir, TenantDir.REQUEST);
    try {
      return commit ? commit(rotation) : request(rotation);
    } catch (RequestException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  private int request(RequestKeyRotation rotation) throws RequestException {
    Inputs.refuseExisting(out, force);
    RequestKeyRotation.Pending pending = rotation.prepare();
    TenantCommand.RequestFile file = new TenantCommand.RequestFile();
    file.out = out;
    file.validFor = validFor;
    file.force = force;
    String next = PublicKeys.encode(pending.next().getPublic());
    ObjectNode written = TenantCommand.writeRequest(spec, () -> RequestPayload.properties(vcm,
        Map.of(VcmProperty.K_TENANT_REQ.key(), next), Instant.now(), validFor), pending.current(), file);
    written.put("current_request_key", PublicKeys.fingerprint(pending.current().getPublic()));
    written.put("new_request_key", PublicKeys.fingerprint(next));
    written.put("new_request_key_file", keys.dir.resolve(TenantDir.REQUEST + ".next.key").toString());
    written.put("new_request_key_made_now", pending.made());
    written.put("next_step", "once the provider has set k_tenant_req, run hsmadmin vcm rotate-request-key --commit "
        + vcm);
    if (format.json) {
      Out.json(written);
      return 0;
    }
    TenantCommand.printRequest(written, false);
    Out.line("current_request_key", written.path("current_request_key").asText()
        + " (signs your requests until --commit)");
    Out.line("new_request_key", written.path("new_request_key").asText() + " ("
        + written.path("new_request_key_file").asText() + (pending.made() ? ", new" : ", made earlier and not yet"
        + " committed") + ")");
    Out.line("next_step", written.path("next_step").asText());
    return 0;
  }

  private int commit(RequestKeyRotation rotation) throws RequestException {
    RequestKeyRotation.Pending done = rotation.commit();
    ObjectNode o = Json.object();
    o.put("vcm", vcm.toString());
    o.put("request_key", PublicKeys.fingerprint(done.next().getPublic()));
    o.put("previous_request_key", PublicKeys.fingerprint(done.current().getPublic()));
    o.put("previous_request_key_file", keys.dir.resolve(TenantDir.REQUEST + ".previous.key").toString());
    Out.object(o, format.json);
    return 0;
  }
}
