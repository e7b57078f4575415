package io.vcmctl.persistence.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Configurations for tests: the in-memory journal, or real LevelDB in a fresh directory. */
public final class TestConfigs {

  private TestConfigs() {}

  /** In-memory journal and snapshot store, with the product's serialization bindings. */
  public static Config inMemory() {
    return ConfigFactory.parseString("pekko.loglevel = INFO\n"
            // The audit chain reads the journal it recovers from: here the in-memory one.
            + "vcmctl.audit.read-journal = \"pekko.persistence.testkit.query\"")
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(ConfigFactory.load());
  }

  /** The product's real LevelDB journal and local snapshot store under {@code dir}. */
  public static Config levelDb(DataDirectory dir) {
    return dir.create().config()
        .withFallback(ConfigFactory.parseString("pekko.loglevel = INFO"))
        .withFallback(ConfigFactory.load());
  }

  public static DataDirectory freshDataDirectory(String prefix) {
    try {
      return DataDirectory.of(Files.createTempDirectory(Path.of("target"), prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
