package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.Refusal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.junit.jupiter.api.Test;

/** The module clock accepts only a time within a century of the host's, and survives a journal that holds worse. */
class HsmClockTest extends HsmTestBase {

  static final Instant FAR_FUTURE = Instant.parse("+1000000000-12-31T23:59:59.999999999Z");
  static final Instant FAR_PAST = Instant.parse("-1000000000-01-01T00:00:00Z");

  @Test
  void refusesAModuleTimeBeyondACenturyFromTheHostClockAndRecordsNothing() {
    HsmFixture f = freshHsm();
    for (Instant wild : List.of(FAR_FUTURE, FAR_PAST, Instant.parse("+999999999-12-31T23:59:59Z"),
        T0.plus(ModuleClock.MAX_OFFSET).plusSeconds(1), T0.minus(ModuleClock.MAX_OFFSET).minusSeconds(1))) {
      Refusal r = refusedInfo(f, Refusal.Code.INVALID_ARGUMENT, reply -> new HsmEntity.SetTime(wild, ADMIN, reply));
      assertTrue(r.getMessage().contains("36525 days from this host's clock"), r.getMessage());
    }
    assertEquals(T0.plus(ModuleClock.MAX_OFFSET),
        f.<HsmInfo>ok(r -> new HsmEntity.SetTime(T0.plus(ModuleClock.MAX_OFFSET), ADMIN, r)).moduleTime(),
        "exactly a century is still allowed");
  }

  @Test
  void aJournalThatAlreadyHoldsAnUnreadableOffsetRecoversAndSaysWhichEvent() {
    HsmFixture f = freshHsm();
    f.<HsmInfo>ok(r -> new HsmEntity.SetTime(T0.plus(Duration.ofDays(1)), ADMIN, r));
    kit.stop(f.hsm);
    // What the first release persisted for settime +1000000000-12-31T23:59:59.999999999Z.
    String pid = HsmEntity.persistenceId(f.esn).id();
    long badSeqNr = journal.persistedInStorage(pid).size() + 1;
    journal.persistForRecovery(pid, List.of(new HsmEntity.ClockSet(Duration.between(T0, FAR_FUTURE),
        new EventMeta(T0, ADMIN, null))));

    HsmFixture again = LoggingTestKit.error("skips event " + badSeqNr + " of " + pid).expect(kit.system(),
        () -> new HsmFixture(kit, f.esn, f.env.keyDirectory()).spawn());
    HsmInfo info = info(again);
    assertEquals(T0.plus(Duration.ofDays(1)), info.moduleTime(), "the clock keeps the last readable setting");
    assertEquals(T0.plus(Duration.ofHours(2)),
        again.<HsmInfo>ok(r -> new HsmEntity.SetTime(T0.plus(Duration.ofHours(2)), ADMIN, r)).moduleTime(),
        "and settime corrects it");
  }
}
