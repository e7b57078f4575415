package io.vcmctl.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity;
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
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Monitoring hears of every complete poll cycle on the event stream: which HSM, how long it
 * took, when it ended on the host's clock (not the module clock), how many VCMs it asked and
 * how many stayed silent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CycleCompletedTest {

  private static final Instant MODULE_TIME = Instant.parse("2031-01-01T00:00:00Z");
  private static final StatsSettings SETTINGS =
      new StatsSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), 16L * 1024 * 1024, 0.8);

  private final ActorTestKit kit = ActorTestKit.create(ManualTime.config().withFallback(TestConfigs.inMemory()));
  private final ManualTime time = ManualTime.get(kit.system());

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void eachCompleteCycleIsPublishedWithItsFigures() {
    TestProbe<StatsPoller.CycleCompleted> cycles = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(StatsPoller.CycleCompleted.class, cycles.getRef()));
    TestProbe<HsmEntity.Command> hsm = kit.createTestProbe();
    TestProbe<VcmEntity.Command> answering = kit.createTestProbe();
    TestProbe<VcmEntity.Command> silent = kit.createTestProbe();
    UUID a = UUID.randomUUID();
    kit.spawn(StatsPoller.create(hsm.getRef(), SETTINGS, ModuleClock.create(Clock.fixed(MODULE_TIME, ZoneOffset.UTC))));

    hsm.expectMessageClass(HsmEntity.GetVcmRefs.class).replyTo()
        .tell(new HsmEntity.VcmRefs(Map.of(a, answering.getRef(), UUID.randomUUID(), silent.getRef())));
    VcmView view = new VcmView(a, VcmStatus.ACTIVE, new VcmProperties(false, false, false, List.of(), "a", "10.0.0.1",
        "key"), TenantFacts.INITIAL, "ssh", "tenant", MODULE_TIME, 1);
    answering.expectMessageClass(VcmEntity.MeasureUsage.class).replyTo()
        .tell(StatusReply.success(new VcmEntity.Measurement(view, Usage.of(1, 2))));
    silent.expectMessageClass(VcmEntity.MeasureUsage.class);
    cycles.expectNoMessage(Duration.ZERO);
    Instant before = Instant.now();
    time.timePasses(SETTINGS.vcmTimeout());
    hsm.expectMessageClass(HsmEntity.RecordStats.class);

    StatsPoller.CycleCompleted cycle = cycles.receiveMessage();
    assertEquals(hsm.getRef(), cycle.hsm());
    assertEquals(2, cycle.vcms());
    assertEquals(1, cycle.unanswered());
    assertFalse(cycle.duration().isNegative());
    assertTrue(!cycle.completedAt().isBefore(before) && !cycle.completedAt().isAfter(Instant.now()),
        () -> "completed at " + cycle.completedAt() + ", not on the host's clock");
  }
}
