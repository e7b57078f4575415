package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** HSM-wide invariants hold under concurrent commands: every tell is sent before any reply is read. */
class HsmConcurrencyTest extends HsmTestBase {

  static final Duration REPLY = Duration.ofSeconds(20);

  /** Successes and refusals by code; anything else fails the test. */
  record Tally<T>(List<T> successes, Map<Code, Integer> refusals) {}

  static <T> Tally<T> collect(TestProbe<StatusReply<T>> probe, int count) {
    List<T> successes = new ArrayList<>();
    Map<Code, Integer> refusals = new EnumMap<>(Code.class);
    for (int i = 0; i < count; i++) {
      StatusReply<T> reply = probe.receiveMessage(REPLY);
      if (reply.isSuccess()) {
        successes.add(reply.getValue());
      } else {
        Refusal r = assertInstanceOf(Refusal.class, reply.getError());
        assertOneLine(r.getMessage());
        refusals.merge(r.code(), 1, Integer::sum);
      }
    }
    probe.expectNoMessage(Duration.ofMillis(50));
    return new Tally<>(successes, refusals);
  }

  @Test
  void concurrentStartsNeverExceedTheActiveLimit() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    List<UUID> vcms = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      vcms.add(create(f, "v" + i));
    }
    TestProbe<StatusReply<VcmView>> probe = kit.createTestProbe();
    for (int i = 0; i < 200; i++) {
      f.hsm.tell(new HsmEntity.StartVcm(vcms.get(i % 20), null, ADMIN, probe.getRef()));
    }
    Tally<VcmView> tally = collect(probe, 200);

    assertEquals(10, tally.successes().size(), tally.refusals().toString());
    assertEquals(10, new HashSet<>(tally.successes().stream().map(VcmView::uuid).toList()).size(),
        "ten different VCMs started");
    assertTrue(Set.of(Code.ACTIVE_LIMIT_REACHED, Code.ALREADY_ACTIVE).containsAll(tally.refusals().keySet()),
        tally.refusals().toString());
    assertEquals(190, tally.refusals().values().stream().mapToInt(Integer::intValue).sum());
    assertEquals(10, info(f).vcmsActive());
    assertEquals(10, list(f).stream().filter(v -> v.status() == VcmStatus.ACTIVE).count());
    Set<UUID> started = new HashSet<>(tally.successes().stream().map(VcmView::uuid).toList());
    for (VcmView v : list(f)) {
      assertEquals(started.contains(v.uuid()), v.status() == VcmStatus.ACTIVE, v.uuid().toString());
    }
  }

  @Test
  void concurrentCreatesNeverExceedTheCreateLimit() {
    HsmFixture f = readyHsm(SpeedRating.BASE, 5);
    TestProbe<StatusReply<HsmEntity.CreatedVcm>> probe = kit.createTestProbe();
    List<byte[]> requests = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      requests.add(new TestTenant().createRequest(Map.of("name", "v" + i), T0));
    }
    for (byte[] request : requests) {
      f.hsm.tell(new HsmEntity.CreateVcm(request, ProviderChoices.NONE, ADMIN, probe.getRef()));
    }
    Tally<HsmEntity.CreatedVcm> tally = collect(probe, 20);

    assertEquals(5, tally.successes().size(), tally.refusals().toString());
    assertEquals(Map.of(Code.CREATE_LIMIT_REACHED, 15), tally.refusals());
    Set<String> ips = new HashSet<>();
    tally.successes().forEach(c -> ips.add(c.view().properties().ipAddress()));
    assertEquals(5, ips.size(), "every address unique");
    assertEquals(5, info(f).vcmsCreated());
    assertEquals(5, list(f).size());
  }

  @Test
  void concurrentSerialCardreaderCreatesLetExactlyOneThrough() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestProbe<StatusReply<HsmEntity.CreatedVcm>> probe = kit.createTestProbe();
    byte[] one = new TestTenant().createRequest(Map.of("name", "one", "serial_cardreader", "true"), T0);
    byte[] two = new TestTenant().createRequest(Map.of("name", "two", "serial_cardreader", "true"), T0);
    f.hsm.tell(new HsmEntity.CreateVcm(one, ProviderChoices.NONE, ADMIN, probe.getRef()));
    f.hsm.tell(new HsmEntity.CreateVcm(two, ProviderChoices.NONE, ADMIN, probe.getRef()));
    Tally<HsmEntity.CreatedVcm> tally = collect(probe, 2);

    assertEquals(1, tally.successes().size());
    assertEquals(Map.of(Code.SERIAL_CARDREADER_IN_USE, 1), tally.refusals());
    assertEquals(1, list(f).stream().filter(v -> v.properties().serialCardreader()).count());
    assertEquals(1, info(f).vcmsCreated());
  }

  @Test
  void concurrentSerialCardreaderCreateAndPropertyChangeLetExactlyOneThrough() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    byte[] change = tenant.propertiesRequest(a, Map.of("serial_cardreader", "true"), T0);
    byte[] other = new TestTenant().createRequest(Map.of("name", "b", "serial_cardreader", "true"), T0);
    TestProbe<StatusReply<HsmEntity.PropertySet>> modified = kit.createTestProbe();
    TestProbe<StatusReply<HsmEntity.CreatedVcm>> created = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.SetVcmProperty(a, change, "serial_cardreader", "true", ADMIN, modified.getRef()));
    f.hsm.tell(new HsmEntity.CreateVcm(other, ProviderChoices.NONE, ADMIN, created.getRef()));
    StatusReply<HsmEntity.PropertySet> m = modified.receiveMessage(REPLY);
    StatusReply<HsmEntity.CreatedVcm> c = created.receiveMessage(REPLY);
    assertTrue(m.isSuccess() != c.isSuccess(), () -> m + " / " + c);
    assertEquals(1, list(f).stream().filter(v -> v.properties().serialCardreader()).count());
  }

  @Test
  void concurrentEnrollmentsOfOneTenantLetExactlyOneThrough() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    List<UUID> vcms = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      vcms.add(create(f, tenant, Map.of("name", "v" + i), ProviderChoices.NONE).view().uuid());
      start(f, vcms.get(i));
    }
    TestProbe<StatusReply<VcmView>> probe = kit.createTestProbe();
    for (int round = 0; round < 4; round++) {
      for (UUID uuid : vcms) {
        f.hsm.tell(new HsmEntity.TenantAction(uuid, tenant.principal(), Action.ENROLL, probe.getRef()));
      }
    }
    Tally<VcmView> tally = collect(probe, 20);
    assertEquals(Set.of(Code.TENANT_ALREADY_ENROLLED), tally.refusals().keySet());
    assertEquals(1, new HashSet<>(tally.successes().stream().map(VcmView::uuid).toList()).size(),
        "only one VCM was enrolled, perhaps more than once");
    assertEquals(1, list(f).stream().filter(v -> v.facts().enrolled()).count());
  }
}
