package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reset cut short at every one of its journal writes. The process "dies" after the first
 * {@code k} writes of the reset (every later write fails, so the journal freezes there), the
 * journal is carried into a new actor system, and the HSM recovers on it: the reset is either
 * not begun at all or finished, never half done.
 *
 * <p>The reset of this HSM writes seven events: ResetBegan, two VCM stops, ResetStopsCompleted,
 * two autostart starts (the licence allows two active), ResetCompleted.
 */
class HsmResetInterruptedTest {

  static final Config CONFIG = ConfigFactory.parseString("vcmctl.hsm.vcm-ask-timeout = 1s")
      .withFallback(TestConfigs.inMemory());
  static final Network NEW_NETWORK = Network.ipv4("10.20.0.0/15");
  static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir Path keys;

  /** The VCMs before the reset: a active+autostart, b active, c and d stopped with autostart. */
  record Setup(String esn, UUID a, UUID b, UUID c, UUID d) {
    List<UUID> all() {
      return List.of(a, b, c, d);
    }
  }

  @ParameterizedTest(name = "the process dies after {0} of the reset''s writes")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void aResetCutShortIsFinishedAtRecovery(int writesBeforeDeath) {
    Map<String, List<Object>> journalAtDeath;
    Setup setup;
    ActorTestKit first = ActorTestKit.create("before-" + writesBeforeDeath, CONFIG);
    try {
      PersistenceTestKit journal = PersistenceTestKit.create(first.system());
      HsmFixture f = new HsmFixture(first, "5E4D-0000-000" + writesBeforeDeath, keys).spawn()
          .ready(SpeedRating.MID, 2);
      setup = new Setup(f.esn, vcm(f, true), vcm(f, false), vcm(f, true), vcm(f, true));
      f.<VcmView>ok(r -> new HsmEntity.StartVcm(setup.a(), null, ADMIN, r));
      f.<VcmView>ok(r -> new HsmEntity.StartVcm(setup.b(), null, ADMIN, r));
      f.<HsmInfo>ok(r -> new HsmEntity.SetNetwork(NEW_NETWORK, ADMIN, r));

      AtomicInteger writes = new AtomicInteger();
      journal.failNextNOpsCond((pid, op) -> op instanceof WriteEvents && writes.incrementAndGet() > writesBeforeDeath,
          1_000_000);
      TestProbe<StatusReply<HsmEntity.ResetOutcome>> client = first.createTestProbe();
      f.hsm.tell(new HsmEntity.Reset(ADMIN, client.getRef()));
      if (writesBeforeDeath == 7) {
        assertTrue(client.receiveMessage(PATIENCE).isSuccess(), "all seven writes pass: the reset completes");
      } else {
        first.createTestProbe().awaitAssert(PATIENCE, Duration.ofMillis(5), () -> {
          assertTrue(writes.get() > writesBeforeDeath, "the journal froze after " + writesBeforeDeath + " writes");
          return null;
        });
      }
      journalAtDeath = copy(journal, setup);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("after-" + writesBeforeDeath, CONFIG);
    try {
      PersistenceTestKit journal = PersistenceTestKit.create(second.system());
      journalAtDeath.forEach(journal::persistForRecovery);
      HsmFixture f = new HsmFixture(second, setup.esn(), keys).spawn();
      Map<UUID, VcmStatus> states = new LinkedHashMap<>();
      for (VcmView v : f.<List<VcmView>>ok(HsmEntity.ListVcms::new)) {
        states.put(v.uuid(), v.status());
      }
      HsmInfo info = f.ok(HsmEntity.GetInfo::new);
      List<Object> hsmEvents = journal.persistedInStorage(HsmEntity.persistenceId(setup.esn()).id()).stream()
          .map(ChainedEvent::unwrap).toList();
      // The fixture's own first reset (which put networking in effect) counts once in each.
      long began = hsmEvents.stream().filter(HsmEntity.ResetBegan.class::isInstance).count() - 1;
      long completed = hsmEvents.stream().filter(HsmEntity.ResetCompleted.class::isInstance).count() - 1;
      if (writesBeforeDeath == 0) {
        assertEquals(0, began, "nothing of the reset was recorded");
        assertEquals(NEW_NETWORK, info.pendingNetwork(), "networking still pending");
        assertEquals(Map.of(setup.a(), VcmStatus.ACTIVE, setup.b(), VcmStatus.ACTIVE, setup.c(), VcmStatus.INACTIVE,
            setup.d(), VcmStatus.INACTIVE), states, "nothing stopped or started");
        return;
      }
      assertEquals(1, began);
      assertEquals(1, completed, "the reset was finished exactly once");
      assertEquals(NEW_NETWORK, info.network(), "pending networking in effect");
      assertNull(info.pendingNetwork());
      assertEquals(Map.of(setup.a(), VcmStatus.ACTIVE, setup.b(), VcmStatus.INACTIVE, setup.c(), VcmStatus.ACTIVE,
          setup.d(), VcmStatus.INACTIVE), states, "active ones stopped, autostart ones started up to the licence");
      assertEquals(2, info.vcmsActive());
      List<Object> aEvents = journal.persistedInStorage(VcmEntity.persistenceId(setup.a()).id()).stream()
          .map(ChainedEvent::unwrap).toList();
      assertEquals(1, aEvents.stream().filter(VcmEntity.VcmStoppedForReset.class::isInstance).count(),
          "a was stopped once, not again on resuming");
      assertEquals(2, aEvents.stream().filter(VcmEntity.VcmStarted.class::isInstance).count(),
          "a was started before the reset and once by it");
    } finally {
      second.shutdownTestKit();
    }
  }

  static UUID vcm(HsmFixture f, boolean autostart) {
    Map<String, String> asked = autostart ? Map.of("name", "v", "autostart", "true") : Map.of("name", "v");
    byte[] request = new TestTenant().createRequest(asked, T0);
    return f.<HsmEntity.CreatedVcm>ok(r -> new HsmEntity.CreateVcm(request, ProviderChoices.NONE, ADMIN, r))
        .view().uuid();
  }

  static Map<String, List<Object>> copy(PersistenceTestKit journal, Setup setup) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    out.put(HsmEntity.persistenceId(setup.esn()).id(),
        journal.persistedInStorage(HsmEntity.persistenceId(setup.esn()).id()));
    for (UUID u : setup.all()) {
      out.put(VcmEntity.persistenceId(u).id(), journal.persistedInStorage(VcmEntity.persistenceId(u).id()));
    }
    return out;
  }
}
