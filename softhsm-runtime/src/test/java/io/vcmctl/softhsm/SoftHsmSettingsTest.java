package io.vcmctl.softhsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoftHsmSettingsTest {

  @Test
  void defaultsPutTheVcmsUnderTheDataDirectoryAndNameTheDebianPrograms() {
    SoftHsmSettings settings = SoftHsmSettings.fromConfig(config(Map.of("vcmctl.data-dir", "/var/lib/vcmctl")));

    assertEquals(Path.of("/var/lib/vcmctl/vcms"), settings.directory());
    assertEquals(Path.of("/usr/bin/p11-kit"), settings.p11Kit());
    assertEquals(Path.of("/usr/lib/softhsm/libsofthsm2.so"), settings.provider());
    assertEquals(Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so"), settings.clientModule());
    assertEquals(Duration.ofSeconds(5), settings.stopGracePeriod());
  }

  @Test
  void anAbsoluteDirectoryIsTakenAsItIs() {
    SoftHsmSettings settings = SoftHsmSettings.fromConfig(config(Map.of(
        "vcmctl.data-dir", "/var/lib/vcmctl", "vcmctl.softhsm.directory", "/srv/tokens")));

    assertEquals(Path.of("/srv/tokens"), settings.directory());
  }

  @Test
  void aDirectoryTooDeepForTheSocketIsRefusedWithTheLengthThatFits() {
    String deep = "/srv/" + "d".repeat(60);

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () ->
        SoftHsmSettings.fromConfig(config(Map.of("vcmctl.data-dir", "/", "vcmctl.softhsm.directory", deep))));

    assertEquals("vcmctl.softhsm.directory " + deep + " is too long: a VCM's socket path would be 115 bytes,"
        + " over the 107 a unix socket allows; choose a directory of at most 57 bytes", refused.getMessage());
  }

  @Test
  void relativeProgramsAndNonPositiveTimesAreRefused() {
    assertEquals("vcmctl.softhsm.p11-kit must be an absolute path, not p11-kit",
        assertThrows(IllegalArgumentException.class, () -> SoftHsmSettings.fromConfig(config(Map.of(
            "vcmctl.data-dir", "/d", "vcmctl.softhsm.p11-kit", "p11-kit")))).getMessage());
    assertEquals("vcmctl.softhsm.stop-grace-period must be longer than zero",
        assertThrows(IllegalArgumentException.class, () -> SoftHsmSettings.fromConfig(config(Map.of(
            "vcmctl.data-dir", "/d", "vcmctl.softhsm.stop-grace-period", "0s")))).getMessage());
  }

  private static Config config(Map<String, String> values) {
    return ConfigFactory.load(ConfigFactory.parseMap(values));
  }
}
