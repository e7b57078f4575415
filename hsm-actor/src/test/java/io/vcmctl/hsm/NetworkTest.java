package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The VCM networking of an HSM: parsing, membership, and address assignment. */
class NetworkTest {

  static String parseError(Runnable parse) {
    String message = assertThrows(IllegalArgumentException.class, parse::run).getMessage();
    assertFalse(message.contains("\n"), message);
    return message;
  }

  // ---- parsing ------------------------------------------------------------------------------

  @Test
  void parsesAnIpv4CidrToItsNetworkAddress() {
    Network n = Network.ipv4("10.20.3.7/16");
    assertEquals(Network.Kind.IPV4, n.kind());
    assertEquals("10.20.0.0", n.prefix());
    assertEquals(16, n.length());
    assertEquals("ipv4 10.20.0.0/16", n.toString());
  }

  @Test
  void parsesAnIpv6PrefixToItsCanonicalForm() {
    Network n = Network.ipv6("2001:0DB8:0:0:1::5/64");
    assertEquals(Network.Kind.IPV6, n.kind());
    assertEquals("2001:db8::", n.prefix());
    assertEquals(64, n.length());
    assertEquals("ipv6 2001:db8::/64", n.toString());
  }

  @Test
  void linkLocalIsFe80Slash64() {
    Network n = Network.ipv6LinkLocal();
    assertEquals(Network.Kind.IPV6_LINK_LOCAL, n.kind());
    assertEquals("ipv6-link-local fe80::/64", n.toString());
  }

  @Test
  void refusesTextThatIsNotCidr() {
    assertTrue(parseError(() -> Network.ipv4("10.20.0.0")).contains("not in CIDR form"));
    assertTrue(parseError(() -> Network.ipv4("")).contains("not in CIDR form"));
    assertTrue(parseError(() -> Network.ipv4(null)).contains("not in CIDR form"));
    assertTrue(parseError(() -> Network.ipv4("10.20.0.0/abc")).contains("no valid prefix length"));
    assertTrue(parseError(() -> Network.ipv4("300.1.1.1/8")).contains("not an IPv4 or IPv6 address"));
    assertTrue(parseError(() -> Network.ipv4("example.com/24")).contains("not an IPv4 or IPv6 address"));
  }

  @Test
  void refusesTheWrongAddressFamily() {
    assertTrue(parseError(() -> Network.ipv4("2001:db8::/64")).contains("is not an IPv4 range"));
    assertTrue(parseError(() -> Network.ipv6("10.0.0.0/8")).contains("is not an IPv6 range"));
  }

  @Test
  void refusesPrefixLengthsOutOfRange() {
    assertTrue(parseError(() -> Network.ipv4("10.0.0.0/0")).contains("between 1 and 32"));
    assertTrue(parseError(() -> Network.ipv4("10.0.0.0/33")).contains("between 1 and 32"));
    assertTrue(parseError(() -> Network.ipv6("2001:db8::/129")).contains("between 1 and 128"));
  }

  @Test
  void refusesRangesWithTooFewUsableAddresses() {
    Network.ipv4("10.0.0.0/30");
    assertTrue(parseError(() -> Network.ipv4("10.0.0.0/31")).contains("/30 or shorter"));
    assertTrue(parseError(() -> Network.ipv4("10.0.0.1/32")).contains("/30 or shorter"));
    Network.ipv6("2001:db8::/126");
    assertTrue(parseError(() -> Network.ipv6("2001:db8::/127")).contains("/126 or shorter"));
  }

  @Test
  void refusesLinkLocalAsAnIpv6Prefix() {
    assertTrue(parseError(() -> Network.ipv6("fe80::/64")).contains("--ipv6-link-local"));
    assertTrue(parseError(() -> Network.ipv6("febf:1::/64")).contains("--ipv6-link-local"));
    assertEquals(Network.Kind.IPV6, Network.ipv6("fec0::/64").kind());
  }

  // ---- contains -----------------------------------------------------------------------------

  @Test
  void ipv4ContainsItsUsableAddressesOnly() {
    Network n = Network.ipv4("192.168.5.0/24");
    assertTrue(n.contains("192.168.5.1"));
    assertTrue(n.contains("192.168.5.254"));
    assertFalse(n.contains("192.168.5.0"), "network address");
    assertFalse(n.contains("192.168.5.255"), "broadcast address");
    assertFalse(n.contains("192.168.6.1"));
    assertFalse(n.contains("192.168.4.255"));
    assertFalse(n.contains("2001:db8::1"), "other family");
    assertFalse(n.contains("not an address"));
    assertFalse(n.contains(null));
  }

  @Test
  void ipv6ContainsEveryAddressButTheSubnetRouterAnycast() {
    Network n = Network.ipv6("2001:db8:0:7::/64");
    assertTrue(n.contains("2001:db8:0:7::1"));
    assertTrue(n.contains("2001:db8:0:7:ffff:ffff:ffff:ffff"), "no broadcast in IPv6");
    assertTrue(n.contains("2001:DB8:0:7:0:0:0:2"));
    assertFalse(n.contains("2001:db8:0:7::"), "the network address");
    assertFalse(n.contains("2001:db8:0:8::1"));
    assertFalse(n.contains("10.0.0.1"));
  }

  @Test
  void linkLocalContainsFe80Addresses() {
    Network n = Network.ipv6LinkLocal();
    assertTrue(n.contains("fe80::1"));
    assertTrue(n.contains("fe80::abcd:1234:5678:9abc"));
    assertFalse(n.contains("fe80::"));
    assertFalse(n.contains("fe80:0:0:1::1"), "outside fe80::/64");
    assertFalse(n.contains("2001:db8::1"));
  }

  // ---- firstFree ----------------------------------------------------------------------------

  @Test
  void firstFreeIsTheLowestUsableUnusedAddress() {
    Network n = Network.ipv4("10.0.0.0/24");
    assertEquals(Optional.of("10.0.0.1"), n.firstFree(Set.of(), Optional.empty()));
    assertEquals(Optional.of("10.0.0.2"), n.firstFree(Set.of("10.0.0.1"), Optional.empty()));
    assertEquals(Optional.of("10.0.0.2"), n.firstFree(Set.of("10.0.0.1", "10.0.0.3"), Optional.empty()),
        "fills the first gap");
    assertEquals(Optional.of("10.0.0.1"), n.firstFree(Set.of("10.9.9.9", "2001:db8::1"), Optional.empty()),
        "addresses outside the range do not count");
  }

  @Test
  void firstFreeNeverGivesTheBroadcastAddress() {
    Network n = Network.ipv4("10.0.0.0/30");
    assertEquals(Optional.of("10.0.0.2"), n.firstFree(Set.of("10.0.0.1"), Optional.empty()));
    assertEquals(Optional.empty(), n.firstFree(Set.of("10.0.0.1", "10.0.0.2"), Optional.empty()),
        "10.0.0.3 is the broadcast address");
  }

  @Test
  void firstFreeFitsThePendingNetworkToo() {
    Network current = Network.ipv4("10.0.0.0/16");
    Optional<Network> pending = Optional.of(Network.ipv4("10.0.8.0/24"));
    assertEquals(Optional.of("10.0.8.1"), current.firstFree(Set.of(), pending));
    assertEquals(Optional.empty(), current.firstFree(Set.of(), Optional.of(Network.ipv4("10.1.0.0/24"))),
        "no address is in both");
  }

  @Test
  void firstFreeInIpv6AndLinkLocal() {
    assertEquals(Optional.of("2001:db8::1"), Network.ipv6("2001:db8::/64").firstFree(Set.of(), Optional.empty()));
    assertEquals(Optional.of("2001:db8::3"),
        Network.ipv6("2001:db8::/64").firstFree(Set.of("2001:db8::1", "2001:db8::2"), Optional.empty()));
    assertEquals(Optional.of("fe80::2"), Network.ipv6LinkLocal().firstFree(Set.of("fe80::1"), Optional.empty()));
    Network small = Network.ipv6("2001:db8::/126");
    assertEquals(Optional.empty(), small.firstFree(Set.of("2001:db8::1", "2001:db8::2", "2001:db8::3"), Optional.empty()));
  }
}
