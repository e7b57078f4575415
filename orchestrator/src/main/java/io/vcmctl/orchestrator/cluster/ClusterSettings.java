package io.vcmctl.orchestrator.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configuration a node runs with: the operator's HOCON file over {@code vcmctl-cluster.conf}
 * (in cluster mode) over the modules' {@code reference.conf}. Every value an operator is likely
 * to get wrong is checked here, so that a bad file is one line naming the key and the fix
 * instead of an exception from deep inside Pekko.
 *
 * @param mode {@code local} or {@code cluster}
 * @param config the whole configuration, resolved; in cluster mode it carries the database password
 */
public record ClusterSettings(String mode, Config config) {

  public static final String SYSTEM_NAME = "vcm-orchestrator";
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");

  public boolean cluster() {
    return mode.equals("cluster");
  }

  /**
   * Reads {@code file} over the defaults; {@code overrides} (the command line's options, such as
   * the data directory) go over the file.
   *
   * @throws IllegalArgumentException one line: the file is missing or unreadable, or a key is wrong
   */
  public static ClusterSettings load(Path file, Config overrides) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--config " + file + ": no such file");
    }
    Config own;
    try {
      own = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("--config " + file + " is not valid HOCON: " + e.getMessage(), e);
    }
    own = overrides.withFallback(own);
    Config defaults = ConfigFactory.load();
    String mode = own.withFallback(defaults).getString("vcmctl.mode");
    if (mode.equals("local")) {
      return new ClusterSettings(mode, resolve(file, own.withFallback(defaults)));
    }
    if (!mode.equals("cluster")) {
      throw new IllegalArgumentException(file + ": vcmctl.mode = " + mode + " is neither local nor cluster");
    }
    Config layered = own.withFallback(ConfigFactory.parseResources("vcmctl-cluster.conf")).withFallback(defaults);
    Config c = layered.getConfig("vcmctl.cluster");
    String url = c.getString("db.url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(file + ": vcmctl.cluster.db.url must be a jdbc:postgresql: URL, not '"
          + url + "'");
    }
    String password = readPassword(file, c.getString("db.password-file"));
    List<String> seeds = new ArrayList<>();
    for (String seed : c.getStringList("seed-nodes")) {
      if (!HOST_PORT.matcher(seed).matches()) {
        throw new IllegalArgumentException(file + ": vcmctl.cluster.seed-nodes: '" + seed
            + "' is not host:port, such as 10.0.0.1:25520");
      }
      seeds.add("pekko://" + SYSTEM_NAME + "@" + seed);
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException(file + ": vcmctl.cluster.seed-nodes is empty; list the host:port of"
          + " the nodes to join (the same list on every node)");
    }
    for (String key : List.of("module-keys", "admin-token-file")) {
      if (c.getString(key).isBlank()) {
        throw new IllegalArgumentException(file + ": vcmctl.cluster." + key + " is not set; every node needs the"
            + " same shared path (docs/operations.md)");
      }
    }
    String storage = c.getString("hsm-storage");
    if (!storage.isBlank() && !Path.of(storage).isAbsolute()) {
      throw new IllegalArgumentException(file + ": vcmctl.cluster.hsm-storage must be an absolute path that every"
          + " node reaches, not '" + storage + "'");
    }
    Config computed = ConfigFactory.empty()
        .withValue("vcmctl.cluster.db.password", ConfigValueFactory.fromAnyRef(password))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    return new ClusterSettings(mode, resolve(file, computed.withFallback(layered)));
  }

  /** The cluster section of a resolved configuration. */
  public Config section() {
    return config.getConfig("vcmctl.cluster");
  }

  public Path moduleKeys() {
    return Path.of(section().getString("module-keys"));
  }

  public Path adminTokenFile() {
    return Path.of(section().getString("admin-token-file"));
  }

  /** Where each HSM's runtime data lives, under ESN/, when set: storage every node reaches. */
  public Optional<Path> hsmStorage() {
    String storage = section().getString("hsm-storage");
    return storage.isBlank() ? Optional.empty() : Optional.of(Path.of(storage));
  }

  public List<String> hsms() {
    return section().getStringList("hsms");
  }

  private static Config resolve(Path file, Config config) {
    try {
      return config.resolve();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static String readPassword(Path file, String passwordFile) {
    if (passwordFile.isBlank()) {
      throw new IllegalArgumentException(file + ": vcmctl.cluster.db.password-file is not set; put the database"
          + " password in an owner-only file and name it there");
    }
    try {
      return Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read vcmctl.cluster.db.password-file " + passwordFile
          + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
