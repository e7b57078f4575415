package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPlanTest {

  final Network net = Network.ipv4("10.0.0.0/30");

  @Test
  void assignsTheLowestFreeAddressThatAlsoFitsAPendingRange() {
    assertEquals("10.0.0.1", AddressPlan.assign(net, null, Set.of()));
    assertEquals("10.0.0.2", AddressPlan.assign(net, null, Set.of("10.0.0.1")));
    assertEquals("10.0.0.2", AddressPlan.assign(Network.ipv4("10.0.0.0/24"), Network.ipv4("10.0.0.0/30"),
        Set.of("10.0.0.1")));
  }

  @Test
  void aFullRangeIsRefusedWithTheWayOut() {
    Refusal r = assertThrows(Refusal.class, () -> AddressPlan.assign(net, null, Set.of("10.0.0.1", "10.0.0.2")));
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
