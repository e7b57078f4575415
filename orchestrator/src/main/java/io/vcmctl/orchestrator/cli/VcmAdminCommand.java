package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.VcmProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/** {@code vcmadmin}: the provider's VCM commands. */
@Command(name = "vcmadmin", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
    scope = ScopeType.INHERIT,
    description = "Creates and manages the VCMs of an HSM of the VCM orchestrator.",
    subcommands = {VcmAdminCommand.Create.class, VcmAdminCommand.Start.class, VcmAdminCommand.Stop.class,
        VcmAdminCommand.Delete.class, VcmList.class, VcmAdminCommand.Show.class, VcmAdminCommand.Properties.class,
        VcmAdminCommand.Stats.class, VcmAdminCommand.History.class, CommandLine.HelpCommand.class})
public final class VcmAdminCommand {

  private static final List<String> SUMMARY = List.of("uuid", "name", "state");
  private static final List<String> STOPPED = List.of("uuid", "name", "state", "hardserver_restart_required");

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print a stack trace with an error.")
  boolean verbose;

  public static void main(String[] args) {
    Cli.main(new VcmAdminCommand(), args);
  }

  private static String vcmPath(UUID vcm) {
    return "/v1/vcms/" + vcm;
  }

  /**
   * The VCM as it is, marked {@code unchanged}, when a start or stop was refused only because it
   * is already done: scripts can run again; nothing was recorded.
   */
  private static JsonNode already(Api api, UUID vcm, CliException refusal, String code, String why) {
    if (!code.equals(refusal.code())) {
      throw refusal;
    }
    return ((ObjectNode) api.get(vcmPath(vcm))).put("unchanged", why);
  }

  /** {@code {"request": base64}} for a request file, or {@code {}} without one. */
  private static ObjectNode requestBody(Path request) {
    ObjectNode body = Json.object();
    if (request != null) {
      body.put("request", Base64.getEncoder().encodeToString(Inputs.signedFile(request, "request file")));
    }
    return body;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Creates a VCM from a tenant's create request, and writes the tenant configuration file to send"
          + " to the tenant.",
          "Prints the UUID, the IP address, the configuration file and every property that differs from the request."})
  static final class Create implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Option(names = "--request", paramLabel = "FILE", required = true, description = "The tenant's create request.")
    Path request;

    @Option(names = "--serial-cardreader", negatable = true,
        description = "Give (or refuse) the VCM the serial cardreader, whatever the request asks.")
    Boolean serialCardreader;

    @Option(names = "--autostart", negatable = true,
        description = "--no-autostart drops the autostart the request asks for; --autostart only confirms it"
            + " (the tenant's request must ask for it).")
    Boolean autostart;

    @Option(names = "--ip-address", paramLabel = "IP", description = "Its address; default: the first free one.")
    String ipAddress;

    @Option(names = "--features", paramLabel = "F", description = "Its features, joined by |; default: as requested.")
    String features;

    @Option(names = "--outdir", paramLabel = "DIR", defaultValue = ".",
        description = "Where to write the tenant configuration file (default: ${DEFAULT-VALUE}).")
    Path outdir;

    @Option(names = "--force", description = "Replace a configuration file of the same name in --outdir.")
    boolean force;

    @Parameters(paramLabel = "NAME", arity = "0..1",
        description = "The VCM's display name; default: the name the request asks for.")
    String name;

    @Override
    public Integer call() {
      ObjectNode body = requestBody(request);
      body.put("name", name);
      body.put("autostart", autostart);
      body.put("serial_cardreader", serialCardreader);
      body.put("ip_address", ipAddress);
      body.put("features", features);
      ensureWritable(outdir);
      Api api = client.api();
      ObjectNode created = (ObjectNode) api.post(Api.withEsn("/v1/vcms", hsm.esn), body);
      Path config = outdir.resolve(configFileName(created)).normalize();
      try {
        Inputs.write(config, Base64.getDecoder().decode(created.path("config").asText()), force);
      } catch (RuntimeException e) {
        throw new CliException("VCM " + created.path("uuid").asText() + " was created, but its configuration file"
            + " could not be written to " + config + ": " + e.getMessage(), e);
      }
      // The file is written; its path, not its bytes, is what the provider needs to see.
      created.remove("config");
      created.put("config_file", config.toString());
      Out.warnings(created);
      if (format.json) {
        Out.json(created);
        return 0;
      }
      Out.fields(created, List.of("uuid", "ip_address", "config_file"));
      for (JsonNode d : created.path("differences")) {
        Out.line("differs_from_request", d.path("property").asText() + " requested " + text(d.path("requested"))
            + ", set " + text(d.path("actual")));
      }
      return 0;
    }

    private static String text(JsonNode n) {
      return n.isNull() || n.isMissingNode() ? "(not set)" : n.asText();
    }

    /** The daemon names the file; a name that is not a plain file name is not written anywhere. */
    private static String configFileName(JsonNode created) {
      String fileName = created.path("config_file_name").asText();
      if (fileName.isEmpty() || !Path.of(fileName).getFileName().toString().equals(fileName)
          || fileName.startsWith(".")) {
        throw new CliException("the orchestrator named the configuration file '" + fileName
            + "', which is not a plain file name");
      }
      return fileName;
    }

    /** Checked before the VCM exists, so that a bad --outdir refuses without creating anything. */
    private static void ensureWritable(Path dir) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new CliException("cannot use --outdir " + dir + ": " + e.getMessage(), e);
      }
      if (!Files.isWritable(dir)) {
        throw new CliException("cannot write to --outdir " + dir + ": permission denied");
      }
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Starts a VCM; one with restrict_startup needs the tenant's start request.")
  static final class Start implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Json format;

    @Option(names = "--request", paramLabel = "FILE", description = "The tenant's start request.")
    Path request;

    @Parameters(paramLabel = "VCM", description = VcmRefs.DESCRIPTION)
    String vcm;

    @Override
    public Integer call() {
      ObjectNode body = requestBody(request);
      Api api = client.api();
      UUID uuid = VcmRefs.resolve(api, null, vcm, false);
      JsonNode view;
      try {
        view = api.post(vcmPath(uuid) + "/start", body);
      } catch (CliException e) {
        view = already(api, uuid, e, "ALREADY_ACTIVE", "already active");
      }
      Out.object(view, format.json, SUMMARY);
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = {"Stops a VCM, keeping its enrollment and Security World.",
          "A VCM in use (enrolled, operational) stops only with --force, and its tenant must then restart the"
          + " hardserver."})
  static final class Stop implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Json format;

    @Option(names = "--force", description = "Stop it even while the tenant uses it.")
    boolean force;

    @Parameters(paramLabel = "VCM", description = VcmRefs.DESCRIPTION)
    String vcm;

    @Override
    public Integer call() {
      ObjectNode body = Json.object().put("force", force);
      Api api = client.api();
      UUID uuid = VcmRefs.resolve(api, null, vcm, false);
      JsonNode view;
      try {
        view = api.post(vcmPath(uuid) + "/stop", body);
      } catch (CliException e) {
        view = already(api, uuid, e, "NOT_ACTIVE", "already stopped");
      }
      Out.object(view, format.json, STOPPED);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Deletes an inactive VCM, destroying its secrets and data; this is irreversible.",
          "An audit log that is on (not finalized) blocks it unless --force."})
  static final class Delete implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Json format;

    @Option(names = "--force", description = "Delete it even though its audit log is not finalized.")
    boolean force;

    @Parameters(paramLabel = "VCM", description = VcmRefs.DESCRIPTION)
    String vcm;

    @Override
    public Integer call() {
      ObjectNode body = Json.object().put("force", force);
      Api api = client.api();
      Out.object(api.post(vcmPath(VcmRefs.resolve(api, null, vcm, false)) + "/delete", body), format.json, SUMMARY);
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Shows one VCM (state, properties, tenant-side facts), or all of them.")
  static final class Show implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "VCM", arity = "0..1", description = {VcmRefs.DESCRIPTION,
        "Without it, every VCM one line each, as vcmadmin list."})
    String vcm;

    @Override
    public Integer call() {
      Api api = client.api();
      JsonNode answer = vcm == null ? api.get(Api.withEsn("/v1/vcms", hsm.esn))
          : api.get(vcmPath(VcmRefs.resolve(api, hsm.esn, vcm, false)));
      if (format.json) {
        Out.json(answer);
      } else if (vcm == null) {
        VcmList.print(answer, VcmList.Format.text);
      } else {
        // The name is the first line already; --json keeps it in properties too, as the API does.
        ((ObjectNode) answer.path("properties")).remove("name");
        Out.fields(answer);
      }
      return 0;
    }
  }

  @Command(name = "properties", mixinStandardHelpOptions = true, description = "Changes a VCM's properties.",
      subcommands = Properties.Set.class)
  static final class Properties {

    @Command(name = "set", mixinStandardHelpOptions = true,
        description = {"Sets one property of an inactive VCM to exactly the value a tenant request asks for.",
            "To change several, run it once for each and reuse the request file."})
    static final class Set implements Callable<Integer> {
      private static final String MISMATCH = "PROPERTY_MISMATCH";

      @Mixin
      Options.Provider client;

      @Mixin
      Options.Json format;

      @Option(names = "--request", paramLabel = "FILE", required = true,
          description = "The tenant's properties request.")
      Path request;

      @Parameters(index = "0", paramLabel = "VCM", description = VcmRefs.DESCRIPTION)
      String vcm;

      @Parameters(index = "1", paramLabel = "PROPERTY", description = "Such as autostart or restrict_startup.")
      String property;

      @Parameters(index = "2", paramLabel = "VALUE", description = "Booleans: true, false, True or False.")
      String value;

      @Override
      public Integer call() {
        JsonNode view;
        try {
          ObjectNode body = requestBody(request);
          body.put("property", property);
          body.put("value", value);
          Api api = client.api();
          view = api.post(vcmPath(VcmRefs.resolve(api, null, vcm, false)) + "/properties", body);
        } catch (CliException e) {
          // The operator guide's own text for a mismatch, exactly: no code in it.
          String why = MISMATCH.equals(e.code()) ? e.reason() : e.getMessage();
          throw new CliException("Failed to set VCM properties: " + why, e);
        }
        Out.warnings(view);
        if (format.json) {
          Out.json(view);
          return 0;
        }
        Out.fields(view, SUMMARY);
        String key = VcmProperty.fromName(property).map(VcmProperty::key).orElse(property);
        Out.line(key, view.path("properties").path(key).asText());
        return 0;
      }
    }
  }

  @Command(name = "stats", mixinStandardHelpOptions = true,
      description = {"Shows each VCM's memory and disk use (and disk use as a share of the disk limit) as last"
          + " collected by the stats poller, with the time it was collected (figures may be stale by up to the poll"
          + " delay plus one cycle).", "--json keeps the raw figures: bytes, and CPU seconds."})
  static final class Stats implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Esn hsm;

    @Mixin
    Options.Json format;

    @Override
    public Integer call() {
      Api api = client.api();
      JsonNode stats = api.get(Api.withEsn("/v1/stats", hsm.esn));
      if (format.json) {
        Out.json(stats);
        return 0;
      }
      if (!stats.path("collected_since_start").asBoolean(true)) {
        System.out.println("no poll has completed since the daemon started; the figures come with the first one");
      }
      if (stats.path("stats").isEmpty()) {
        System.out.println("no VCMs");
        return 0;
      }
      long diskLimit = api.get(Api.withEsn("/v1/stats/poller", hsm.esn)).path("disk_limit_bytes").asLong();
      Out.table(StatsTable.rows(stats.path("stats"), diskLimit));
      return 0;
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "Shows a VCM's events in order: when, what, who, and the digest of the request that allowed it.")
  static final class History implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Json format;

    @Parameters(paramLabel = "VCM", description = VcmRefs.DESCRIPTION)
    String vcm;

    @Override
    public Integer call() {
      Api api = client.api();
      JsonNode history = api.get(vcmPath(VcmRefs.resolve(api, null, vcm, true)) + "/history");
      if (format.json) {
        Out.json(history);
        return 0;
      }
      Out.table(HistoryTable.rows(history.path("events")));
      return 0;
    }
  }
}
