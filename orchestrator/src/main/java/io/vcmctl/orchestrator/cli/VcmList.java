package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vcmadmin list}: one line per VCM, as {@code kubectl get} shows resources. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
    description = {"Lists the VCMs, one line each: name, short UUID, state, address, flags, enrollment.",
        "The short UUID (or the name) is accepted wherever a command takes a VCM."})
final class VcmList implements Callable<Integer> {

  /** The shortest UUID prefix shown; commands take no shorter one. */
  private static final int SHORT_UUID = 8;

  /** How {@code -o} prints the list. */
  enum Format { text, wide, json }

  @Mixin
  Options.Provider client;

  @Mixin
  Options.Esn hsm;

  @Mixin
  Options.Json json;

  @Option(names = {"-o", "--output"}, paramLabel = "wide|json",
      description = "wide: every UUID in full, and mode, Security World, audit log and creation time; json: the"
          + " HTTP API's objects.")
  Format output;

  @Option(names = "--all", description = "Include the deleted VCMs (state deleted, with when and by whom).")
  boolean all;

  @Override
  public Integer call() {
    Api api = client.api();
    ObjectNode listed = (ObjectNode) api.get(Api.withEsn("/v1/vcms", hsm.esn));
    if (all) {
      ArrayNode vcms = (ArrayNode) listed.path("vcms");
      api.get(Api.withEsn("/v1/vcms/deleted", hsm.esn)).path("vcms").forEach(vcms::add);
    }
    print(listed, json.json ? Format.json : output == null ? Format.text : output);
    return 0;
  }

  static void print(JsonNode listed, Format format) {
    if (format == Format.json) {
      Out.json(listed);
      return;
    }
    JsonNode vcms = listed.path("vcms");
    if (vcms.isEmpty()) {
      System.out.println("no VCMs");
      return;
    }
    boolean wide = format == Format.wide;
    boolean deleted = false;
    for (JsonNode v : vcms) {
      deleted |= v.has("deleted_at");
    }
    List<String> header = new ArrayList<>(List.of("NAME", "UUID", "STATE", "ADDRESS", "FLAGS", "ENROLLED"));
    if (wide) {
      header.addAll(List.of("MODE", "WORLD", "AUDIT_LOG", "CREATED"));
    }
    if (deleted) {
      header.add("DELETED");
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(header);
    for (JsonNode v : vcms) {
      boolean gone = v.has("deleted_at");
      JsonNode p = v.path("properties");
      String uuid = v.path("uuid").asText();
      List<String> row = new ArrayList<>(List.of(text(v.path("name")), wide ? uuid : uuid.substring(0,
          shortLength(uuid, vcms)), v.path("state").asText(), text(p.path("ip_address")), gone ? "-" : flags(p),
          gone ? "-" : yes(v.path("enrolled"))));
      if (wide) {
        row.addAll(List.of(text(v.path("mode")), gone ? "-" : yes(v.path("security_world_loaded")),
            text(v.path("audit_log")), text(v.path("created_at"))));
      }
      if (deleted) {
        row.add(gone ? v.path("deleted_at").asText() + " by " + v.path("deleted_by").asText() : "-");
      }
      rows.add(row);
    }
    Out.table(rows);
  }

  /** At least 8 hex digits, and as many more as it takes to tell this UUID from every other listed. */
  static int shortLength(String uuid, JsonNode vcms) {
    int length = SHORT_UUID;
    for (JsonNode other : vcms) {
      String o = other.path("uuid").asText();
      while (!o.equals(uuid) && length < uuid.length() && o.startsWith(uuid.substring(0, length))) {
        length++;
      }
    }
    return length;
  }

  private static String flags(JsonNode properties) {
    List<String> flags = new ArrayList<>();
    if (properties.path("autostart").asBoolean()) {
      flags.add("autostart");
    }
    if (properties.path("restrict_startup").asBoolean()) {
      flags.add("restrict");
    }
    if (properties.path("serial_cardreader").asBoolean()) {
      flags.add("cardreader");
    }
    return flags.isEmpty() ? "-" : String.join(",", flags);
  }

  private static String yes(JsonNode flag) {
    return flag.asBoolean() ? "yes" : "no";
  }

  private static String text(JsonNode value) {
    return value.isNull() || value.isMissingNode() || value.asText().isEmpty() ? "-" : value.asText();
  }
}
