package io.vcmctl.orchestrator.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

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

  /**
   * One command: the words that name it, its value options and flags, how many UUIDs it takes,
   * and the name {@link #command} makes it by. No lambdas on this path: bootstrapping one spins
   * method-handle classes at every start, which a class data sharing archive does not spare.
   */
  private record Shape(List<String> words, Set<String> values, Set<String> flags, int minUuids, int maxUuids,
      String name) {}

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
      url.url = Options.address(valueOrEnv("--url", "ORCHESTRATOR_URL", "http://127.0.0.1:8750"));
      if (url.url == null) {
        throw new Unusual();
      }
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

  private static final Set<String> PROVIDER_READ = with(PROVIDER, "--esn");
  private static final Set<String> JSON = Set.of("--json");

  private static final List<Shape> VCMADMIN = List.of(
      new Shape(List.of("show"), PROVIDER_READ, JSON, 0, 1, "show"),
      list("list"),
      list("ls"),
      new Shape(List.of("stats"), PROVIDER_READ, JSON, 0, 0, "stats"));

  private static final List<Shape> HSMADMIN = List.of(
      new Shape(List.of("info"), PROVIDER_READ, JSON, 0, 0, "info"),
      new Shape(List.of("getenvstats"), PROVIDER_READ, JSON, 0, 0, "getenvstats"),
      tenant(List.of("vcm", "unenroll"), "unenroll"),
      tenant(List.of("vcm", "world", "load"), "world-load"),
      tenant(List.of("vcm", "mode", "operational"), "mode-operational"),
      tenant(List.of("vcm", "mode", "maintenance"), "mode-maintenance"),
      tenant(List.of("vcm", "audit", "on"), "audit-on"),
      tenant(List.of("vcm", "audit", "finalize"), "audit-finalize"),
      tenant(List.of("vcm", "acknowledge-restart"), "acknowledge-restart"));

  /** A tenant's action on its VCM, as {@code hsmadmin vcm ACTION UUID} runs it. */
  private record TenantAction(Options.Tenant tenant, UUID vcm, String action, boolean json)
      implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      return TenantActions.act(tenant, vcm, action, json);
    }
  }

  private Everyday() {}

  /** The command these arguments name, if it is one of the everyday ones written plainly. */
  static Parsed parse(Object program, String... args) {
    List<Shape> shapes = program instanceof VcmAdminCommand ? VCMADMIN
        : program instanceof HsmAdminCommand ? HSMADMIN : List.of();
    // --verbose is every command's option: it may stand anywhere, except as another option's value.
    List<String> rest = new ArrayList<>(args.length);
    int verbose = 0;
    for (String arg : args) {
      if (arg.equals(VERBOSE)) {
        verbose++;
      } else {
        rest.add(arg);
      }
    }
    if (verbose > 1) {
      return null;
    }
    for (Shape shape : shapes) {
      int words = shape.words().size();
      if (rest.size() >= words && rest.subList(0, words).equals(shape.words())) {
        try {
          Args parsed = options(shape, rest.subList(words, rest.size()));
          if (verbose == 1 && followsValueOption(shape, args)) {
            return null;
          }
          return new Parsed(command(shape, parsed), verbose == 1);
        } catch (Unusual e) {
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

  private static Args options(Shape shape, List<String> args) {
    Args parsed = new Args();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("-") && !arg.startsWith("@")) {
        if (parsed.uuid != null) {
          throw new Unusual();
        }
        if (!Converters.isUuid(arg)) {
          throw new Unusual();
        }
        parsed.uuid = UUID.fromString(arg);
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
      String value = eq >= 0 ? arg.substring(eq + 1) : i + 1 < args.size() ? args.get(++i) : null;
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
    return new Shape(List.of(word), values, Set.of("--json", "--all"), 0, 0, "list");
  }

  private static Shape tenant(List<String> words, String action) {
    return new Shape(words, TENANT, JSON, 1, 1, action);
  }

  /** The command object picocli would have made, with the same values. */
  private static Callable<Integer> command(Shape shape, Args a) {
    switch (shape.name()) {
      case "show":
        VcmAdminCommand.Show show = new VcmAdminCommand.Show();
        show.client = a.provider();
        show.hsm = a.esn();
        show.format = a.json();
        show.vcm = a.uuid == null ? null : a.uuid.toString();
        return show;
      case "list":
        return list(a);
      case "stats":
        VcmAdminCommand.Stats stats = new VcmAdminCommand.Stats();
        stats.client = a.provider();
        stats.hsm = a.esn();
        stats.format = a.json();
        return stats;
      case "info":
        HsmAdminCommand.Info info = new HsmAdminCommand.Info();
        info.client = a.provider();
        info.hsm = a.esn();
        info.format = a.json();
        return info;
      case "getenvstats":
        HsmAdminCommand.GetEnvStats env = new HsmAdminCommand.GetEnvStats();
        env.client = a.provider();
        env.hsm = a.esn();
        env.format = a.json();
        return env;
      default:
        return new TenantAction(a.tenant(), a.uuid, shape.name(), a.json().json);
    }
  }

  private static VcmList list(Args a) {
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
  }

  private static Set<String> with(Set<String> options, String more) {
    Set<String> all = new HashSet<>(options);
    all.add(more);
    return all;
  }
}
