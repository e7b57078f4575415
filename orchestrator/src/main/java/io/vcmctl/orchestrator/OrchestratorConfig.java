package io.vcmctl.orchestrator;

import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.VcmRuntime;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;

/**
 * How to start an orchestrator process.
 *
 * @param esns the HSMs to run; empty means those run before in this data directory, or one new one
 * @param statsDelay overrides {@code vcmctl.stats.delay} when not {@code null}
 * @param runtime the VCM runtime; {@code null} for the one {@code runtimeChoice} names
 * @param runtimeChoice overrides {@code vcmctl.runtime} when not {@code null}: auto, simulated,
 *     softhsm or a class name
 * @param clockFactory makes each HSM's module clock; {@code null} for the system clock
 */
public record OrchestratorConfig(
    Path dataDir,
    List<String> esns,
    Duration statsDelay,
    PublicKey vendorKey,
    VcmRuntime runtime,
    java.util.function.Supplier<ModuleClock> clockFactory,
    String runtimeChoice) {

  public OrchestratorConfig {
    esns = List.copyOf(esns);
  }

  public static OrchestratorConfig of(Path dataDir, PublicKey vendorKey) {
    return new OrchestratorConfig(dataDir, List.of(), null, vendorKey, null, null, null);
  }

  public OrchestratorConfig withEsns(List<String> newEsns) {
    return new OrchestratorConfig(dataDir, newEsns, statsDelay, vendorKey, runtime, clockFactory, runtimeChoice);
  }

  public OrchestratorConfig withStatsDelay(Duration delay) {
    return new OrchestratorConfig(dataDir, esns, delay, vendorKey, runtime, clockFactory, runtimeChoice);
  }

  public OrchestratorConfig withClock(java.util.function.Supplier<ModuleClock> factory) {
    return new OrchestratorConfig(dataDir, esns, statsDelay, vendorKey, runtime, factory, runtimeChoice);
  }

  public OrchestratorConfig withRuntimeChoice(String choice) {
    return new OrchestratorConfig(dataDir, esns, statsDelay, vendorKey, runtime, clockFactory, choice);
  }
}
