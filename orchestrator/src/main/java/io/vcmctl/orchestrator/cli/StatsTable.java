package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vcmadmin stats} as the vendor's tool shows it: a table with memory and disk use in
 * binary units and disk use as a share of the disk limit. A VCM the poller has not measured yet
 * says so instead of showing zeros that read like an outage; {@code --json} keeps raw bytes.
 */
final class StatsTable {

  static final String NOT_COLLECTED = "not collected yet";
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private StatsTable() {}

  static List<List<String>> rows(JsonNode stats, long diskLimit) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NAME", "UUID", "STATE", "MEMORY", "DISK", "OF_LIMIT", "COLLECTED"));
    for (JsonNode s : stats) {
      String uuid = s.path("uuid").asText();
      List<String> row = new ArrayList<>(List.of(s.path("name").asText("-"),
          uuid.substring(0, VcmList.shortLength(uuid, stats)), s.path("state").asText("-")));
      if (s.path("collected_at").isNull() || s.path("collected_at").isMissingNode()) {
        row.addAll(List.of(NOT_COLLECTED, "-", "-", "-"));
      } else {
        long disk = s.path("disk_bytes").asLong();
        row.add(bytes(s.path("memory_bytes").asLong()));
        row.add(bytes(disk));
        row.add(percent(disk, diskLimit) + (s.path("approaching_disk_limit").asBoolean() ? " (near the limit)" : ""));
        row.add(second(s.path("collected_at").asText()) + (s.path("answering").asBoolean(true) ? ""
            : " (no answer since)"));
      }
      rows.add(row);
    }
    return rows;
  }

  /** {@code 0 B}, {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 MiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  private static String percent(long bytes, long limit) {
    return limit <= 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * bytes / limit);
  }

  private static String second(String at) {
    int dot = at.indexOf('.');
    return dot < 0 ? at : at.substring(0, dot) + "Z";
  }
}
