package io.vcmctl.stats;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmFixture;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.hsm.Supervision;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A poller that fails in a cycle is restarted, as the orchestrator supervises it, and R11 still holds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsPollerSupervisionTest {

  static final long LIMIT = 1024 * 1024;

  final ActorTestKit kit = ActorTestKit.create(TestConfigs.inMemory());
  @TempDir Path keys;

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  /** A clock that fails once when told to, the way a broken dependency would fail a cycle. */
  static final class FailingOnce extends Clock {
    final AtomicBoolean failNext = new AtomicBoolean();

    @Override
    public Instant instant() {
      if (failNext.getAndSet(false)) {
        throw new IllegalStateException("the poller's clock failed");
      }
      return T0;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void aPollerThatThrowsInACycleIsRestartedAndTheNextCycleStillStopsAVcmOverTheLimit() {
    HsmFixture f = new HsmFixture(kit, "BBBB-0000-0001", keys).spawn().ready(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID vcm = f.<HsmEntity.CreatedVcm>ok(r -> new HsmEntity.CreateVcm(tenant.createRequest(Map.of("name", "t"), T0),
        ProviderChoices.NONE, ADMIN, r)).view().uuid();
    f.<VcmView>ok(r -> new HsmEntity.StartVcm(vcm, null, ADMIN, r));
    f.<VcmView>ok(r -> new HsmEntity.TenantAction(vcm, tenant.principal(), VcmEntity.Action.ENROLL, r));

    FailingOnce clock = new FailingOnce();
    clock.failNext.set(true);
    StatsSettings settings = new StatsSettings(Duration.ofMillis(100), Duration.ofSeconds(5), LIMIT, 0.8);
    ActorRef<StatsPoller.Command> poller = LoggingTestKit.warn("the poller's clock failed").expect(kit.system(),
        () -> kit.spawn(Supervision.restarting(StatsPoller.create(f.hsm, settings, ModuleClock.create(clock)))));

    f.<VcmView>ok(r -> new HsmEntity.WriteData(vcm, tenant.principal(), LIMIT + 1, r));
    TestProbe<StatsPoller.Status> status = kit.createTestProbe();
    status.awaitAssert(Duration.ofSeconds(15), () -> {
      assertEquals(VcmStatus.DISK_LIMIT_STOPPED, f.<VcmView>ok(r -> new HsmEntity.GetVcm(vcm, r)).status());
      poller.tell(new StatsPoller.GetStatus(status.getRef()));
      assertTrue(status.receiveMessage().cyclesCompleted() >= 1, "the restarted poller completes its cycles");
      return null;
    });
  }
}
