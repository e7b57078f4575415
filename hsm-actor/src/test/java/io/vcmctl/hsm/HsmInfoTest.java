package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmStatus;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** hsmadmin info and getenvstats carry the keys of SPEC §3 with the right figures. */
class HsmInfoTest extends HsmTestBase {

  static final long MIB = 1024 * 1024;

  static Set<String> snakeCaseKeys(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
        .map(name -> name.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.toSet());
  }

  @Test
  void infoCarriesTheKeysOfSpecSection3() {
    Set<String> keys = snakeCaseKeys(HsmInfo.class);
    assertTrue(keys.containsAll(Set.of("esn", "speed_rating", "multi_tenant", "max_creatable_vcms", "max_active_vcms",
        "vcms_created", "vcms_active", "network", "pending_network")), keys.toString());
  }

  @Test
  void getenvstatsCarriesTheKeysOfSpecSection3() {
    assertEquals(Set.of("mem_total", "mem_used", "disk_used"), snakeCaseKeys(EnvStats.class));
  }

  @Test
  void infoReportsTheHsmAsItIs() {
    HsmFixture f = freshHsm();
    HsmInfo info = info(f);
    assertEquals(f.esn, info.esn());
    assertEquals(SpeedRating.BASE, info.speedRating());
    assertEquals(false, info.multiTenant());
    assertEquals(1, info.maxCreatableVcms());
    assertEquals(1, info.maxActiveVcms());
    assertEquals(0, info.vcmsCreated());
    assertEquals(0, info.vcmsActive());
    assertNull(info.network());
    assertNull(info.pendingNetwork());

    f.ready(SpeedRating.HIGH, 7);
    UUID a = create(f, "a");
    create(f, "b");
    UUID c = create(f, "c");
    start(f, a);
    start(f, c);
    setNetwork(f, Network.ipv4("10.20.0.0/24"));
    info = info(f);
    assertEquals(SpeedRating.HIGH, info.speedRating());
    assertTrue(info.multiTenant());
    assertEquals(1000, info.maxCreatableVcms());
    assertEquals(7, info.maxActiveVcms());
    assertEquals(3, info.vcmsCreated());
    assertEquals(2, info.vcmsActive());
    assertEquals(Network.ipv4("10.20.0.0/16"), info.network());
    assertEquals(Network.ipv4("10.20.0.0/24"), info.pendingNetwork());
  }

  @Test
  void getenvstatsAddsTheActiveVcmsMemoryToThePlatformBaseline() {
    HsmFixture f = readyHsm(SpeedRating.MID, 5);
    EnvStats empty = f.ok(HsmEntity.GetEnvStats::new);
    assertEquals(4096 * MIB, empty.memTotal());
    assertEquals(512 * MIB, empty.memUsed());
    assertEquals(0, empty.diskUsed());

    TestTenant tenant = new TestTenant();
    UUID active = create(f, tenant, Map.of("name", "active"), ProviderChoices.NONE).view().uuid();
    UUID inactive = create(f, "inactive");
    start(f, active);
    tenantDoes(f, tenant, active, Action.ENROLL);
    var stats = List.of(
        new HsmEntity.VcmStats(active, "active", VcmStatus.ACTIVE, 36 * MIB, 3 * MIB, 0, HsmFixture.T0, true, false),
        new HsmEntity.VcmStats(inactive, "inactive", VcmStatus.INACTIVE, 0, 5 * MIB, 0, HsmFixture.T0, true, false));
    TestProbe<Done> recorded = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.RecordStats(stats, recorded.getRef()));
    recorded.expectMessage(Done.getInstance());

    EnvStats env = f.ok(HsmEntity.GetEnvStats::new);
    assertEquals(4096 * MIB, env.memTotal());
    assertEquals(512 * MIB + 36 * MIB, env.memUsed());
    assertEquals(8 * MIB, env.diskUsed(), "disk counts inactive VCMs too");

    stop(f, active, true);
    EnvStats stopped = f.ok(HsmEntity.GetEnvStats::new);
    assertEquals(512 * MIB, stopped.memUsed(), "an inactive VCM uses no memory");
    assertEquals(8 * MIB, stopped.diskUsed());
  }
}
