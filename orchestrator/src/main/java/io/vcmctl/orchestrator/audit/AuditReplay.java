package io.vcmctl.orchestrator.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmView;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;

/**
 * Rebuilds every VCM's state from a verified export alone, through the VCM entity's own event
 * handlers, and shows them as {@code vcmadmin show --json} does: the HSM's members, in the
 * order it admitted them.
 */
public final class AuditReplay {

  private static final String VCM_PREFIX = VcmEntity.ENTITY_TYPE + "|";
  private static final String HSM_PREFIX = HsmEntity.ENTITY_TYPE + "|";

  private final EventHandler<VcmEntity.State, VcmEntity.Event> handlers = VcmEntity.events();
  private final Map<UUID, VcmEntity.State> states = new HashMap<>();
  private final Map<UUID, Long> seqs = new HashMap<>();
  private final Map<UUID, Long> members = new LinkedHashMap<>();
  private String failure;

  private AuditReplay() {}

  /** The VCMs of the export read from {@code in}, once it verifies; a failed check ends with its one line. */
  public static ObjectNode replay(BufferedReader in) throws AuditVerifier.Failed, IOException {
    AuditReplay r = new AuditReplay();
    AuditVerifier.verify(in, null, r::apply);
    if (r.failure != null) {
      throw new AuditVerifier.Failed(r.failure);
    }
    return JsonViews.vcms(r.views());
  }

  private void apply(ObjectNode entry) {
    if (failure != null) {
      return;
    }
    String pid = entry.path("persistence_id").asText();
    String type = entry.path("type").asText();
    try {
      if (pid.startsWith(VCM_PREFIX)) {
        UUID uuid = UUID.fromString(pid.substring(VCM_PREFIX.length()));
        VcmEntity.Event event = AuditChain.MAPPER.treeToValue(entry.get("event"), eventClass(VcmEntity.class, type,
            VcmEntity.Event.class));
        states.put(uuid, handlers.apply(states.getOrDefault(uuid, VcmEntity.Uncreated.INSTANCE), event));
        seqs.put(uuid, entry.path("seq").asLong());
      } else if (pid.startsWith(HSM_PREFIX) && type.startsWith("Vcm")) {
        HsmEntity.Event event = AuditChain.MAPPER.treeToValue(entry.get("event"), eventClass(HsmEntity.class, type,
            HsmEntity.Event.class));
        if (event instanceof HsmEntity.VcmAdmitted a) {
          members.put(a.uuid(), a.order());
        } else if (event instanceof HsmEntity.VcmRemoved rm) {
          members.remove(rm.uuid());
        } else if (event instanceof HsmEntity.VcmAdmissionWithdrawn w) {
          members.remove(w.uuid());
        }
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // An event this version cannot read, or one its handlers refuse in that state.
      failure = "entry seq " + entry.path("seq").asText() + " of " + pid + " cannot be replayed as a " + type
          + " event of this version";
    }
  }

  private static <T> Class<? extends T> eventClass(Class<?> entity, String type, Class<T> base) {
    try {
      return Class.forName(entity.getName() + "$" + type).asSubclass(base);
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new IllegalArgumentException("unknown event type " + type, e);
    }
  }

  private List<VcmView> views() {
    List<VcmView> out = new ArrayList<>();
    members.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.naturalOrder())).forEach(m -> {
      if (states.get(m.getKey()) instanceof VcmEntity.Existing e && !(e instanceof VcmEntity.Deleted)) {
        out.add(e.view(seqs.get(m.getKey())));
      }
    });
    return out;
  }
}
