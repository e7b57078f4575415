package io.vcmctl.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vcmctl.vcm.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A VCM deleted from an HSM, as its kept history tells: the name and address it last had, and
 * when and by whom it was deleted. Lets an operator find a deleted VCM without having written
 * its UUID down.
 */
public record DeletedVcm(UUID uuid, String name, String ipAddress, Instant createdAt, Instant deletedAt,
    Principal deletedBy) {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** From the VCM's history, which ends with its deletion. */
  static DeletedVcm of(UUID uuid, List<HistoryEntry> history) {
    String name = null;
    String ipAddress = null;
    for (HistoryEntry e : history) {
      JsonNode details = details(e);
      if (e.event().equals("VcmCreated")) {
        name = details.path("properties").path("name").asText(null);
        ipAddress = details.path("properties").path("ipAddress").asText(null);
      } else if (e.event().equals("PropertyChanged") && details.path("property").asText().equals("name")) {
        name = details.path("value").asText(null);
      }
    }
    HistoryEntry first = history.get(0);
    HistoryEntry last = history.get(history.size() - 1);
    return new DeletedVcm(uuid, name, ipAddress, first.at(), last.at(), last.by());
  }

  private static JsonNode details(HistoryEntry e) {
    try {
      return JSON.readTree(e.details());
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }
}
