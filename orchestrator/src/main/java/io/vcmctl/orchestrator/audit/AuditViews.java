package io.vcmctl.orchestrator.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.HistoryEntry;
import io.vcmctl.orchestrator.api.JsonViews;
import java.util.List;

/** The HTTP shapes of the audit endpoints (docs/api.md). */
public final class AuditViews {

  private AuditViews() {}

  /** {@code GET /v1/hsm/audit}: the export's records, in file order (one per line of the file). */
  public static ObjectNode export(List<ObjectNode> records) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    o.putArray("records").addAll(records);
    return o;
  }

  /** {@code hsmadmin history --json}: the HSM's own events in order, as {@code vcmadmin history} shows a VCM's. */
  public static ObjectNode hsmHistory(String esn, List<HistoryEntry> entries) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    o.put("esn", esn);
    o.set("events", JsonViews.events(entries));
    return o;
  }
}
