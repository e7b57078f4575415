package io.vcmctl.softhsm;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the softhsm runtime, from {@code vcmctl.softhsm} in this module's reference.conf.
 *
 * @param directory absolute directory holding one directory per VCM
 * @param p11Kit the {@code p11-kit} program
 * @param provider the SoftHSMv2 PKCS#11 module a server serves
 * @param clientModule the PKCS#11 module a tenant loads to reach the server
 */
public record SoftHsmSettings(
    Path directory,
    Path p11Kit,
    Path provider,
    Path clientModule,
    Duration startTimeout,
    Duration stopGracePeriod,
    Duration killTimeout,
    int threads) {

  /** The longest path a unix socket address holds on Linux (108 bytes with the final NUL). */
  static final int MAX_SOCKET_PATH = 107;

  public SoftHsmSettings {
    directory = directory.toAbsolutePath().normalize();
    String dir = directory.toString();
    if (dir.contains("\n") || dir.contains("\r")) {
      throw new IllegalArgumentException("vcmctl.softhsm.directory must not contain a line break");
    }
    int socketPath = VcmDirectory.socketPathLength(directory);
    if (socketPath > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException("vcmctl.softhsm.directory " + dir + " is too long: a VCM's socket path"
          + " would be " + socketPath + " bytes, over the " + MAX_SOCKET_PATH
          + " a unix socket allows; choose a directory of at most "
          + (dir.getBytes(StandardCharsets.UTF_8).length - (socketPath - MAX_SOCKET_PATH)) + " bytes");
    }
    requireAbsolute("p11-kit", p11Kit);
    requireAbsolute("provider", provider);
    requireAbsolute("client-module", clientModule);
    requirePositive("start-timeout", startTimeout);
    requirePositive("stop-grace-period", stopGracePeriod);
    requirePositive("kill-timeout", killTimeout);
    if (threads < 1) {
      throw new IllegalArgumentException("vcmctl.softhsm.threads must be at least 1");
    }
  }

  /** Reads {@code vcmctl.softhsm}; a relative directory is taken under {@code vcmctl.data-dir}. */
  public static SoftHsmSettings fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.softhsm");
    Path dataDir = Path.of(config.getString("vcmctl.data-dir"));
    return new SoftHsmSettings(
        dataDir.resolve(c.getString("directory")),
        Path.of(c.getString("p11-kit")),
        Path.of(c.getString("provider")),
        Path.of(c.getString("client-module")),
        c.getDuration("start-timeout"),
        c.getDuration("stop-grace-period"),
        c.getDuration("kill-timeout"),
        c.getInt("threads"));
  }

  private static void requireAbsolute(String key, Path path) {
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("vcmctl.softhsm." + key + " must be an absolute path, not " + path);
    }
  }

  private static void requirePositive(String key, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("vcmctl.softhsm." + key + " must be longer than zero");
    }
  }
}
