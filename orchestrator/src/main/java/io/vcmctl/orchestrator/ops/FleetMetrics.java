package io.vcmctl.orchestrator.ops;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vcmctl.hsm.HsmEntity.VcmStats;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.vcm.VcmStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The fleet as gauges, read through the facade at each scrape: per HSM its VCM counts and
 * limits, per VCM its state and last collected figures. Only VCMs that exist are listed.
 */
final class FleetMetrics {

  /** What one HSM answered; {@code info} is {@code null} when it did not answer in time. */
  private record Hsm(String esn, HsmInfo info, List<VcmStats> stats) {}

  /** The states a VCM can be in while it exists; each is a series, 1 for the current one. */
  private static final List<VcmStatus> STATES =
      List.of(VcmStatus.INACTIVE, VcmStatus.ACTIVE, VcmStatus.DISK_LIMIT_STOPPED);

  private FleetMetrics() {}

  static CompletionStage<List<MetricSnapshot>> collect(Orchestrator orchestrator, OpsSettings settings) {
    List<CompletableFuture<Hsm>> asks = new ArrayList<>();
    for (String esn : orchestrator.esns()) {
      Hsm silent = new Hsm(esn, null, List.of());
      asks.add(orchestrator.info(esn)
          .thenCombine(orchestrator.stats(esn), (info, stats) -> new Hsm(esn, info, stats.vcms()))
          .toCompletableFuture()
          .completeOnTimeout(silent, settings.hsmTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(failure -> silent));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(x -> snapshots(asks.stream().map(CompletableFuture::join).toList(), settings.stats().diskLimit()));
  }

  private static List<MetricSnapshot> snapshots(List<Hsm> hsms, long diskLimit) {
    GaugeSnapshot.Builder up = gauge("vcmctl_hsm_up", "1 when the HSM answered this scrape in time, else 0.");
    GaugeSnapshot.Builder active = gauge("vcmctl_vcms_active", "Active VCMs of the HSM.");
    GaugeSnapshot.Builder maxActive = gauge("vcmctl_vcms_max_active", "Most VCMs the HSM's licence lets be active.");
    GaugeSnapshot.Builder created = gauge("vcmctl_vcms_created", "VCMs that exist on the HSM (not deleted).");
    GaugeSnapshot.Builder maxCreatable = gauge("vcmctl_vcms_max_creatable", "Most VCMs the HSM's licence lets exist.");
    GaugeSnapshot.Builder state = gauge("vcmctl_vcm_state",
        "1 for the VCM's current state (inactive, active, disk-limit-stopped), 0 for the others.");
    GaugeSnapshot.Builder disk = gauge("vcmctl_vcm_disk_bytes", "The VCM's disk use as last collected.")
        .unit(Unit.BYTES);
    GaugeSnapshot.Builder memory = gauge("vcmctl_vcm_memory_bytes",
        "The VCM's memory use as last collected (0 while it is not active).").unit(Unit.BYTES);
    GaugeSnapshot.Builder ratio = gauge("vcmctl_vcm_disk_limit_ratio",
        "The VCM's disk use as a fraction of the disk limit; above 1 it is stopped for good (R11).")
        .unit(Unit.RATIO);
    GaugeSnapshot.Builder answering = gauge("vcmctl_vcm_answering",
        "1 when the VCM reported its usage in the last poll cycle, 0 when its figures are older.");
    for (Hsm hsm : hsms) {
      Labels h = Labels.of("esn", hsm.esn());
      up.dataPoint(point(h, hsm.info() == null ? 0 : 1));
      if (hsm.info() == null) {
        continue;
      }
      active.dataPoint(point(h, hsm.info().vcmsActive()));
      maxActive.dataPoint(point(h, hsm.info().maxActiveVcms()));
      created.dataPoint(point(h, hsm.info().vcmsCreated()));
      maxCreatable.dataPoint(point(h, hsm.info().maxCreatableVcms()));
      for (VcmStats v : hsm.stats()) {
        Labels l = Labels.of("esn", hsm.esn(), "uuid", v.uuid().toString(), "name", v.name());
        for (VcmStatus s : STATES) {
          state.dataPoint(point(l.add("state", s.label()), s == v.status() ? 1 : 0));
        }
        // Before its first poll a VCM has no figures; zeros would be a lie.
        if (v.collectedAt() != null) {
          disk.dataPoint(point(l, v.diskBytes()));
          memory.dataPoint(point(l, v.memoryBytes()));
          ratio.dataPoint(point(l, (double) v.diskBytes() / diskLimit));
          answering.dataPoint(point(l, v.answering() ? 1 : 0));
        }
      }
    }
    return List.of(up.build(), active.build(), maxActive.build(), created.build(), maxCreatable.build(),
        state.build(), disk.build(), memory.build(), ratio.build(), answering.build());
  }

  private static GaugeSnapshot.Builder gauge(String name, String help) {
    return GaugeSnapshot.builder().name(name).help(help);
  }

  private static GaugeDataPointSnapshot point(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
