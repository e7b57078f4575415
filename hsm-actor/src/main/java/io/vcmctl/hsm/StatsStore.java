package io.vcmctl.hsm;

import io.vcmctl.hsm.HsmEntity.VcmStats;
import io.vcmctl.vcm.VcmView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The resource figures the stats poller last collected, kept in the HSM so that {@code stats}
 * and {@code getenvstats} answer at once. Only figures of VCMs the HSM knows are kept.
 */
final class StatsStore {

  private final Map<UUID, VcmStats> figures = new HashMap<>();
  private boolean collected;

  /** Replaces the figures of the VCMs measured; forgets VCMs that are gone. */
  void record(List<VcmStats> measured, Fleet fleet) {
    collected = true;
    for (VcmStats s : measured) {
      if (fleet.knows(s.uuid())) {
        figures.put(s.uuid(), s);
      }
    }
    figures.keySet().removeIf(uuid -> !fleet.knows(uuid));
  }

  /** Whether a poll has reported since the HSM started; kept in memory only, so a restart clears it. */
  boolean collectedSinceStart() {
    return collected;
  }

  void forget(UUID vcm) {
    figures.remove(vcm);
  }

  /** One entry per VCM, in the order given, with the VCM's current name and state. */
  List<VcmStats> stored(List<VcmView> inOrder) {
    List<VcmStats> out = new ArrayList<>();
    for (VcmView v : inOrder) {
      VcmStats f = figures.get(v.uuid());
      out.add(f != null
          ? new VcmStats(v.uuid(), v.properties().name(), v.status(), f.memoryBytes(), f.diskBytes(),
              f.cpuSeconds(), f.collectedAt(), f.answering(), f.approachingDiskLimit())
          : new VcmStats(v.uuid(), v.properties().name(), v.status(), 0, 0, 0, null, false, false));
    }
    return out;
  }

  /** Platform memory plus the active VCMs' last measured memory, and every VCM's disk. */
  EnvStats envStats(HsmSettings settings, Fleet fleet) {
    long memory = settings.platformMemory();
    long disk = 0;
    for (VcmView v : fleet.views()) {
      VcmStats f = figures.get(v.uuid());
      if (f != null) {
        memory += v.isActive() ? f.memoryBytes() : 0;
        disk += f.diskBytes();
      }
    }
    return new EnvStats(settings.memTotal(), memory, disk);
  }
}
