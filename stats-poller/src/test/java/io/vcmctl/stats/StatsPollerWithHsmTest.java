package io.vcmctl.stats;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.EnvStats;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEntity.VcmStats;
import io.vcmctl.hsm.HsmFixture;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The poller with a real HSM and real VCMs (in-memory journal), on manual time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsPollerWithHsmTest {

  static final long LIMIT = 16L * 1024 * 1024;
  static final StatsSettings SETTINGS = new StatsSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), LIMIT, 0.8);

  final ActorTestKit kit = ActorTestKit.create(ManualTime.config().withFallback(TestConfigs.inMemory()));
  final ManualTime time = ManualTime.get(kit.system());
  @TempDir Path keys;

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  record Running(HsmFixture hsm, ActorRef<StatsPoller.Command> poller, TestTenant tenant, UUID vcm) {}

  /** An HSM with one active VCM whose tenant is enrolled, and its poller, past its first cycle. */
  Running running(String esn) {
    HsmFixture f = new HsmFixture(kit, esn, keys.resolve(esn)).spawn().ready(SpeedRating.MID, 10);
    TestTenant tenant = new TestTenant();
    UUID vcm = f.<HsmEntity.CreatedVcm>ok(r -> new HsmEntity.CreateVcm(tenant.createRequest(Map.of("name", "t"), T0),
        ProviderChoices.NONE, ADMIN, r)).view().uuid();
    f.<VcmView>ok(r -> new HsmEntity.StartVcm(vcm, null, ADMIN, r));
    f.<VcmView>ok(r -> new HsmEntity.TenantAction(vcm, tenant.principal(), VcmEntity.Action.ENROLL, r));
    Running r = new Running(f, kit.spawn(StatsPoller.create(f.hsm, SETTINGS, f.clock)), tenant, vcm);
    awaitCycles(r, 1);
    return r;
  }

  void passes(HsmFixture f, Duration d) {
    f.clock.setOffset(f.clock.offset().plus(d));
    time.timePasses(d);
  }

  /** Lets one cycle run: its timer fires, then the HSM and the VCMs answer in their own time. */
  void cycle(Running r) {
    long before = status(r).cyclesCompleted();
    passes(r.hsm(), SETTINGS.delay());
    awaitCycles(r, before + 1);
  }

  StatsPoller.Status status(Running r) {
    TestProbe<StatsPoller.Status> probe = kit.createTestProbe();
    r.poller().tell(new StatsPoller.GetStatus(probe.getRef()));
    return probe.receiveMessage();
  }

  List<VcmStats> stats(Running r) {
    return r.hsm().<HsmEntity.StoredStats>ok(HsmEntity.GetStats::new).vcms();
  }

  @Test
  void afterARestartTheFirstPollRunsAtOnceAndUntilThenStatsSaySo() {
    Running before = running("AAAA-0000-0004");
    assertTrue(before.hsm().<HsmEntity.StoredStats>ok(HsmEntity.GetStats::new).collectedSinceStart());
    kit.stop(before.poller());
    kit.stop(before.hsm().hsm);

    HsmFixture f = before.hsm().spawn();
    f.<VcmView>ok(x -> new HsmEntity.GetVcm(before.vcm(), x));
    HsmEntity.StoredStats empty = f.ok(HsmEntity.GetStats::new);
    assertEquals(false, empty.collectedSinceStart(), "no poll has reported since the restart");
    assertEquals(null, empty.vcms().get(0).collectedAt(), "a placeholder, not a figure");
    assertEquals(f.env.settings().platformMemory(), f.<EnvStats>ok(HsmEntity.GetEnvStats::new).memUsed());

    // No time passes on the scheduler: the first poll does not wait for the delay.
    Running after = new Running(f, kit.spawn(StatsPoller.create(f.hsm, SETTINGS, f.clock)), before.tenant(),
        before.vcm());
    awaitCycles(after, 1);
    HsmEntity.StoredStats collected = f.ok(HsmEntity.GetStats::new);
    assertTrue(collected.collectedSinceStart());
    assertTrue(collected.vcms().get(0).memoryBytes() > 0, "the active VCM's memory, measured");
    assertEquals(f.clock.now(), collected.vcms().get(0).collectedAt());
  }

  @Test
  void overTheDiskLimitTheVcmIsStoppedItsSlotFreedAndOnlyDeleteWorks() {
    Running r = running("AAAA-0000-0001");
    r.hsm().<VcmView>ok(x -> new HsmEntity.WriteData(r.vcm(), r.tenant().principal(), LIMIT + 1, x));
    cycle(r);

    VcmView stopped = r.hsm().ok(x -> new HsmEntity.GetVcm(r.vcm(), x));
    assertEquals(VcmStatus.DISK_LIMIT_STOPPED, stopped.status());
    assertEquals(0, r.hsm().<HsmInfo>ok(HsmEntity.GetInfo::new).vcmsActive(), "the active slot is freed");
    assertEquals(VcmStatus.DISK_LIMIT_STOPPED, stats(r).get(0).status());

    StatusReply<VcmView> start = r.hsm().ask(x -> new HsmEntity.StartVcm(r.vcm(), null, ADMIN, x));
    Refusal refusal = assertInstanceOf(Refusal.class, start.getError());
    assertEquals(Refusal.Code.DISK_LIMIT_STOPPED, refusal.code());
    assertTrue(refusal.getMessage().contains("delete"), refusal.getMessage());
    assertEquals(VcmStatus.DELETED, r.hsm().<VcmView>ok(x -> new HsmEntity.DeleteVcm(r.vcm(), false, ADMIN, x)).status());
  }

  @Test
  void statsAreAnsweredFromTheStoreAndNeverStalerThanTheDelayPlusOneCycle() {
    Running r = running("AAAA-0000-0002");
    assertEquals(1, stats(r).size());
    cycle(r);
    Duration worst = Duration.ZERO;
    for (int i = 0; i < 3; i++) {
      long cycles = status(r).cyclesCompleted();
      Duration bound = SETTINGS.delay().plus(status(r).lastDuration());
      // Query across a whole delay; the last step lets the next cycle start.
      for (int step = 0; step < 3; step++) {
        Instant now = r.hsm().clock.now();
        for (VcmStats s : stats(r)) {
          Duration staleness = Duration.between(s.collectedAt(), now);
          worst = staleness.compareTo(worst) > 0 ? staleness : worst;
          assertTrue(staleness.compareTo(bound) <= 0, staleness + " exceeds " + bound);
        }
        passes(r.hsm(), Duration.ofSeconds(10));
      }
      awaitCycles(r, cycles + 1);
    }
    assertEquals(Duration.ofSeconds(20), worst, "figures age between polls, up to the last query before a poll");
  }

  void awaitCycles(Running r, long count) {
    TestProbe<StatsPoller.Status> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      r.poller().tell(new StatsPoller.GetStatus(probe.getRef()));
      assertEquals(count, probe.receiveMessage().cyclesCompleted());
      return null;
    });
  }

  @Test
  void memUsedIsThePlatformBaselinePlusTheActiveVcmsMemory() {
    Running r = running("AAAA-0000-0003");
    cycle(r);
    long vcmMemory = stats(r).get(0).memoryBytes();
    assertTrue(vcmMemory > 0);
    EnvStats after = r.hsm().ok(HsmEntity.GetEnvStats::new);
    assertEquals(r.hsm().env.settings().platformMemory() + vcmMemory, after.memUsed());
    assertEquals(stats(r).get(0).diskBytes(), after.diskUsed());
  }
}
