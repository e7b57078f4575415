package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.junit.jupiter.api.Test;

/**
 * A crash between the HSM's and a VCM's persisted events: the persistence testkit fails one of
 * the two writes, the HSM is restarted on the same journal, and recovery reconciles them: no
 * VCM is lost, none is counted twice, the active count is the number actually running.
 */
class HsmCrashConsistencyTest extends HsmTestBase {

  @Override
  Config config() {
    // A failed VCM write is noticed by the HSM when its ask times out.
    return ConfigFactory.parseString("vcmctl.hsm.vcm-ask-timeout = 1s").withFallback(TestConfigs.inMemory());
  }

  /**
   * Fails the next {@code n} event writes of persistence ids starting with {@code prefix}; counts
   * the matching writes (the first {@code n} of them failed).
   */
  AtomicInteger failWrites(String prefix, int n) {
    AtomicInteger failed = new AtomicInteger();
    journal.failNextNOpsCond((pid, op) -> {
      boolean match = pid.startsWith(prefix) && op instanceof WriteEvents;
      if (match) {
        failed.incrementAndGet();
      }
      return match;
    }, n);
    return failed;
  }

  List<Object> hsmEvents(HsmFixture f) {
    return journal.persistedInStorage(HsmEntity.persistenceId(f.esn).id()).stream().map(ChainedEvent::unwrap).toList();
  }

  <E> List<E> hsmEvents(HsmFixture f, Class<E> type) {
    return hsmEvents(f).stream().filter(type::isInstance).map(type::cast).toList();
  }

  // ---- (a) VcmAdmitted persisted, the VCM's create not ---------------------------------------

  @Test
  void aVcmWhoseCreateWasNeverPersistedIsNotCountedAfterARestart() {
    HsmFixture f = readyHsm(SpeedRating.BASE, 5);
    for (int i = 0; i < 4; i++) {
      create(f, "v" + i);
    }
    List<VcmView> before = list(f);

    // The VCM's create write fails, and so does the HSM's next write after VcmAdmitted (the
    // withdrawal): the HSM restarts before it records what became of the VCM, with VcmAdmitted
    // in its journal and nothing in the VCM's.
    String hsmId = HsmEntity.persistenceId(f.esn).id();
    AtomicInteger hsmWrites = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    journal.failNextNOpsCond((pid, op) -> {
      boolean match = op instanceof WriteEvents && (pid.startsWith(VcmEntity.ENTITY_TYPE + "|")
          || pid.equals(hsmId) && hsmWrites.incrementAndGet() == 2);
      if (match) {
        failed.incrementAndGet();
      }
      return match;
    }, 2);
    TestProbe<StatusReply<HsmEntity.CreatedVcm>> client = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.CreateVcm(new TestTenant().createRequest(Map.of("name", "lost"), T0),
        ProviderChoices.NONE, ADMIN, client.getRef()));
    assertTrue(client.receiveMessage(Duration.ofSeconds(10)).isError(), "the client hears that the create failed");
    UUID abandoned = last(hsmEvents(f, HsmEntity.VcmAdmitted.class)).uuid();
    assertTrue(journal.persistedInStorage(VcmEntity.persistenceId(abandoned).id()).isEmpty(), "the VCM has no events");

    // The restarted HSM withdraws the admission at recovery.
    HsmFixture again = f;
    HsmInfo info = recoveredInfo(again);
    assertEquals(4, info.vcmsCreated(), "the abandoned VCM is not counted");
    assertEquals(before, list(again), "no ghost, nothing lost");
    HsmEntity.VcmAdmissionWithdrawn withdrawn = last(hsmEvents(again, HsmEntity.VcmAdmissionWithdrawn.class));
    assertEquals(abandoned, withdrawn.uuid());
    assertEquals("recovery", withdrawn.meta().by().id());
    refusedStart(again, Code.NOT_FOUND, abandoned);

    create(again, "fifth");
    assertEquals(5, info(again).vcmsCreated(), "its create slot is free again");
    refusedCreate(again, Code.CREATE_LIMIT_REACHED, new TestTenant().createRequest(Map.of("name", "sixth"), T0),
        ProviderChoices.NONE);
  }

  @Test
  void aVcmWhoseCreateFailedIsNotCountedEvenBeforeARestart() {
    HsmFixture f = freshHsm();
    setNetwork(f, Network.ipv4("10.20.0.0/16"));
    reset(f);
    // Unlicensed: one VCM can be created, so a ghost would block every create.
    AtomicInteger failed = failWrites(VcmEntity.ENTITY_TYPE + "|", 1);
    StatusReply<HsmEntity.CreatedVcm> reply = f.ask(r -> new HsmEntity.CreateVcm(
        new TestTenant().createRequest(Map.of("name", "lost"), T0), ProviderChoices.NONE, ADMIN, r));
    assertEquals(1, failed.get());
    Refusal refusal = assertInstanceOf(Refusal.class, reply.getError());
    assertEquals(Code.UNAVAILABLE, refusal.code(), refusal.getMessage());
    assertOneLine(refusal.getMessage());
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(0, info(f).vcmsCreated(), "info agrees with the listing");
      return null;
    });
    assertEquals(List.of(), list(f));
    assertEquals("hsm", last(hsmEvents(f, HsmEntity.VcmAdmissionWithdrawn.class)).meta().by().id());
    create(f, "second try");
    assertEquals(1, info(f).vcmsCreated());
  }

  // ---- (b) the VCM's VcmDeleted persisted, the HSM's VcmRemoved not ------------------------

  @Test
  void aDeletedVcmWhoseRemovalWasNotPersistedIsDroppedAfterARestart() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    UUID doomed = create(f, "doomed");
    UUID kept = create(f, "kept");
    start(f, kept);

    // Every HSM write fails from now on, so the HSM cannot write VcmRemoved, whether in answer
    // to the delete or in its own recovery, until it is restarted below.
    AtomicInteger failed = failWrites(HsmEntity.ENTITY_TYPE + "|" + f.esn, 1000);
    TestProbe<StatusReply<VcmView>> deleted = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.DeleteVcm(doomed, false, ADMIN, deleted.getRef()));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(failed.get() >= 1, "the HSM's VcmRemoved write failed");
      return null;
    });
    List<Object> vcmEvents = journal.persistedInStorage(VcmEntity.persistenceId(doomed).id());
    assertInstanceOf(VcmEntity.VcmDeleted.class, ChainedEvent.unwrap(last(vcmEvents)), "the VCM's own delete was persisted");
    assertTrue(hsmEvents(f, HsmEntity.VcmRemoved.class).isEmpty());

    kit.stop(f.hsm);
    journal.resetPolicy();
    HsmFixture again = new HsmFixture(kit, f.esn, f.env.keyDirectory()).spawn();
    HsmInfo info = recoveredInfo(again);
    assertEquals(1, info.vcmsCreated(), "vcms_created dropped");
    assertEquals(1, info.vcmsActive());
    assertEquals(List.of(kept), list(again).stream().map(VcmView::uuid).toList(), "the deleted VCM is not listed");
    HsmEntity.VcmRemoved removed = last(hsmEvents(again, HsmEntity.VcmRemoved.class));
    assertEquals(doomed, removed.uuid());
    assertEquals("recovery", removed.meta().by().id());
    refusedStart(again, Code.NOT_FOUND, doomed);
    assertEquals(vcmEvents, journal.persistedInStorage(VcmEntity.persistenceId(doomed).id()),
        "the deleted VCM's history stays for audit");
  }

  @Test
  void aFailedRemovalIsReconciledByTheHsmsOwnRestart() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    UUID doomed = create(f, "doomed");
    UUID kept = create(f, "kept");
    AtomicInteger failed = failWrites(HsmEntity.ENTITY_TYPE + "|" + f.esn, 1);
    TestProbe<StatusReply<VcmView>> deleted = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.DeleteVcm(doomed, false, ADMIN, deleted.getRef()));
    // The supervisor restarts the HSM, whose recovery writes the removal.
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(failed.get() >= 1, "the removal was written once the HSM failed");
      assertEquals(List.of(kept), list(f).stream().map(VcmView::uuid).toList());
      assertEquals(1, info(f).vcmsCreated());
      return null;
    });
    assertEquals(1, hsmEvents(f, HsmEntity.VcmRemoved.class).size(), "removed once");
    // The restarted HSM drives fresh children, not the ones its failure stopped.
    assertEquals(VcmStatus.ACTIVE, start(f, kept).status());
    assertEquals(1, info(f).vcmsActive());
  }

  // ---- (c) active VCMs across a restart -------------------------------------------------------

  @Test
  void anActiveVcmSurvivesAnHsmRestartAndIsCountedOnce() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    TestTenant tenant = new TestTenant();
    UUID a = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    UUID b = create(f, "b");
    UUID c = create(f, "c");
    start(f, a);
    start(f, b);
    tenantDoes(f, tenant, a, Action.ENROLL);
    List<VcmView> before = list(f);
    HsmInfo infoBefore = info(f);

    HsmFixture again = respawn(f);
    assertEquals(before, list(again));
    HsmInfo info = recoveredInfo(again);
    assertEquals(infoBefore, info);
    assertEquals(2, info.vcmsActive());
    assertEquals(3, info.vcmsCreated());
    assertEquals(VcmStatus.ACTIVE, view(again, a).status(), "a restart is not a reboot");
    refusedStart(again, Code.ACTIVE_LIMIT_REACHED, c);
    refusedView(again, Code.TENANT_ALREADY_ENROLLED,
        r -> new HsmEntity.TenantAction(b, tenant.principal(), Action.ENROLL, r));

    // Twice in a row changes nothing either.
    HsmFixture third = respawn(again);
    assertEquals(before, list(third));
    assertEquals(2, info(third).vcmsActive());
  }

  @Test
  void aVcmThatDoesNotAnswerAtRecoveryIsAskedAgainOnUseNotLost() {
    HsmFixture f = readyHsm(SpeedRating.MID, 10);
    UUID slow = create(f, "slow");
    UUID fine = create(f, "fine");
    start(f, slow);
    VcmView slowBefore = view(f, slow);
    kit.stop(f.hsm);

    // The slow VCM cannot read its journal while the HSM recovers.
    journal.failNextNReads(VcmEntity.persistenceId(slow).id(), 1000);
    HsmFixture again = new HsmFixture(kit, f.esn, f.env.keyDirectory()).spawn();
    HsmInfo info = recoveredInfo(again);
    assertEquals(2, info.vcmsCreated(), "kept as a member");
    assertEquals(List.of(fine), list(again).stream().map(VcmView::uuid).toList());
    Refusal r = refusedView(again, Code.UNAVAILABLE, reply -> new HsmEntity.GetVcm(slow, reply));
    assertTrue(r.getMessage().contains(slow.toString()), r.getMessage());

    journal.resetPolicy();
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(200), () -> {
      StatusReply<VcmView> reply = again.ask(rr -> new HsmEntity.GetVcm(slow, rr));
      assertTrue(reply.isSuccess(), reply::toString);
      assertEquals(slowBefore, reply.getValue());
      return null;
    });
    assertEquals(List.of(slow, fine), list(again).stream().map(VcmView::uuid).toList());
    assertEquals(1, info(again).vcmsActive());
  }

  @Test
  void anHsmWithoutVcmsComesBackReady() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    HsmInfo before = info(f);
    HsmFixture again = respawn(f);
    assertEquals(before, info(again));
    create(again, "after");
  }

  static <T> T last(List<T> list) {
    assertTrue(!list.isEmpty(), "nothing found");
    return list.get(list.size() - 1);
  }
}
