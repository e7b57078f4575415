package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A VCM as an operator names it: its full UUID (taken as it is, without asking the daemon), its
 * name, or a prefix of its UUID of at least 8 hex digits, as {@code vcmadmin list} shows it. A
 * name or prefix that fits more than one VCM is refused, naming them.
 */
final class VcmRefs {

  static final String DESCRIPTION = "The VCM: its name, its UUID, or a unique prefix of the UUID (8 hex digits or"
      + " more).";
  private static final Pattern UUID_TEXT = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{8}[0-9a-f-]*");

  private VcmRefs() {}

  /** The UUID {@code ref} names among the VCMs of {@code esn} (every HSM when null); deleted ones too if asked. */
  static UUID resolve(Api api, String esn, String ref, boolean deletedToo) {
    if (UUID_TEXT.matcher(ref).matches()) {
      return UUID.fromString(ref);
    }
    String lower = ref.toLowerCase(Locale.ROOT);
    boolean prefix = PREFIX.matcher(lower).matches();
    Map<String, String> matches = new LinkedHashMap<>();
    for (JsonNode vcm : vcms(api, esn, deletedToo)) {
      String uuid = vcm.path("uuid").asText();
      if (ref.equals(vcm.path("name").asText()) || prefix && uuid.startsWith(lower)) {
        matches.put(uuid, vcm.path("name").asText() + " (" + uuid + ")");
      }
    }
    if (matches.isEmpty()) {
      throw new CliException("no VCM " + (deletedToo ? "" : "that exists ") + "is named '" + ref
          + "' or has a UUID that starts with it; vcmadmin list shows the VCMs"
          + (deletedToo ? " (--all with the deleted ones)" : ""));
    }
    if (matches.size() > 1) {
      throw new CliException("'" + ref + "' is ambiguous: it names " + String.join(", ", matches.values())
          + "; give the UUID, or more of it");
    }
    return UUID.fromString(matches.keySet().iterator().next());
  }

  /** Every VCM of the HSM named, or of every HSM the daemon runs. */
  static List<JsonNode> vcms(Api api, String esn, boolean deletedToo) {
    List<String> esns = new ArrayList<>();
    if (esn != null) {
      esns.add(esn);
    } else {
      api.get("/v1/hsms").path("hsms").forEach(e -> esns.add(e.asText()));
    }
    List<JsonNode> vcms = new ArrayList<>();
    for (String e : esns) {
      api.get(Api.withEsn("/v1/vcms", e)).path("vcms").forEach(vcms::add);
      if (deletedToo) {
        api.get(Api.withEsn("/v1/vcms/deleted", e)).path("vcms").forEach(vcms::add);
      }
    }
    return vcms;
  }
}
