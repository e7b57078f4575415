package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.TestTenant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.junit.jupiter.api.Test;

/**
 * A deleted VCM's address, or the one a VCM gave up by changing its {@code ip_address}, is not
 * handed to the next VCM at once, also after a restart.
 */
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
    assertEquals(List.of(QUARANTINE_WARNING), reused.warnings());
  }

  private static HsmEntity.PropertySet moveTo(HsmFixture f, TestTenant tenant, UUID vcm, String ip) {
    byte[] request = tenant.propertiesRequest(vcm, Map.of("ip_address", ip), T0);
    return f.ok(r -> new HsmEntity.SetVcmProperty(vcm, request, "ip_address", ip, ADMIN, r));
  }

  private static final String QUARANTINE_WARNING = "10.20.0.1 was freed 0 s ago, within the address quarantine of"
      + " 24 h (vcmctl.hsm.address-quarantine): clients of the VCM that had it may still reach this one;"
      + " choose another address unless they are gone";

  @Test
  void anAddressGivenUpByAnAddressChangeGoesToTheBackOfTheLineAndTakingItWarns() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID moving = create(f, tenant, Map.of("name", "v"), ProviderChoices.NONE).view().uuid();
    assertEquals("10.20.0.9", moveTo(f, tenant, moving, "10.20.0.9").view().properties().ipAddress());

    assertEquals("10.20.0.2", ip(createOn(f, null)), "the address just given up was handed out again");
    HsmFixture g = respawn(f);
    assertEquals("10.20.0.3", ip(createOn(g, null)), "a restart forgot which address was given up");
    HsmEntity.CreatedVcm reused = createOn(g, "10.20.0.1");
    assertEquals(List.of(QUARANTINE_WARNING), reused.warnings());

    delete(g, reused.view().uuid());
    HsmEntity.PropertySet back = moveTo(g, tenant, moving, "10.20.0.1");
    assertEquals(List.of(QUARANTINE_WARNING), back.warnings(), "moving onto a freed address warns too");
    assertEquals(List.of(), moveTo(g, tenant, moving, "10.20.0.40").warnings());
  }

  @Test
  void aMoveTheHsmDidNotRecordBeforeARestartIsRecordedAtRecovery() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID moving = create(f, tenant, Map.of("name", "v"), ProviderChoices.NONE).view().uuid();
    // The VCM records its new address; the HSM's write of the move fails and it restarts.
    String hsmId = HsmEntity.persistenceId(f.esn).id();
    journal.failNextNOpsCond((pid, op) -> pid.equals(hsmId) && op instanceof WriteEvents, 1);
    byte[] request = tenant.propertiesRequest(moving, Map.of("ip_address", "10.20.0.9"), T0);
    assertTrue(f.<HsmEntity.PropertySet>ask(r -> new HsmEntity.SetVcmProperty(moving, request, "ip_address",
        "10.20.0.9", ADMIN, r)).isError(), "the client hears that the change was not recorded");
    journal.resetPolicy();

    assertEquals("10.20.0.9", view(f, moving).properties().ipAddress());
    HsmEntity.VcmAddressChanged recorded = journal.persistedInStorage(hsmId).stream().map(ChainedEvent::unwrap)
        .filter(HsmEntity.VcmAddressChanged.class::isInstance).map(HsmEntity.VcmAddressChanged.class::cast)
        .findFirst().orElseThrow();
    assertEquals(List.of("10.20.0.1", "10.20.0.9", "recovery"),
        List.of(recorded.from(), recorded.to(), recorded.meta().by().id()));
    assertEquals("10.20.0.2", ip(createOn(f, null)), "the address given up was handed out again");
    assertEquals(List.of(QUARANTINE_WARNING), createOn(f, "10.20.0.1").warnings());
  }

  @Test
  void anAdmissionOfAnEarlierVersionHashesAsItWasWritten() {
    UUID vcm = UUID.randomUUID();
    EventMeta meta = new EventMeta(T0, ADMIN, null);
    assertEquals(AuditChain.eventJson(new EarlierAdmission(vcm, 7, meta)),
        AuditChain.eventJson(new HsmEntity.VcmAdmitted(vcm, 7, meta, null)));
    assertEquals("10.20.0.1", AuditChain.eventJson(new HsmEntity.VcmAdmitted(vcm, 7, meta, "10.20.0.1"))
        .path("ipAddress").asText());
  }

  /** {@link HsmEntity.VcmAdmitted} as events written before it carried the address. */
  private record EarlierAdmission(UUID uuid, long order, EventMeta meta) {}

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
