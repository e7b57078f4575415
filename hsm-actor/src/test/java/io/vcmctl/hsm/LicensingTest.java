package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Licences counted again under the vendor key trusted now, as after reading a snapshot. */
class LicensingTest {

  private static final List<String> BASE = List.of("StandardFeatures");
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private final Licence multi = new Licence("multi", "E", true, SpeedRating.MID, 3, List.of("Extra"), T0);
  private final Licence speed = new Licence("speed", "E", false, SpeedRating.HIGH, 0, List.of(), T0);

  @Test
  void aRecheckCountsOnlyTheLicencesTheTrustedKeyVerifies() {
    Licensing both = Licensing.unlicensed(BASE).apply(new Licensing.Applied(multi, "m"), true, BASE)
        .apply(new Licensing.Applied(speed, "s"), true, BASE);
    assertEquals(3, both.maxActive());

    Licensing onlySpeed = both.recheck("E", BASE, a -> a.file().equals("s"));
    assertFalse(onlySpeed.multiTenant());
    assertEquals(1, onlySpeed.maxActive());
    assertEquals(SpeedRating.HIGH, onlySpeed.speed());
    assertEquals(BASE, onlySpeed.features());
    assertEquals(1, onlySpeed.notTrusted().size());
    assertTrue(onlySpeed.notTrusted().get(0).startsWith("licence multi issued " + T0), onlySpeed.notTrusted().get(0));

    assertEquals(both, onlySpeed.recheck("E", BASE, a -> true), "trusted again, it counts again");
  }

  @Test
  void aSnapshotFromBeforeLicenceFilesWereKeptKeepsItsLimits() {
    Licensing old = new Licensing(true, SpeedRating.MID, 3, List.of("Extra", "StandardFeatures"), null, null);
    Licensing rechecked = old.recheck("E", BASE, a -> false);
    assertTrue(rechecked.multiTenant());
    assertEquals(3, rechecked.maxActive());
    assertEquals(old.features(), rechecked.features());
    assertTrue(rechecked.notTrusted().isEmpty());
    assertEquals(Licensing.unlicensed(BASE), Licensing.unlicensed(BASE).recheck("E", BASE, a -> false));
  }
}
