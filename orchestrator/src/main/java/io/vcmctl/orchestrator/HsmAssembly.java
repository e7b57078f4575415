package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.hsm.HsmSettings;
import io.vcmctl.stats.StatsSettings;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmSettings;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What every way of running HSMs (one process, an embedder's actor system, a cluster node)
 * builds from its configuration: the settings, the runtime, and each HSM's environment.
 *
 * @param moduleKeys the directory holding each HSM's module key directory, by ESN
 */
record HsmAssembly(StatsSettings stats, Runtimes.Chosen chosen, Function<String, HsmEnvironment> environments) {

  static HsmAssembly of(OrchestratorConfig config, Config effective, Path moduleKeys) {
    HsmSettings hsmSettings = HsmSettings.fromConfig(effective);
    VcmSettings vcmSettings = VcmSettings.fromConfig(effective);
    Runtimes.Chosen chosen = config.runtime() != null
        ? new Runtimes.Chosen(config.runtime(), "runtime: " + config.runtime().name())
        : Runtimes.choose(effective.getString("vcmctl.runtime"), effective);
    VcmRuntime runtime = chosen.runtime();
    Function<String, HsmEnvironment> environments = esn -> new HsmEnvironment(
        config.clockFactory() != null ? config.clockFactory().get() : ModuleClock.system(),
        runtime, hsmSettings, vcmSettings, moduleKeys.resolve(esn), config.vendorKey());
    return new HsmAssembly(StatsSettings.fromConfig(effective), chosen, environments);
  }

  VcmRuntime runtime() {
    return chosen.runtime();
  }
}
