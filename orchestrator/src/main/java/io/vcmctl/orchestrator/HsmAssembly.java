package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.hsm.HsmSettings;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.softhsm.SoftHsmRuntime;
import io.vcmctl.softhsm.SoftHsmSettings;
import io.vcmctl.stats.StatsSettings;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What every way of running HSMs (one process, an embedder's actor system, a cluster node)
 * builds from its configuration: the settings, the runtime, and each HSM's environment.
 *
 * @param release closes the runtimes made here, once the actor system has terminated
 */
record HsmAssembly(StatsSettings stats, Runtimes.Chosen chosen, Function<String, HsmEnvironment> environments,
    Runnable release) {

  /** One runtime for every HSM; {@code moduleKeys} holds each HSM's module key directory, by ESN. */
  static HsmAssembly of(OrchestratorConfig config, Config effective, Path moduleKeys) {
    Runtimes.Chosen chosen = config.runtime() != null
        ? new Runtimes.Chosen(config.runtime(), "runtime: " + config.runtime().name())
        : Runtimes.choose(effective.getString("vcmctl.runtime"), effective);
    VcmRuntime runtime = chosen.runtime();
    return new HsmAssembly(StatsSettings.fromConfig(effective), chosen,
        environments(config, effective, moduleKeys, esn -> runtime), runtime::close);
  }

  /**
   * A cluster node's: a runtime that keeps VCM data on disk (softhsm) gets one instance per HSM
   * on the fleet's HSM storage, under ESN/, so that an HSM that moves finds its VCMs' tokens on
   * its new node; any other runtime is shared as in {@link #of}.
   *
   * @throws IllegalArgumentException one line when such a runtime runs without
   *     {@code vcmctl.cluster.hsm-storage}, or the path is too long for it
   */
  static HsmAssembly forFleet(OrchestratorConfig config, Config effective, ClusterSettings settings) {
    HsmAssembly shared = of(config, effective, settings.moduleKeys());
    if (config.runtime() != null || !(shared.runtime() instanceof SoftHsmRuntime)) {
      return shared;
    }
    shared.runtime().close();
    Path storage = settings.hsmStorage().orElseThrow(() -> new IllegalArgumentException("vcmctl.cluster.hsm-storage"
        + " is not set: the softhsm runtime keeps every VCM's token on disk, and a VCM whose HSM moves to another"
        + " node needs it there; set it to a directory every node reaches (docs/operations.md)"));
    try {
      // The longest directory an HSM gets: refused now rather than when the first HSM starts.
      softHsm(effective, storage.resolve("0000-0000-0000"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("vcmctl.cluster.hsm-storage " + storage + " is too long for the softhsm"
          + " runtime (" + e.getMessage() + ")", e);
    }
    Map<String, VcmRuntime> runtimes = new ConcurrentHashMap<>();
    Function<String, VcmRuntime> runtimeOf = esn -> runtimes.computeIfAbsent(esn,
        e -> new SoftHsmRuntime(softHsm(effective, storage.resolve(e))));
    Runtimes.Chosen chosen = new Runtimes.Chosen(shared.runtime(), "runtime: softhsm (every VCM a SoftHSMv2 token"
        + " under " + storage + "/ESN/, the fleet's HSM storage)");
    return new HsmAssembly(shared.stats(), chosen, environments(config, effective, settings.moduleKeys(), runtimeOf),
        () -> runtimes.values().forEach(VcmRuntime::close));
  }

  VcmRuntime runtime() {
    return chosen.runtime();
  }

  private static SoftHsmSettings softHsm(Config effective, Path directory) {
    return SoftHsmSettings.fromConfig(effective.withValue("vcmctl.softhsm.directory",
        ConfigValueFactory.fromAnyRef(directory.toString())));
  }

  private static Function<String, HsmEnvironment> environments(OrchestratorConfig config, Config effective,
      Path moduleKeys, Function<String, VcmRuntime> runtimeOf) {
    HsmSettings hsmSettings = HsmSettings.fromConfig(effective);
    VcmSettings vcmSettings = VcmSettings.fromConfig(effective);
    return esn -> new HsmEnvironment(
        config.clockFactory() != null ? config.clockFactory().get() : ModuleClock.system(),
        runtimeOf.apply(esn), hsmSettings, vcmSettings, moduleKeys.resolve(esn), config.vendorKey());
  }
}
