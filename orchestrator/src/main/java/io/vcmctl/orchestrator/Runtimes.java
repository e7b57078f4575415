package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import io.vcmctl.softhsm.SoftHsmRuntime;
import io.vcmctl.softhsm.SoftHsmSettings;
import io.vcmctl.vcm.SimulatedRuntime;
import io.vcmctl.vcm.VcmRuntime;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.Optional;

/**
 * The device port chosen by {@code vcmctl.runtime}: {@code simulated}, {@code softhsm} (every VCM
 * a real PKCS#11 token), {@code auto} (softhsm when its programs are installed, otherwise the
 * simulation) or the class name of a provider's own {@link VcmRuntime}.
 */
public final class Runtimes {

  /** The runtime, and the one line that says which it is and why. */
  public record Chosen(VcmRuntime runtime, String description) {}

  private Runtimes() {}

  /**
   * @throws IllegalArgumentException with one line when the choice is unknown, unusable or
   *     names a class that is missing or not a runtime
   */
  public static Chosen choose(String choice, Config config) {
    String name = choice == null ? "auto" : choice.strip();
    switch (name.toLowerCase(Locale.ROOT)) {
      case "simulated":
        return new Chosen(SimulatedRuntime.fromConfig(config), "runtime: simulated (VCMs run in process)");
      case "softhsm": {
        SoftHsmSettings settings = SoftHsmSettings.fromConfig(config);
        SoftHsmRuntime.missingProgram(settings).ifPresent(missing -> {
          throw new IllegalArgumentException("the softhsm runtime needs " + missing);
        });
        return new Chosen(new SoftHsmRuntime(settings), "runtime: softhsm (every VCM a SoftHSMv2 token under "
            + settings.directory() + ")");
      }
      case "auto": {
        SoftHsmSettings settings = SoftHsmSettings.fromConfig(config);
        Optional<String> missing = SoftHsmRuntime.missingProgram(settings);
        return missing.isEmpty()
            ? new Chosen(new SoftHsmRuntime(settings), "runtime: softhsm, chosen by auto (every VCM a SoftHSMv2 token"
                + " under " + settings.directory() + ")")
            : new Chosen(SimulatedRuntime.fromConfig(config), "runtime: simulated, chosen by auto (" + missing.get()
                + " for real tokens)");
      }
      default:
        return provided(name, config);
    }
  }

  /** A provider's own runtime: a public class with a constructor taking the Config, or none. */
  private static Chosen provided(String className, Config config) {
    Class<?> type;
    try {
      type = Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("runtime '" + className + "' is neither auto, simulated, softhsm nor a class"
          + " on the class path; put the jar of your driver on the class path or fix the name");
    }
    if (!VcmRuntime.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("class " + className + " does not implement " + VcmRuntime.class.getName());
    }
    try {
      Object runtime;
      try {
        runtime = type.getConstructor(Config.class).newInstance(config);
      } catch (NoSuchMethodException e) {
        runtime = type.getConstructor().newInstance();
      }
      return new Chosen((VcmRuntime) runtime, "runtime: " + ((VcmRuntime) runtime).name() + " (" + className + ")");
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("class " + className + " needs a public constructor taking a"
          + " com.typesafe.config.Config, or none");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("runtime " + className + " failed to start: " + e.getCause().getMessage());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("runtime " + className + " cannot be made: " + e.getMessage());
    }
  }
}
