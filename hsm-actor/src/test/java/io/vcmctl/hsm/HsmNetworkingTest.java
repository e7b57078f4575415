package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** Networking: pending until reset, required before create, addresses from the range. */
class HsmNetworkingTest extends HsmTestBase {

  static final Network V4 = Network.ipv4("10.20.0.0/16");

  HsmFixture licensed() {
    HsmFixture f = freshHsm();
    applyLicence(f, f.licence(true, SpeedRating.MID, 10));
    return f;
  }

  static byte[] createRequest(String name) {
    return new TestTenant().createRequest(Map.of("name", name), T0);
  }

  static ProviderChoices ip(String address) {
    return new ProviderChoices(null, null, null, address, null);
  }

  // ---- pending until reset ------------------------------------------------------------------

  @Test
  void setNetworkIsPendingUntilReset() {
    HsmFixture f = licensed();
    assertNull(info(f).network());
    assertNull(info(f).pendingNetwork());
    HsmInfo info = setNetwork(f, V4);
    assertNull(info.network(), "not in effect yet");
    assertEquals(V4, info.pendingNetwork());
    HsmEntity.ResetOutcome outcome = reset(f);
    assertEquals(V4, outcome.info().network());
    assertNull(outcome.info().pendingNetwork());
    assertEquals(V4, info(f).network());
  }

  @Test
  void infoShowsEffectiveAndPendingSeparately() {
    HsmFixture f = licensed();
    setNetwork(f, V4);
    reset(f);
    Network v6 = Network.ipv6("2001:db8:1::/64");
    HsmInfo info = setNetwork(f, v6);
    assertEquals(V4, info.network());
    assertEquals(v6, info.pendingNetwork());
    Network linkLocal = Network.ipv6LinkLocal();
    info = setNetwork(f, linkLocal);
    assertEquals(V4, info.network());
    assertEquals(linkLocal, info.pendingNetwork(), "the newer pending setting replaces the older");
    reset(f);
    assertEquals(linkLocal, info(f).network());
    assertNull(info(f).pendingNetwork());
  }

  @Test
  void refusesCreateBeforeNetworkingIsSet() {
    HsmFixture f = licensed();
    Refusal r = refusedCreate(f, Code.NETWORK_NOT_SET, createRequest("a"), ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("not set"), r.getMessage());
  }

  @Test
  void refusesCreateWhileNetworkingIsOnlyPending() {
    HsmFixture f = licensed();
    setNetwork(f, V4);
    Refusal r = refusedCreate(f, Code.NETWORK_NOT_SET, createRequest("a"), ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("pending") && r.getMessage().contains("hsmadmin reset"), r.getMessage());
    reset(f);
    create(f, "a");
  }

  // ---- addresses ----------------------------------------------------------------------------

  @Test
  void assignsTheFirstFreeUsableAddressesUniquely() {
    HsmFixture f = licensed();
    setNetwork(f, Network.ipv4("192.168.7.0/29"));
    reset(f);
    Set<String> ips = new HashSet<>();
    UUID first = null;
    for (int i = 0; i < 6; i++) {
      HsmEntity.CreatedVcm created = create(f, new TestTenant(), Map.of("name", "v" + i), ProviderChoices.NONE);
      ips.add(created.view().properties().ipAddress());
      assertEquals("192.168.7." + (i + 1), created.view().properties().ipAddress());
      if (first == null) {
        first = created.view().uuid();
      }
    }
    assertEquals(6, ips.size());
    Refusal r = refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("full"), ProviderChoices.NONE);
    assertTrue(r.getMessage().contains("no free address"), r.getMessage());
    delete(f, first);
    assertEquals("192.168.7.1", create(f, new TestTenant(), Map.of("name", "again"), ProviderChoices.NONE)
        .view().properties().ipAddress(), "a deleted VCM's address is free again");
  }

  @Test
  void assignsAfterAnExplicitlyChosenAddress() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    assertEquals("10.20.0.1", create(f, new TestTenant(), Map.of("name", "a"), ip("10.20.0.1")).view().properties().ipAddress());
    create(f, "b");
    assertEquals("10.20.0.2", list(f).get(1).properties().ipAddress());
  }

  @Test
  void assignsIpv6AndLinkLocalAddresses() {
    HsmFixture f = licensed();
    setNetwork(f, Network.ipv6("2001:db8:5::/64"));
    reset(f);
    assertEquals("2001:db8:5::1", create(f, new TestTenant(), Map.of("name", "a"), ProviderChoices.NONE)
        .view().properties().ipAddress());
    assertEquals("2001:db8:5::beef", create(f, new TestTenant(), Map.of("name", "b"), ip("2001:DB8:5:0::BEEF"))
        .view().properties().ipAddress(), "canonical form");

    HsmFixture ll = licensed();
    setNetwork(ll, Network.ipv6LinkLocal());
    reset(ll);
    assertEquals("fe80::1", create(ll, new TestTenant(), Map.of("name", "a"), ProviderChoices.NONE)
        .view().properties().ipAddress());
  }

  @Test
  void anExplicitAddressMustBeInsideTheRange() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    Refusal r = refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("a"), ip("10.21.0.5"));
    assertTrue(r.getMessage().contains("10.21.0.5 is not a usable address of ipv4 10.20.0.0/16"), r.getMessage());
    refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("a"), ip("10.20.0.0"));
    refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("a"), ip("10.20.255.255"));
    refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("a"), ip("2001:db8::1"));
    refusedCreate(f, Code.INVALID_ARGUMENT, createRequest("a"), ip("10.20.0.300"));
    assertEquals("10.20.255.254", create(f, new TestTenant(), Map.of("name", "a"), ip("10.20.255.254"))
        .view().properties().ipAddress(), "the last usable address");
  }

  @Test
  void anExplicitAddressMustBeUnused() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    create(f, new TestTenant(), Map.of("name", "a"), ip("10.20.3.4"));
    Refusal r = refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("b"), ip("10.20.3.4"));
    assertTrue(r.getMessage().contains("already used"), r.getMessage());
    assertEquals("10.20.3.5", create(f, new TestTenant(), Map.of("name", "b"), ip("10.20.3.5"))
        .view().properties().ipAddress());
  }

  @Test
  void anExplicitAddressMustAlsoFitPendingNetworking() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    setNetwork(f, Network.ipv4("10.20.8.0/24"));
    refusedCreate(f, Code.ADDRESS_UNAVAILABLE, createRequest("a"), ip("10.20.0.7"));
    assertEquals("10.20.8.7", create(f, new TestTenant(), Map.of("name", "a"), ip("10.20.8.7")).view().properties().ipAddress());
    assertEquals("10.20.8.1", create(f, new TestTenant(), Map.of("name", "b"), ProviderChoices.NONE)
        .view().properties().ipAddress(), "assigned inside both ranges");
  }

  // ---- conflicts ----------------------------------------------------------------------------

  @Test
  void refusesANetworkThatStrandsVcmsNamingThem() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    UUID a = create(f, new TestTenant(), Map.of("name", "a"), ip("10.20.0.9")).view().uuid();
    UUID b = create(f, new TestTenant(), Map.of("name", "b"), ip("10.20.200.9")).view().uuid();
    Refusal r = refusedInfo(f, Code.NETWORK_CONFLICT, reply -> new HsmEntity.SetNetwork(Network.ipv4("10.30.0.0/16"), ADMIN, reply));
    assertTrue(r.getMessage().contains(a.toString()) && r.getMessage().contains(b.toString()), r.getMessage());
    r = refusedInfo(f, Code.NETWORK_CONFLICT, reply -> new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/24"), ADMIN, reply));
    assertTrue(r.getMessage().contains(b + " (10.20.200.9)") && !r.getMessage().contains(a.toString()), r.getMessage());
    r = refusedInfo(f, Code.NETWORK_CONFLICT, reply -> new HsmEntity.SetNetwork(Network.ipv6LinkLocal(), ADMIN, reply));
    assertTrue(r.getMessage().contains(a.toString()), r.getMessage());
    // A range that keeps every VCM is accepted.
    Network keepsBoth = Network.ipv4("10.20.0.0/16");
    assertEquals(keepsBoth, setNetwork(f, keepsBoth).pendingNetwork());
  }

  @Test
  void aNetworkChangeWithoutVcmsIsAccepted() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    UUID a = create(f, "a");
    delete(f, a);
    assertEquals(Network.ipv6LinkLocal(), setNetwork(f, Network.ipv6LinkLocal()).pendingNetwork());
  }

  @Test
  void anAddressChangeInFlightCannotBeStrandedByANetworkChange() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    byte[] request = tenant.propertiesRequest(a, Map.of("ip_address", "10.20.1.5"), T0);
    TestProbe<StatusReply<HsmEntity.PropertySet>> modified = kit.createTestProbe();
    TestProbe<StatusReply<HsmInfo>> networked = kit.createTestProbe();
    // Both reach the HSM before the VCM answers the address change.
    f.hsm.tell(new HsmEntity.SetVcmProperty(a, request, "ip_address", "10.20.1.5", ADMIN, modified.getRef()));
    f.hsm.tell(new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/24"), ADMIN, networked.getRef()));
    StatusReply<HsmEntity.PropertySet> modify = modified.receiveMessage(Duration.ofSeconds(10));
    StatusReply<HsmInfo> network = networked.receiveMessage(Duration.ofSeconds(10));
    assertTrue(modify.isSuccess() != network.isSuccess(), () -> "exactly one may pass: " + modify + " / " + network);
    reset(f);
    HsmInfo info = info(f);
    for (VcmView v : list(f)) {
      assertTrue(info.network().contains(v.properties().ipAddress()), () -> v.properties().ipAddress() + " outside " + info.network());
    }
  }

  @Test
  void aNetworkChangeDuringACreateIsJudgedByTheNewVcmsAddress() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestProbe<StatusReply<HsmEntity.CreatedVcm>> created = kit.createTestProbe();
    TestProbe<StatusReply<HsmInfo>> networked = kit.createTestProbe();

    f.hsm.tell(new HsmEntity.CreateVcm(createRequest("outside"), ip("10.20.9.9"), ADMIN, created.getRef()));
    f.hsm.tell(new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/24"), ADMIN, networked.getRef()));
    StatusReply<HsmEntity.CreatedVcm> create = created.receiveMessage(Duration.ofSeconds(10));
    StatusReply<HsmInfo> network = networked.receiveMessage(Duration.ofSeconds(10));
    assertTrue(create.isSuccess(), create::toString);
    assertTrue(network.isError(), network::toString);
    Refusal r = (Refusal) network.getError();
    assertEquals(Code.NETWORK_CONFLICT, r.code());
    assertTrue(r.getMessage().contains(create.getValue().view().uuid().toString()), r.getMessage());
    assertNull(info(f).pendingNetwork());

    f.hsm.tell(new HsmEntity.CreateVcm(createRequest("inside"), ip("10.20.8.8"), ADMIN, created.getRef()));
    f.hsm.tell(new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/20"), ADMIN, networked.getRef()));
    assertTrue(created.receiveMessage(Duration.ofSeconds(10)).isSuccess());
    StatusReply<HsmInfo> accepted = networked.receiveMessage(Duration.ofSeconds(10));
    assertTrue(accepted.isSuccess(), accepted::toString);
    assertEquals(Network.ipv4("10.20.0.0/20"), accepted.getValue().pendingNetwork());
  }

  @Test
  void listingShowsEveryAddressOnce() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    for (int i = 0; i < 5; i++) {
      create(f, "v" + i);
    }
    List<String> ips = list(f).stream().map(v -> v.properties().ipAddress()).toList();
    assertEquals(List.of("10.20.0.1", "10.20.0.2", "10.20.0.3", "10.20.0.4", "10.20.0.5"), ips);
  }
}
