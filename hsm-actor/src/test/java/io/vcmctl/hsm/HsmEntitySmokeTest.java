package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HsmEntitySmokeTest {

  final ActorTestKit kit = ActorTestKit.create(TestConfigs.inMemory());
  @TempDir Path keys;

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void createsStartsAndEnrollsAVcm() {
    HsmFixture f = new HsmFixture(kit, "5E4D-03E0-D947", keys).spawn().ready(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    HsmEntity.CreatedVcm created = f.ok(r -> new HsmEntity.CreateVcm(
        tenant.createRequest(Map.of("name", "payments"), T0), ProviderChoices.NONE, ADMIN, r));
    assertEquals("10.20.0.1", created.view().properties().ipAddress());
    VcmView started = f.ok(r -> new HsmEntity.StartVcm(created.view().uuid(), null, ADMIN, r));
    assertEquals(VcmStatus.ACTIVE, started.status());
    HsmInfo info = f.ok(HsmEntity.GetInfo::new);
    assertEquals(1, info.vcmsActive());
    assertEquals(1000, info.maxCreatableVcms());
  }
}
