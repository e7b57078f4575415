package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vcmadmin history} as text: one row per event that fits in 100 columns. Time to the
 * second, a tenant's key and a request's digest shortened to what people compare, and what
 * the event name alone does not say (a forced stop, the property set) beside it. The whole of
 * every event is in {@code --json}.
 */
final class HistoryTable {

  static final List<String> HEADER = List.of("seq", "at", "event", "by", "request");
  private static final String SHA256 = "SHA256:";
  private static final int SHORT_KEY = 12;
  private static final int SHORT_DIGEST = 8;
  private static final int SHORT_VALUE = 10;

  private HistoryTable() {}

  static List<List<String>> rows(JsonNode events) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (JsonNode e : events) {
      rows.add(List.of(e.path("seq").asText(), second(e.path("at").asText()), event(e), by(e.path("by").asText()),
          shortened(e.path("request_digest"))));
    }
    return rows;
  }

  /** {@code 2026-12-02T21:41:44Z}: milliseconds say nothing to a reader of an audit trail. */
  private static String second(String at) {
    int dot = at.indexOf('.');
    return dot < 0 ? at : at.substring(0, dot) + "Z";
  }

  private static String event(JsonNode e) {
    String name = e.path("event").asText();
    JsonNode details = e.path("details");
    if (details.path("forced").asBoolean(false)) {
      return name + " (forced)";
    }
    if (details.has("property")) {
      return name + " " + details.path("property").asText() + "=" + clipped(details.path("value").asText());
    }
    if (details.has("mode")) {
      return name + " " + details.path("mode").asText().toLowerCase(Locale.ROOT);
    }
    if (details.has("to")) {
      return name + " " + details.path("to").asText().toLowerCase(Locale.ROOT);
    }
    return name;
  }

  /** {@code tenant:abcdefghijkl…}: enough of the key's SHA-256 fingerprint to tell tenants apart. */
  private static String by(String by) {
    int hash = by.indexOf(SHA256);
    if (hash < 0) {
      return by;
    }
    String fingerprint = by.substring(hash + SHA256.length());
    return by.substring(0, hash) + (fingerprint.length() <= SHORT_KEY ? fingerprint
        : fingerprint.substring(0, SHORT_KEY) + "…");
  }

  private static String shortened(JsonNode digest) {
    if (digest.isNull() || digest.isMissingNode()) {
      return "-";
    }
    String text = digest.asText();
    String hex = text.substring(text.indexOf(':') + 1);
    return hex.length() <= SHORT_DIGEST ? hex : hex.substring(0, SHORT_DIGEST);
  }

  private static String clipped(String value) {
    return value.length() <= SHORT_VALUE ? value : value.substring(0, SHORT_VALUE) + "…";
  }
}
