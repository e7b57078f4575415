package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.TestTenant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A deleted VCM's address is not handed to the next VCM at once, also after a restart. */
class HsmAddressReuseTest extends HsmTestBase {

  private static String ip(HsmEntity.CreatedVcm created) {
    return created.view().properties().ipAddress();
  }

  private static HsmEntity.CreatedVcm createOn(HsmFixture f, String ipAddress) {
    return create(f, new TestTenant(), Map.of("name", "v"), new ProviderChoices(null, null, null, ipAddress, null));
  }

  @Test
  void aFreedAddressGoesToTheBackOfTheLineAndTakingItWarns() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    HsmEntity.CreatedVcm first = createOn(f, null);
    assertEquals("10.20.0.1", ip(first));
    assertEquals("10.20.0.2", ip(createOn(f, null)));
    delete(f, first.view().uuid());

    HsmEntity.CreatedVcm next = createOn(f, null);
    assertEquals("10.20.0.3", ip(next), "the address just freed was handed out again");
    assertEquals(List.of(), next.warnings());

    HsmFixture g = respawn(f);
    assertEquals("10.20.0.4", ip(createOn(g, null)), "a restart forgot which address was freed");
    HsmEntity.CreatedVcm reused = createOn(g, "10.20.0.1");
    assertEquals("10.20.0.1", ip(reused));
    assertEquals(List.of("10.20.0.1 was freed 0 s ago, within the address quarantine of 24 h"
        + " (vcmctl.hsm.address-quarantine): clients of the deleted VCM that had it may still reach this one;"
        + " choose another address unless they are gone"), reused.warnings());
  }

  @Test
  void theQuarantineWarnsOnlyWhileItLasts() {
    FreedAddresses freed = FreedAddresses.NONE.with("10.0.0.7", T0);
    Duration day = Duration.ofHours(24);
    assertTrue(Advice.addressReuse("10.0.0.7", freed, T0.plus(Duration.ofHours(23)), day).orElseThrow()
        .startsWith("10.0.0.7 was freed 23 h ago, within the address quarantine of 24 h"));
    assertTrue(Advice.addressReuse("10.0.0.7", freed, T0.plus(day), day).isEmpty());
    assertTrue(Advice.addressReuse("10.0.0.8", freed, T0, day).isEmpty(), "never freed");
    assertTrue(Advice.addressReuse("10.0.0.7", freed, T0, Duration.ZERO).isEmpty(), "no quarantine configured");
  }

}
