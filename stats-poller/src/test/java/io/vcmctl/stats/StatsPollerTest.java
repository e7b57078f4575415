package io.vcmctl.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEntity.VcmStats;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.TenantFacts;
import io.vcmctl.vcm.Usage;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The poller against a stand-in HSM and stand-in VCMs, on manual time: every timer and every
 * timeout moves only when the test says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsPollerTest {

  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final long LIMIT = 16L * 1024 * 1024;
  static final StatsSettings SETTINGS = new StatsSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), LIMIT, 0.8);

  final ActorTestKit kit = ActorTestKit.create(ManualTime.config().withFallback(TestConfigs.inMemory()));
  final ManualTime time = ManualTime.get(kit.system());
  final ModuleClock clock = ModuleClock.create(Clock.fixed(T0, ZoneOffset.UTC));

  TestProbe<HsmEntity.Command> hsm;

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void freshHsm() {
    hsm = kit.createTestProbe();
    clock.setOffset(Duration.ZERO);
  }

  ActorRef<StatsPoller.Command> poller(StatsSettings settings) {
    return kit.spawn(StatsPoller.create(hsm.getRef(), settings, clock));
  }

  /** Lets time pass on both the actor system's scheduler and the module clock. */
  void passes(Duration d) {
    clock.setOffset(clock.offset().plus(d));
    time.timePasses(d);
  }

  void answerListing(Map<UUID, ActorRef<VcmEntity.Command>> vcms) {
    HsmEntity.GetVcmRefs get = hsm.expectMessageClass(HsmEntity.GetVcmRefs.class);
    get.replyTo().tell(new HsmEntity.VcmRefs(vcms));
  }

  static VcmView view(UUID uuid, VcmStatus status) {
    return new VcmView(uuid, status, new VcmProperties(false, false, false, List.of("StandardFeatures"),
        "vcm-" + uuid.toString().substring(0, 4), "10.0.0.1", "key"), TenantFacts.INITIAL, "ssh", "tenant", T0, 1);
  }

  static void answerUsage(TestProbe<VcmEntity.Command> vcm, VcmView view, long memory, long disk) {
    VcmEntity.MeasureUsage m = vcm.expectMessageClass(VcmEntity.MeasureUsage.class);
    m.replyTo().tell(StatusReply.success(new VcmEntity.Measurement(view, Usage.of(memory, disk))));
  }

  Map<UUID, VcmStats> recorded() {
    return hsm.expectMessageClass(HsmEntity.RecordStats.class).stats().stream()
        .collect(Collectors.toMap(VcmStats::uuid, Function.identity()));
  }

  @Test
  void pollsAtOnceWhenStartedThenAFullDelayAfterEachCycle() {
    poller(SETTINGS);
    // No time passes: the first cycle does not wait for the delay.
    answerListing(Map.of());
    recorded();
    passes(Duration.ofSeconds(29));
    hsm.expectNoMessage(Duration.ZERO);
    passes(Duration.ofSeconds(1));
    hsm.expectMessageClass(HsmEntity.GetVcmRefs.class);
  }

  @Test
  void pollsActiveAndInactiveVcmsAndCountsMemoryOnlyForActiveOnes() {
    poller(SETTINGS);
    TestProbe<VcmEntity.Command> active = kit.createTestProbe();
    TestProbe<VcmEntity.Command> inactive = kit.createTestProbe();
    UUID a = UUID.randomUUID();
    UUID i = UUID.randomUUID();
    answerListing(Map.of(a, active.getRef(), i, inactive.getRef()));
    answerUsage(active, view(a, VcmStatus.ACTIVE), 40_000_000, 1000);
    answerUsage(inactive, view(i, VcmStatus.INACTIVE), 40_000_000, 2000);

    Map<UUID, VcmStats> stats = recorded();
    assertEquals(40_000_000, stats.get(a).memoryBytes());
    assertEquals(0, stats.get(i).memoryBytes(), "an inactive VCM uses no memory");
    assertEquals(2000, stats.get(i).diskBytes(), "disk counts even when inactive");
    assertEquals(T0, stats.get(i).collectedAt());
    assertTrue(stats.get(a).answering() && stats.get(i).answering());
  }

  @Test
  void aVcmThatDoesNotAnswerIsReportedAndTheOthersStillComplete() {
    poller(SETTINGS);
    TestProbe<VcmEntity.Command> silent = kit.createTestProbe();
    TestProbe<VcmEntity.Command> quick = kit.createTestProbe();
    UUID s = UUID.randomUUID();
    UUID q = UUID.randomUUID();
    answerListing(Map.of(s, silent.getRef(), q, quick.getRef()));
    silent.expectMessageClass(VcmEntity.MeasureUsage.class);
    answerUsage(quick, view(q, VcmStatus.ACTIVE), 1, 1);
    hsm.expectNoMessage(Duration.ZERO);

    passes(SETTINGS.vcmTimeout());
    Map<UUID, VcmStats> stats = recorded();
    assertTrue(stats.get(q).answering());
    assertFalse(stats.get(s).answering(), "reported as not answering");
  }

  @Test
  void aSlowCycleDelaysTheNextOneSoCyclesNeverOverlap() {
    StatsSettings patient = new StatsSettings(Duration.ofSeconds(30), Duration.ofSeconds(60), LIMIT, 0.8);
    poller(patient);
    TestProbe<VcmEntity.Command> slow = kit.createTestProbe();
    UUID u = UUID.randomUUID();
    answerListing(Map.of(u, slow.getRef()));
    VcmEntity.MeasureUsage m = slow.expectMessageClass(VcmEntity.MeasureUsage.class);
    // The VCM takes 45 s to answer: longer than the delay itself.
    passes(Duration.ofSeconds(45));
    hsm.expectNoMessage(Duration.ZERO);
    m.replyTo().tell(StatusReply.success(new VcmEntity.Measurement(view(u, VcmStatus.ACTIVE), Usage.of(1, 1))));
    recorded();

    passes(Duration.ofSeconds(29));
    hsm.expectNoMessage(Duration.ZERO);
    passes(Duration.ofSeconds(1));
    hsm.expectMessageClass(HsmEntity.GetVcmRefs.class);
  }

  @Test
  void stopsAVcmInTheFirstCycleThatSeesItsDiskOverTheLimitAndNotBefore() {
    poller(SETTINGS);
    TestProbe<VcmEntity.Command> vcm = kit.createTestProbe();
    UUID u = UUID.randomUUID();

    answerListing(Map.of(u, vcm.getRef()));
    answerUsage(vcm, view(u, VcmStatus.ACTIVE), 1, LIMIT);
    VcmStats atLimit = recorded().get(u);
    assertEquals(VcmStatus.ACTIVE, atLimit.status(), "exactly at the limit is not over it");
    assertTrue(atLimit.approachingDiskLimit());

    passes(Duration.ofSeconds(30));
    answerListing(Map.of(u, vcm.getRef()));
    answerUsage(vcm, view(u, VcmStatus.ACTIVE), 1, LIMIT + 1);
    HsmEntity.StopVcmForDiskLimit stop = hsm.expectMessageClass(HsmEntity.StopVcmForDiskLimit.class);
    assertEquals(u, stop.uuid());
    assertEquals(LIMIT + 1, stop.measuredBytes());
    assertEquals(LIMIT, stop.limitBytes());
    stop.replyTo().tell(StatusReply.success(view(u, VcmStatus.DISK_LIMIT_STOPPED)));
    VcmStats stopped = recorded().get(u);
    assertEquals(VcmStatus.DISK_LIMIT_STOPPED, stopped.status());
    assertEquals(0, stopped.memoryBytes());
  }

  @Test
  void flagsAVcmApproachingTheDiskLimitFromEightyPercent() {
    poller(SETTINGS);
    TestProbe<VcmEntity.Command> vcm = kit.createTestProbe();
    UUID u = UUID.randomUUID();
    answerListing(Map.of(u, vcm.getRef()));
    answerUsage(vcm, view(u, VcmStatus.INACTIVE), 0, (long) (LIMIT * 0.8) - 1);
    assertFalse(recorded().get(u).approachingDiskLimit());
    passes(Duration.ofSeconds(30));
    answerListing(Map.of(u, vcm.getRef()));
    answerUsage(vcm, view(u, VcmStatus.INACTIVE), 0, (long) Math.ceil(LIMIT * 0.8));
    assertTrue(recorded().get(u).approachingDiskLimit());
  }

  @Test
  void reportsItsCycles() {
    ActorRef<StatsPoller.Command> poller = poller(SETTINGS);
    answerListing(Map.of());
    recorded();
    TestProbe<StatsPoller.Status> status = kit.createTestProbe();
    poller.tell(new StatsPoller.GetStatus(status.getRef()));
    StatsPoller.Status s = status.receiveMessage();
    assertEquals(1, s.cyclesCompleted());
    assertNotNull(s.lastCompletedAt());
  }

  @Test
  void refusesAZeroOrNegativeDelayAtStartUp() {
    for (String delay : new String[] {"0s", "-5s"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StatsSettings.fromConfig(
          ConfigFactory.parseString("vcmctl.stats.delay = " + delay).withFallback(ConfigFactory.load())));
      assertTrue(e.getMessage().contains("vcmctl.stats.delay"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> StatsSettings.fromConfig(
        ConfigFactory.parseString("vcmctl.stats.delay = soon").withFallback(ConfigFactory.load())));
    assertEquals(Duration.ofSeconds(30), StatsSettings.fromConfig(ConfigFactory.load()).delay());
    assertEquals(16_777_216L, StatsSettings.fromConfig(ConfigFactory.load()).diskLimit());
  }
}
