package io.vcmctl.vcm;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process runtime: nothing runs, and use follows what the tenant did. An active VCM
 * takes a base amount of memory plus its loaded Security World and data; an inactive one
 * takes none. Disk holds the Security World, the tenant's data and the audit log, active or
 * not. It remembers what it was told since the process started; of anything older it reports
 * {@link DeviceStatus#UNKNOWN}, so that a restart never overrides the journal.
 */
public final class SimulatedRuntime implements VcmRuntime {

  private final long baseMemory;
  private final long securityWorldMemory;
  private final long securityWorldDisk;
  private final long auditRecordBytes;
  private final Map<UUID, DeviceStatus> told = new ConcurrentHashMap<>();

  public SimulatedRuntime(long baseMemory, long securityWorldMemory, long securityWorldDisk, long auditRecordBytes) {
    this.baseMemory = baseMemory;
    this.securityWorldMemory = securityWorldMemory;
    this.securityWorldDisk = securityWorldDisk;
    this.auditRecordBytes = auditRecordBytes;
  }

  /** Reads the figures from {@code vcmctl.vcm.simulated-runtime}. */
  public static SimulatedRuntime fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.vcm.simulated-runtime");
    return new SimulatedRuntime(
        c.getBytes("base-memory"),
        c.getBytes("security-world-memory"),
        c.getBytes("security-world-disk"),
        c.getBytes("audit-record-bytes"));
  }

  @Override
  public String name() {
    return "simulated";
  }

  @Override
  public CompletionStage<Void> create(UUID vcm) {
    return record(vcm, DeviceStatus.STOPPED);
  }

  @Override
  public CompletionStage<Void> start(UUID vcm) {
    return record(vcm, DeviceStatus.RUNNING);
  }

  @Override
  public CompletionStage<Void> stop(UUID vcm, boolean force) {
    return record(vcm, DeviceStatus.STOPPED);
  }

  @Override
  public CompletionStage<Void> destroy(UUID vcm) {
    return record(vcm, DeviceStatus.ABSENT);
  }

  @Override
  public CompletionStage<DeviceStatus> status(UUID vcm) {
    return CompletableFuture.completedFuture(told.getOrDefault(vcm, DeviceStatus.UNKNOWN));
  }

  @Override
  public CompletionStage<Usage> measure(VcmView vcm) {
    return CompletableFuture.completedFuture(usage(vcm));
  }

  @Override
  public boolean simulatesTenantData() {
    return true;
  }

  public Usage usage(VcmView vcm) {
    TenantFacts facts = vcm.facts();
    long disk = (facts.securityWorldLoaded() ? securityWorldDisk : 0)
        + facts.dataBytes()
        + facts.auditRecords() * auditRecordBytes;
    long memory = vcm.isActive()
        ? baseMemory + (facts.securityWorldLoaded() ? securityWorldMemory : 0) + facts.dataBytes()
        : 0;
    return Usage.of(memory, disk);
  }

  private CompletionStage<Void> record(UUID vcm, DeviceStatus status) {
    told.put(vcm, status);
    return CompletableFuture.completedFuture(null);
  }
}
