package io.vcmctl.stats;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmFixture;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** R11 on the real LevelDB journal: a VCM stopped for its disk use stays stopped across a restart. */
class DiskLimitLevelDbTest {

  static final long LIMIT = 16L * 1024 * 1024;

  @Test
  void aVcmStoppedForTheDiskLimitIsStillStoppedAfterARestart() {
    DataDirectory dir = TestConfigs.freshDataDirectory("disk-limit");
    Config config = TestConfigs.levelDb(dir);
    String esn = "DDDD-0000-0001";
    UUID vcm;

    ActorTestKit first = ActorTestKit.create("first", config);
    try {
      HsmFixture f = new HsmFixture(first, esn, dir.resolve("hsm")).spawn().ready(SpeedRating.MID, 10);
      TestTenant tenant = new TestTenant();
      vcm = f.<HsmEntity.CreatedVcm>ok(r -> new HsmEntity.CreateVcm(tenant.createRequest(Map.of("name", "big"), T0),
          ProviderChoices.NONE, ADMIN, r)).view().uuid();
      f.<VcmView>ok(r -> new HsmEntity.StartVcm(vcm, null, ADMIN, r));
      f.<VcmView>ok(r -> new HsmEntity.TenantAction(vcm, tenant.principal(), VcmEntity.Action.ENROLL, r));
      f.<VcmView>ok(r -> new HsmEntity.WriteData(vcm, tenant.principal(), LIMIT + 4096, r));
      first.spawn(StatsPoller.create(f.hsm, new StatsSettings(Duration.ofMillis(50), Duration.ofSeconds(5), LIMIT, 0.8),
          f.clock));
      TestProbe<StatusReply<VcmView>> probe = first.createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        f.hsm.tell(new HsmEntity.GetVcm(vcm, probe.getRef()));
        assertEquals(VcmStatus.DISK_LIMIT_STOPPED, probe.receiveMessage().getValue().status());
        return null;
      });
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("second", config);
    try {
      HsmFixture f = new HsmFixture(second, esn, dir.resolve("hsm")).spawn();
      assertEquals(VcmStatus.DISK_LIMIT_STOPPED, f.<VcmView>ok(r -> new HsmEntity.GetVcm(vcm, r)).status());
      StatusReply<VcmView> start = f.ask(r -> new HsmEntity.StartVcm(vcm, null, ADMIN, r));
      assertEquals(Refusal.Code.DISK_LIMIT_STOPPED, assertInstanceOf(Refusal.class, start.getError()).code());
      assertEquals(VcmStatus.DELETED, f.<VcmView>ok(r -> new HsmEntity.DeleteVcm(vcm, false, ADMIN, r)).status());
    } finally {
      second.shutdownTestKit();
    }
  }
}
