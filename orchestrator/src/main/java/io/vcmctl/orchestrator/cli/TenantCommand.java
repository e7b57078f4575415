package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.TenantConfig;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.cli.Options.TenantDir;
import io.vcmctl.vcm.VcmRules;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestInspector;
import io.vcmctl.vcm.request.RequestKind;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.SignedRequest;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hsmadmin vcm}: the tenant's side. Requests are files signed with the request key, for
 * the provider to use; the in-VCM actions are HTTP calls signed with the sshadmin key.
 */
@Command(name = "vcm", mixinStandardHelpOptions = true,
    description = {"The tenant's commands: signed requests for the provider, and actions on the tenant's own VCM.",
        "Keys live in --tenant-dir (or VCM_TENANT_DIR; default ./tenant): sshadmin.key/.pub and request.key/.pub."},
    subcommands = {TenantCommand.Create.class, TenantCommand.StartRequest.class,
        TenantCommand.PropertiesRequest.class, TenantCommand.InspectRequest.class, TenantCommand.Enroll.class,
        TenantCommand.Unenroll.class, TenantCommand.World.class, TenantCommand.Mode.class, TenantCommand.Audit.class,
        TenantCommand.Data.class, TenantCommand.AcknowledgeRestart.class, TenantCommand.Pkcs11.class,
        RequestKeyCommand.class, CommandLine.HelpCommand.class})
final class TenantCommand {

  static final String DEFAULT_VALIDITY = "24h";

  /** Where a request goes and how long it is valid: the same for every kind of request. */
  static final class RequestFile {
    @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = DEFAULT_VALIDITY,
        converter = Durations.class, description = "How long the request is valid (default: ${DEFAULT-VALUE}).")
    Duration validFor;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the request.")
    Path out;

    @Option(names = "--force", description = "Replace the --out file if it exists.")
    boolean force;

    @Mixin
    Options.Json format;
  }

  /** Signs a request with the request key and writes it; a bad value is the caller's usage error. */
  static ObjectNode writeRequest(CommandSpec spec, RequestFactory factory, KeyPair requestKey,
      RequestFile file) {
    RequestPayload payload;
    try {
      payload = factory.make();
    } catch (RequestException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Inputs.write(file.out, SignedRequest.sign(payload, requestKey).toFileBytes(), file.force);
    ObjectNode written = Json.object();
    written.put("request", file.out.toString());
    written.put("kind", payload.kind().toString());
    written.put("vcm", payload.vcm() == null ? null : payload.vcm().toString());
    ObjectNode properties = written.putObject("properties");
    payload.properties().forEach(properties::put);
    written.put("expires_at", payload.expiresAt().toString());
    return written;
  }

  /** What a request command wrote: the JSON object, or its lines as before. */
  static void printRequest(ObjectNode written, boolean json) {
    if (json) {
      Out.json(written);
      return;
    }
    Out.line("request", written.path("request").asText());
    Out.line("kind", written.path("kind").asText());
    Out.line("vcm", written.path("vcm").isNull() ? "(new VCM)" : written.path("vcm").asText());
    Out.field("properties", written.path("properties"));
    Out.line("expires_at", written.path("expires_at").asText());
    if (written.has("tenant_dir")) {
      Out.line("tenant_dir", written.path("tenant_dir").asText() + (written.path("new_keys").asBoolean() ? " (new keys)"
          : ""));
      Out.line("sshadmin_key", written.path("sshadmin_key").asText());
      Out.line("request_key", written.path("request_key").asText());
    }
  }

  @FunctionalInterface
  interface RequestFactory {
    RequestPayload make() throws RequestException;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Makes a create request for a new VCM, to send to the provider.",
          "Makes the sshadmin and request-signing keys if the tenant directory has none, reuses them otherwise."})
  static final class Create implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TenantDir keys;

    @Option(names = "--autostart", description = "Ask for the VCM to start after each HSM reset.")
    boolean autostart;

    @Option(names = "--restrict-startup", description = "Ask that the VCM start only with a start request of yours.")
    boolean restrictStartup;

    @Option(names = "--serial-cardreader", description = "Ask for the HSM's serial cardreader.")
    boolean serialCardreader;

    @Option(names = "--features", paramLabel = "F", description = "Ask for these features, joined by |.")
    String features;

    @Option(names = "--name", paramLabel = "N", description = "Suggest a display name.")
    String name;

    @Mixin
    RequestFile file;

    @Override
    public Integer call() {
      VcmRules.startupExclusion(autostart, restrictStartup).ifPresent(r1 -> {
        throw new ParameterException(spec.commandLine(), r1.getMessage());
      });
      Map<String, String> properties = new LinkedHashMap<>();
      if (autostart) {
        properties.put("autostart", "true");
      }
      if (restrictStartup) {
        properties.put("restrict_startup", "true");
      }
      if (serialCardreader) {
        properties.put("serial_cardreader", "true");
      }
      if (features != null) {
        properties.put("features", features);
      }
      if (name != null) {
        properties.put("name", name);
      }
      // Refused before any key is made for a request that could not be written.
      Inputs.refuseExisting(file.out, file.force);
      boolean newKeys = keys.lacks(TenantDir.SSHADMIN) && keys.lacks(TenantDir.REQUEST);
      KeyPair sshadmin = keys.readOrCreate(TenantDir.SSHADMIN);
      KeyPair request = keys.readOrCreate(TenantDir.REQUEST);
      ObjectNode written = writeRequest(spec, () -> RequestPayload.create(PublicKeys.encode(sshadmin.getPublic()),
          PublicKeys.encode(request.getPublic()), properties, Instant.now(), file.validFor), request, file);
      written.put("tenant_dir", keys.dir.toString());
      written.put("new_keys", newKeys);
      written.put("sshadmin_key", PublicKeys.fingerprint(sshadmin.getPublic()));
      written.put("request_key", PublicKeys.fingerprint(request.getPublic()));
      printRequest(written, file.format.json);
      return 0;
    }
  }

  @Command(name = "start-request", mixinStandardHelpOptions = true,
      description = "Makes a start request for a VCM with restrict_startup, signed with your request key.")
  static final class StartRequest implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TenantDir keys;

    @Mixin
    RequestFile file;

    @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class)
    UUID vcm;

    @Override
    public Integer call() {
      KeyPair request = keys.existing(TenantDir.REQUEST);
      printRequest(writeRequest(spec, () -> RequestPayload.start(vcm, Instant.now(), file.validFor), request, file),
          file.format.json);
      return 0;
    }
  }

  @Command(name = "properties-request", mixinStandardHelpOptions = true,
      description = {"Makes a request to set properties of a VCM to exactly these values, signed with your request"
          + " key.", "The provider sets them one at a time with vcmadmin properties set."})
  static final class PropertiesRequest implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TenantDir keys;

    @Mixin
    RequestFile file;

    @Parameters(index = "0", paramLabel = "UUID", converter = Converters.Uuid.class)
    UUID vcm;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "PROP=VALUE",
        description = "Such as autostart=true or name=My_new_VCM1.")
    List<String> assignments;

    @Override
    public Integer call() {
      Map<String, String> properties = new LinkedHashMap<>();
      for (String a : assignments) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
          throw new ParameterException(spec.commandLine(), "'" + a + "' is not PROP=VALUE, such as autostart=true");
        }
        properties.put(a.substring(0, eq), a.substring(eq + 1));
      }
      KeyPair request = keys.existing(TenantDir.REQUEST);
      printRequest(writeRequest(spec, () -> RequestPayload.properties(vcm, properties, Instant.now(), file.validFor),
          request, file), file.format.json);
      return 0;
    }
  }

  @Command(name = "inspect-request", mixinStandardHelpOptions = true,
      description = {"Shows what a request file asks for and whether its signature verifies.",
          "A create request is checked against the key it carries; others need the VCM's k_tenant_req:"
              + " --vcm UUID asks the orchestrator (a provider's token) whether that VCM would accept it now."})
  static final class InspectRequest implements Callable<Integer> {
    private static final String HOST_CLOCK = "this host's clock";

    @Spec
    CommandSpec spec;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--vcm", paramLabel = "UUID", converter = Converters.Uuid.class,
        description = {"Ask the orchestrator whether this VCM would accept the start or properties request now:",
            "signed by its current k_tenant_req, valid by its HSM's module time. Changes nothing."})
    UUID vcm;

    @Mixin
    Options.Provider provider;

    @Override
    public Integer call() {
      byte[] bytes = Inputs.signedFile(file, "request file");
      RequestInspector.Inspection inspection;
      try {
        inspection = RequestInspector.inspect(bytes, null, Instant.now(), HOST_CLOCK);
      } catch (RequestException e) {
        throw new CliException(e.getMessage(), e);
      }
      return vcm == null ? local(inspection) : daemon(inspection, bytes);
    }

    private int local(RequestInspector.Inspection inspection) {
      String notChecked = (inspection.signatureChecked() ? "" : "the signature against the VCM's current"
          + " k_tenant_req; ") + "validity by the HSM's module time"
          + (inspection.payload().kind() == RequestKind.CREATE ? "" : " (--vcm UUID asks the orchestrator)");
      if (format.json) {
        ObjectNode o = Inspections.json(inspection);
        o.put("clock", HOST_CLOCK);
        o.put("not_checked", notChecked);
        Out.json(o);
      } else {
        System.out.print(inspection.render());
        Out.line("clock", HOST_CLOCK + ", not the HSM's module time");
        Out.line("not_checked", notChecked);
      }
      if (inspection.problem() != null) {
        throw new CliException(inspection.problem());
      }
      return 0;
    }

    private int daemon(RequestInspector.Inspection inspection, byte[] bytes) {
      RequestPayload payload = inspection.payload();
      if (payload.kind() == RequestKind.CREATE) {
        throw new ParameterException(spec.commandLine(), "a create request is checked against the key it carries,"
            + " not a VCM's; leave out --vcm");
      }
      JsonNode verdict = provider.api().post("/v1/vcms/" + vcm + "/check-request",
          Json.object().put("request", Base64.getEncoder().encodeToString(bytes)));
      if (format.json) {
        Out.json(verdict);
      } else {
        Out.line("kind", payload.kind());
        Out.line("vcm", payload.vcm());
        Out.field("properties", JsonViews.MAPPER.valueToTree(payload.properties()));
        Out.line("expires_at", payload.expiresAt());
        Out.line("signer", inspection.signer());
        Out.line("k_tenant_req", verdict.path("k_tenant_req_fingerprint").asText() + " (VCM " + vcm + ", current)");
        Out.line("clock", verdict.path("clock").asText() + " (" + verdict.path("module_time").asText() + ")");
        Out.line("verdict", verdict.path("accepted").asBoolean() ? "accepted" : "refused");
      }
      if (!verdict.path("accepted").asBoolean()) {
        // The words the command that uses the request would print, code first as the API's errors are.
        JsonNode refusal = verdict.path("refusal");
        throw new CliException(refusal.path("code").asText() + ": " + refusal.path("message").asText());
      }
      return 0;
    }
  }

  @Command(name = "enroll", mixinStandardHelpOptions = true,
      description = "Enrolls with your VCM, using the configuration file the provider sent (checked first).")
  static final class Enroll implements Callable<Integer> {
    @Mixin
    Options.Tenant tenant;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "CONFIG", description = "The tenant configuration file (vcm-UUID.config).")
    Path config;

    @Override
    public Integer call() {
      TenantConfig c;
      try {
        c = TenantConfig.read(Inputs.signedFile(config, "configuration file"));
      } catch (RequestException e) {
        throw new CliException(e.getMessage(), e);
      }
      ObjectNode view = TenantActions.post(tenant, c.vcm(), "enroll", Json.object());
      view.put("ip_address", c.ipAddress());
      view.put("esn", c.esn());
      List<String> shown = new ArrayList<>(TenantActions.FACTS);
      shown.addAll(List.of("ip_address", "esn"));
      Out.object(view, format.json, shown);
      return 0;
    }
  }

  @Command(name = "unenroll", mixinStandardHelpOptions = true,
      description = "Unenrolls from your VCM, so that you can enroll with another VCM of the same HSM.")
  static final class Unenroll implements Callable<Integer> {
    @Mixin
    Options.Tenant tenant;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class)
    UUID vcm;

    @Override
    public Integer call() {
      return TenantActions.act(tenant, vcm, "unenroll", format.json);
    }
  }

  @Command(name = "world", mixinStandardHelpOptions = true, description = "Your VCM's Security World.")
  static final class World {
    @Command(name = "load", mixinStandardHelpOptions = true,
        description = "Loads the Security World into your VCM; it stays loaded across stop and start.")
    int load(@Mixin Options.Tenant tenant, @Mixin Options.Json format,
        @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class) UUID vcm) {
      return TenantActions.act(tenant, vcm, "world-load", format.json);
    }
  }

  @Command(name = "mode", mixinStandardHelpOptions = true,
      description = "Your VCM's mode: put it in maintenance before the provider stops it.")
  static final class Mode {
    @Command(name = "operational", mixinStandardHelpOptions = true, description = "In use (the default).")
    int operational(@Mixin Options.Tenant tenant, @Mixin Options.Json format,
        @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class) UUID vcm) {
      return TenantActions.act(tenant, vcm, "mode-operational", format.json);
    }

    @Command(name = "maintenance", mixinStandardHelpOptions = true,
        description = "Not in use: the provider may stop it without --force.")
    int maintenance(@Mixin Options.Tenant tenant, @Mixin Options.Json format,
        @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class) UUID vcm) {
      return TenantActions.act(tenant, vcm, "mode-maintenance", format.json);
    }
  }

  @Command(name = "audit", mixinStandardHelpOptions = true, description = "Your VCM's audit log.")
  static final class Audit {
    @Command(name = "on", mixinStandardHelpOptions = true, description = "Turns audit logging on.")
    int on(@Mixin Options.Tenant tenant, @Mixin Options.Json format,
        @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class) UUID vcm) {
      return TenantActions.act(tenant, vcm, "audit-on", format.json);
    }

    @Command(name = "finalize", mixinStandardHelpOptions = true,
        description = "Finalizes the audit log, so that the VCM can be deleted without --force.")
    int finalizeLog(@Mixin Options.Tenant tenant, @Mixin Options.Json format,
        @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class) UUID vcm) {
      return TenantActions.act(tenant, vcm, "audit-finalize", format.json);
    }
  }

  @Command(name = "data", mixinStandardHelpOptions = true, description = "Your VCM's persistent data.",
      subcommands = Data.Write.class)
  static final class Data {

    @Command(name = "write", mixinStandardHelpOptions = true,
        description = "Writes N bytes of data into your VCM; it counts against the disk limit.")
    static final class Write implements Callable<Integer> {
      @Spec
      CommandSpec spec;

      @Mixin
      Options.Tenant tenant;

      @Mixin
      Options.Json format;

      @Option(names = "--bytes", paramLabel = "N", required = true, description = "How many bytes to write.")
      long bytes;

      @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class)
      UUID vcm;

      @Override
      public Integer call() {
        if (bytes < 1) {
          throw new ParameterException(spec.commandLine(), "--bytes must be a positive number of bytes, not " + bytes);
        }
        ObjectNode view = TenantActions.post(tenant, vcm, "data-write", Json.object().put("bytes", bytes));
        view.put("written_bytes", bytes);
        List<String> shown = new ArrayList<>(TenantActions.FACTS);
        shown.add("written_bytes");
        Out.object(view, format.json, shown);
        return 0;
      }
    }
  }

  @Command(name = "acknowledge-restart", mixinStandardHelpOptions = true,
      description = "Tells your VCM that you restarted the hardserver after a forced stop.")
  static final class AcknowledgeRestart implements Callable<Integer> {
    @Mixin
    Options.Tenant tenant;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class)
    UUID vcm;

    @Override
    public Integer call() {
      return TenantActions.act(tenant, vcm, "acknowledge-restart", format.json);
    }
  }

  @Command(name = "pkcs11", mixinStandardHelpOptions = true,
      description = {"Shows how you reach your VCM's PKCS#11 module: set P11_KIT_SERVER_ADDRESS to the address and",
          "load the client module in any PKCS#11 application (pkcs11-tool --module MODULE ...)."})
  static final class Pkcs11 implements Callable<Integer> {
    @Mixin
    Options.Tenant tenant;

    @Mixin
    Options.Json json;

    @Parameters(paramLabel = "UUID", converter = Converters.Uuid.class)
    UUID vcm;

    @Override
    public Integer call() {
      JsonNode access = tenant.api().post("/v1/tenant/vcms/" + vcm + "/pkcs11", Json.object());
      if (json.json) {
        Out.json(access);
      } else {
        Out.line("p11_kit_server_address", access.get("p11_kit_server_address").asText());
        Out.line("client_module", access.get("client_module").asText());
      }
      return 0;
    }
  }
}
