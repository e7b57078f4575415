package io.vcmctl.orchestrator.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.TypeConversionException;

/**
 * The commands that providers and tenants script by the hundred (provider reads, a tenant's
 * action on its VCM), run without picocli when their arguments are plain: picocli is compiled
 * for Java 5, so a class data sharing archive cannot hold it, and loading it and building its
 * model by reflection was the largest part of such a command's start. Anything else (help, a
 * typo, an option given twice, a value that does not convert, an {@code @file}) is left to
 * picocli, which then prints exactly what it always printed; a command taken here runs the
 * same code with the same values picocli would have set.
 */
final class Everyday {

  private static final String VERBOSE = "--verbose";
  private static final Set<String> PROVIDER = Set.of("--url", "--cacert", "--token-file", "--data-dir");
  private static final Set<String> TENANT = Set.of("--url", "--cacert", "--tenant-dir");

  /** A command the arguments fully name, with its values. */
  record Parsed(Callable<Integer> command, boolean verbose) {}

  /** One command: the words that name it, its value options and flags, how many UUIDs it takes. */
  private record Shape(List<String> words, Set<String> values, Set<String> flags, int minUuids, int maxUuids,
      Function<Args, Callable<Integer>> make) {}

  /** What the arguments after the command's words said. */
  private static final class Args {
    final Map<String, String> values = new HashMap<>();
    final Set<String> flags = new HashSet<>();
    UUID uuid;

    Options.Provider provider() {
      Options.Provider provider = new Options.Provider();
      provider.url = url();
      provider.tokenFile = values.containsKey("--token-file") ? Path.of(values.get("--token-file")) : null;
      provider.dataDir = values.containsKey("--data-dir") ? Path.of(values.get("--data-dir")) : null;
      return provider;
    }

    Options.Tenant tenant() {
      Options.Tenant tenant = new Options.Tenant();
      tenant.url = url();
      tenant.keys = new Options.TenantDir();
      tenant.keys.dir = Path.of(valueOrEnv("--tenant-dir", "VCM_TENANT_DIR", "./tenant"));
      return tenant;
    }

    Options.Esn esn() {
      Options.Esn esn = new Options.Esn();
      esn.esn = values.get("--esn");
      return esn;
    }

    Options.Json json() {
      Options.Json json = new Options.Json();
      json.json = flags.contains("--json");
      return json;
    }

    private Options.Url url() {
      Options.Url url = new Options.Url();
      url.url = new Options.UrlConverter().convert(
          valueOrEnv("--url", "ORCHESTRATOR_URL", "http://127.0.0.1:8750"));
      url.cacert = values.containsKey("--cacert") ? Path.of(values.get("--cacert")) : null;
      return url;
    }

    private String valueOrEnv(String option, String env, String otherwise) {
      String value = values.get(option);
      if (value != null) {
        return value;
      }
      String fromEnv = System.getenv(env);
      if (fromEnv != null && fromEnv.isEmpty()) {
        throw new Unusual();
      }
      return fromEnv != null ? fromEnv : otherwise;
    }
  }

  /** Arguments this class does not take: picocli's turn. */
  private static final class Unusual extends RuntimeException {
    Unusual() {
      super(null, null, false, false);
    }
  }

  private static final List<Shape> VCMADMIN = List.of(
      new Shape(List.of("show"), with(PROVIDER, "--esn"), Set.of("--json"), 0, 1, a -> {
        VcmAdminCommand.Show show = new VcmAdminCommand.Show();
        show.client = a.provider();
        show.hsm = a.esn();
        show.format = a.json();
        show.vcm = a.uuid == null ? null : a.uuid.toString();
        return show;
      }),
      list("list"),
      list("ls"),
      new Shape(List.of("stats"), with(PROVIDER, "--esn"), Set.of("--json"), 0, 0, a -> {
        VcmAdminCommand.Stats stats = new VcmAdminCommand.Stats();
        stats.client = a.provider();
        stats.hsm = a.esn();
        stats.format = a.json();
        return stats;
      }));

  private static final List<Shape> HSMADMIN = List.of(
      new Shape(List.of("info"), with(PROVIDER, "--esn"), Set.of("--json"), 0, 0, a -> {
        HsmAdminCommand.Info info = new HsmAdminCommand.Info();
        info.client = a.provider();
        info.hsm = a.esn();
        info.format = a.json();
        return info;
      }),
      new Shape(List.of("getenvstats"), with(PROVIDER, "--esn"), Set.of("--json"), 0, 0, a -> {
        HsmAdminCommand.GetEnvStats stats = new HsmAdminCommand.GetEnvStats();
        stats.client = a.provider();
        stats.hsm = a.esn();
        stats.format = a.json();
        return stats;
      }),
      tenant(List.of("vcm", "unenroll"), "unenroll"),
      tenant(List.of("vcm", "world", "load"), "world-load"),
      tenant(List.of("vcm", "mode", "operational"), "mode-operational"),
      tenant(List.of("vcm", "mode", "maintenance"), "mode-maintenance"),
      tenant(List.of("vcm", "audit", "on"), "audit-on"),
      tenant(List.of("vcm", "audit", "finalize"), "audit-finalize"),
      tenant(List.of("vcm", "acknowledge-restart"), "acknowledge-restart"));

  private Everyday() {}

  /** The command these arguments name, if it is one of the everyday ones written plainly. */
  static Parsed parse(Object program, String... args) {
    List<Shape> shapes = program instanceof VcmAdminCommand ? VCMADMIN
        : program instanceof HsmAdminCommand ? HSMADMIN : List.of();
    long verbose = Arrays.stream(args).filter(VERBOSE::equals).count();
    if (verbose > 1) {
      return null;
    }
    // --verbose is every command's option: it may stand anywhere, except as another option's value.
    String[] rest = Arrays.stream(args).filter(a -> !a.equals(VERBOSE)).toArray(String[]::new);
    for (Shape shape : shapes) {
      int words = shape.words().size();
      if (rest.length >= words && Arrays.asList(rest).subList(0, words).equals(shape.words())) {
        try {
          Args parsed = options(shape, Arrays.copyOfRange(rest, words, rest.length));
          if (verbose == 1 && followsValueOption(shape, args)) {
            return null;
          }
          return new Parsed(shape.make().apply(parsed), verbose == 1);
        } catch (Unusual | TypeConversionException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static boolean followsValueOption(Shape shape, String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals(VERBOSE) && shape.values().contains(args[i - 1])) {
        return true;
      }
    }
    return false;
  }

  private static Args options(Shape shape, String[] args) {
    Args parsed = new Args();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("-") && !arg.startsWith("@")) {
        if (parsed.uuid != null) {
          throw new Unusual();
        }
        parsed.uuid = new Converters.Uuid().convert(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      if (shape.flags().contains(name) && eq < 0 && parsed.flags.add(name)) {
        continue;
      }
      if (!shape.values().contains(name) || parsed.values.containsKey(name)) {
        throw new Unusual();
      }
      String value = eq >= 0 ? arg.substring(eq + 1) : i + 1 < args.length ? args[++i] : null;
      if (value == null || value.startsWith("-")) {
        throw new Unusual();
      }
      parsed.values.put(name, value);
    }
    int uuids = parsed.uuid == null ? 0 : 1;
    if (uuids < shape.minUuids() || uuids > shape.maxUuids()) {
      throw new Unusual();
    }
    return parsed;
  }

  /** {@code vcmadmin list}, and its alias: {@code -o} one of its formats, given once. */
  private static Shape list(String word) {
    Set<String> values = with(with(with(PROVIDER, "--esn"), "-o"), "--output");
    return new Shape(List.of(word), values, Set.of("--json", "--all"), 0, 0, a -> {
      VcmList list = new VcmList();
      list.client = a.provider();
      list.hsm = a.esn();
      list.json = a.json();
      list.all = a.flags.contains("--all");
      String o = a.values.get("-o");
      String output = a.values.get("--output");
      if (o != null && output != null) {
        throw new Unusual();
      }
      String format = o != null ? o : output;
      try {
        list.output = format == null ? null : VcmList.Format.valueOf(format);
      } catch (IllegalArgumentException e) {
        throw new Unusual();
      }
      return list;
    });
  }

  private static Shape tenant(List<String> words, String action) {
    return new Shape(words, TENANT, Set.of("--json"), 1, 1, a -> {
      Options.Tenant tenant = a.tenant();
      UUID vcm = a.uuid;
      boolean json = a.json().json;
      return () -> TenantCommand.act(tenant, vcm, action, json);
    });
  }

  private static Set<String> with(Set<String> options, String more) {
    Set<String> all = new HashSet<>(options);
    all.add(more);
    return all;
  }
}
