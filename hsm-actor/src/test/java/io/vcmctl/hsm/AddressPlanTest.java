package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPlanTest {

  final Network net = Network.ipv4("10.0.0.0/30");

  @Test
  void assignsTheLowestFreeAddressThatAlsoFitsAPendingRange() {
    assertEquals("10.0.0.1", AddressPlan.assign(net, null, Set.of(), FreedAddresses.NONE));
    assertEquals("10.0.0.2", AddressPlan.assign(net, null, Set.of("10.0.0.1"), FreedAddresses.NONE));
    assertEquals("10.0.0.2", AddressPlan.assign(Network.ipv4("10.0.0.0/24"), Network.ipv4("10.0.0.0/30"),
        Set.of("10.0.0.1"), FreedAddresses.NONE));
  }

  @Test
  void aFreedAddressGoesToTheBackOfTheLine() {
    Network eight = Network.ipv4("10.0.0.0/29");
    Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
    FreedAddresses freed = FreedAddresses.NONE.with("10.0.0.1", t0.plusSeconds(60)).with("10.0.0.2", t0);
    assertEquals("10.0.0.3", AddressPlan.assign(eight, null, Set.of(), freed), "never used ones first");
    Set<String> rest = Set.of("10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6");
    assertEquals("10.0.0.2", AddressPlan.assign(eight, null, rest, freed), "then the one freed longest ago");
    assertEquals("10.0.0.1", AddressPlan.assign(eight, null, union(rest, "10.0.0.2"), freed));
    FreedAddresses oldOutside = FreedAddresses.NONE.with("10.0.0.9", t0).with("10.0.0.1", t0.plusSeconds(60));
    assertEquals("10.0.0.1", AddressPlan.assign(Network.ipv4("10.0.0.0/28"), eight, union(rest, "10.0.0.2"),
        oldOutside), "a freed address outside the pending range is passed over");
    Refusal full = assertThrows(Refusal.class, () -> AddressPlan.assign(eight, null,
        union(union(rest, "10.0.0.1"), "10.0.0.2"), freed));
    assertEquals(Code.ADDRESS_UNAVAILABLE, full.code());
  }

  private static Set<String> union(Set<String> a, String b) {
    Set<String> all = new HashSet<>(a);
    all.add(b);
    return all;
  }

  @Test
  void aFullRangeIsRefusedWithTheWayOut() {
    Refusal r = assertThrows(Refusal.class, () -> AddressPlan.assign(net, null, Set.of("10.0.0.1", "10.0.0.2"),
        FreedAddresses.NONE));
    assertEquals(Code.ADDRESS_UNAVAILABLE, r.code());
    assertTrue(r.getMessage().contains("delete a VCM or choose a larger range"), r.getMessage());
  }

  @Test
  void aChosenAddressIsCanonicalInsideBothRangesAndUnused() {
    assertEquals("10.0.0.2", AddressPlan.check(net, null, Set.of(), "10.0.0.2"));
    assertEquals(Code.INVALID_ARGUMENT, assertThrows(Refusal.class, () -> AddressPlan.check(net, null, Set.of(), "ten"))
        .code());
    assertEquals(Code.ADDRESS_UNAVAILABLE, assertThrows(Refusal.class,
        () -> AddressPlan.check(net, null, Set.of(), "10.0.0.3")).code(), "the broadcast address");
    assertEquals(Code.ADDRESS_UNAVAILABLE, assertThrows(Refusal.class,
        () -> AddressPlan.check(Network.ipv4("10.0.0.0/24"), net, Set.of(), "10.0.0.9")).code(), "outside the pending");
    assertEquals(Code.ADDRESS_UNAVAILABLE, assertThrows(Refusal.class,
        () -> AddressPlan.check(net, null, Set.of("10.0.0.2"), "10.0.0.2")).code());
  }
}
