package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.SafeText;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code hsmadmin}: the provider's HSM commands, and under {@code hsmadmin vcm} the tenant's. */
@Command(name = "hsmadmin", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
    scope = ScopeType.INHERIT,
    description = "Manages an HSM of the VCM orchestrator; 'hsmadmin vcm' holds the tenant's commands.",
    subcommands = {HsmAdminCommand.SetNetwork.class, HsmAdminCommand.Reset.class, HsmAdminCommand.Info.class,
        HsmAdminCommand.GetEnvStats.class, HsmAdminCommand.Fet.class, HsmAdminCommand.SetTime.class,
        HsmHistoryCommand.class, TenantCommand.class, CommandLine.HelpCommand.class})
public final class HsmAdminCommand {

  private static final List<String> LICENSING = List.of("esn", "speed_rating", "multi_tenant", "max_creatable_vcms",
      "max_active_vcms", "vcms_created", "vcms_active", "features");

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print a stack trace with an error.")
  boolean verbose;

  public static void main(String[] args) {
    Cli.main(new HsmAdminCommand(), args);
  }

  @Command(name = "setnetwork", mixinStandardHelpOptions = true,
      description = "Sets the VCM networking, common to all VCMs; it takes effect at the next hsmadmin reset.")
  static final class SetNetwork implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
      @Option(names = "--ipv4", paramLabel = "CIDR", required = true, description = "IPv4 range, such as 10.0.0.0/24.")
      String ipv4;

      @Option(names = "--ipv6", paramLabel = "PREFIX", required = true,
          description = "IPv6 prefix, such as 2001:db8::/64.")
      String ipv6;

      @Option(names = "--ipv6-link-local", required = true, description = "IPv6 link-local addresses (fe80::/64).")
      boolean linkLocal;
    }

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      if (choice.ipv4 != null) {
        body.put("ipv4", choice.ipv4);
      } else if (choice.ipv6 != null) {
        body.put("ipv6", choice.ipv6);
      } else {
        body.put("ipv6_link_local", true);
      }
      JsonNode info = client.api().post(Api.withEsn("/v1/hsm/network", hsm.esn), body);
      Out.warnings(info);
      // pending_network takes effect at the next hsmadmin reset.
      Out.object(info, format.json, List.of("network", "pending_network"));
      return 0;
    }
  }

  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = {"Reboots the HSM: every active VCM stops, pending networking takes effect, then autostart VCMs"
          + " start in creation order up to max_active_vcms.",
          "While a tenant uses a VCM (enrolled, operational) it is refused, naming the VCM, unless --force."})
  static final class Reset implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Option(names = "--force", description = "Reset even while tenants use their VCMs; they must then restart their"
        + " hardservers.")
    boolean force;

    @Override
    public Integer call() {
      Api api = client.api();
      JsonNode outcome = api.post(Api.withEsn("/v1/hsm/reset", hsm.esn), Json.object().put("force", force));
      if (format.json) {
        Out.json(outcome);
        return 0;
      }
      Map<String, String> names = new HashMap<>();
      for (JsonNode vcm : api.get(Api.withEsn("/v1/vcms", hsm.esn)).path("vcms")) {
        names.put(vcm.path("uuid").asText(), vcm.path("name").asText());
      }
      Out.line("stopped", named(outcome.path("stopped"), names));
      Out.line("started", named(outcome.path("started"), names));
      List<String> notStarted = new ArrayList<>();
      outcome.path("not_started").properties().forEach(e ->
          notStarted.add(names.getOrDefault(e.getKey(), "?") + " (" + e.getKey() + "): " + e.getValue().asText()));
      Out.line("not_started", notStarted.isEmpty() ? "(none)" : String.join("; ", notStarted));
      Out.fields(outcome.path("info"), List.of("network", "pending_network", "vcms_active", "max_active_vcms"));
      return 0;
    }

    /** {@code alice (4f9d…), bob (…)}: the names people know, with the UUIDs scripts use. */
    private static String named(JsonNode uuids, Map<String, String> names) {
      List<String> named = new ArrayList<>();
      uuids.forEach(u -> named.add(names.getOrDefault(u.asText(), "?") + " (" + u.asText() + ")"));
      return named.isEmpty() ? "(none)" : String.join(", ", named);
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Shows the HSM: ESN, licensing and limits, VCM counts, networking, module time; and the"
          + " daemon's version.")
  static final class Info implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Spec
    CommandSpec spec;

    @Option(names = "--field", paramLabel = "NAME",
        description = "Print only this field's value, such as esn (for scripts).")
    String field;

    @Override
    public Integer call() {
      Api api = client.api();
      ObjectNode info = (ObjectNode) api.get(Api.withEsn("/v1/hsm/info", hsm.esn));
      info.put("daemon_version", api.get("/v1/version").path("version").asText());
      if (field == null) {
        Out.object(info, format.json);
        return 0;
      }
      if (!info.has(field)) {
        List<String> names = new ArrayList<>();
        info.fieldNames().forEachRemaining(names::add);
        throw UsageErrors.of(spec, "info has no field " + SafeText.quote(field)
            + "; the fields are " + String.join(", ", names));
      }
      if (format.json) {
        Out.json(info.get(field));
      } else {
        Out.value(info.get(field));
      }
      return 0;
    }
  }

  @Command(name = "getenvstats", mixinStandardHelpOptions = true,
      description = "Shows the HSM's memory and disk use (bytes).")
  static final class GetEnvStats implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Override
    public Integer call() {
      JsonNode stats = client.api().get(Api.withEsn("/v1/hsm/envstats", hsm.esn));
      Out.object(stats, format.json);
      return 0;
    }
  }

  @Command(name = "fet", mixinStandardHelpOptions = true,
      description = "Applies a licence file signed by the vendor key the orchestrator trusts.")
  static final class Fet implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "FILE", description = "The licence file.")
    Path file;

    @Override
    public Integer call() {
      byte[] licence = Inputs.signedFile(file, "licence file");
      ObjectNode body = Json.object();
      body.put("licence", Base64.getEncoder().encodeToString(licence));
      JsonNode info = client.api().post(Api.withEsn("/v1/hsm/licence", hsm.esn), body);
      info.path("unlicensed_features_in_use").fields().forEachRemaining(f -> {
        List<String> vcms = new ArrayList<>();
        f.getValue().forEach(u -> vcms.add(u.asText()));
        System.err.println("WARNING: feature " + f.getKey() + " is no longer licensed; VCM " + String.join(", ", vcms)
            + " keep it, but no VCM can be given it until a licence grants it again");
      });
      Out.object(info, format.json, LICENSING);
      return 0;
    }
  }

  @Command(name = "settime", mixinStandardHelpOptions = true,
      description = "Sets the module clock, by which request validity is judged: to the host's clock, or to TIME.")
  static final class SetTime implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "TIME", arity = "0..1", converter = Converters.Time.class,
        description = "ISO-8601 time such as 2025-01-31T12:00:00Z; without it, the host's clock.")
    Instant time;

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      if (time != null) {
        body.put("module_time", time.toString());
      }
      Out.object(client.api().post(Api.withEsn("/v1/hsm/time", hsm.esn), body), format.json, List.of("module_time"));
      return 0;
    }
  }
}
