package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.FaultyRuntime;
import io.vcmctl.vcm.FaultyRuntime.Call;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.SimulatedRuntime;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmRuntime.DeviceStatus;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * Device calls have outcomes: a lifecycle command is recorded only after the device did it, a
 * device failure is a DEVICE_ERROR refusal that records nothing, and the journal settles to what
 * the device reports after a timeout, a crash between the device and the event, or a VCM that
 * died behind the orchestrator's back.
 */
class HsmDeviceOutcomeTest extends HsmTestBase {

  static final Duration PATIENCE = Duration.ofSeconds(15);

  @Override
  Config config() {
    return ConfigFactory.parseString("vcmctl.hsm.vcm-ask-timeout = 3s\nvcmctl.vcm.device-timeout = 1s")
        .withFallback(TestConfigs.inMemory());
  }

  FaultyRuntime runtime;

  HsmFixture hsm(int maxActive) {
    runtime = new FaultyRuntime(SimulatedRuntime.fromConfig(kit.system().settings().config()));
    String esn = newEsn();
    return new HsmFixture(kit, esn, keys.resolve(esn), runtime).spawn().ready(SpeedRating.MID, maxActive);
  }

  List<Object> vcmEvents(UUID vcm) {
    return journal.persistedInStorage(VcmEntity.persistenceId(vcm).id()).stream().map(ChainedEvent::unwrap).toList();
  }

  @Test
  void aStartTheDeviceRefusesIsOneLineAndRecordsNothing() {
    HsmFixture f = hsm(5);
    UUID vcm = create(f, "a");
    int events = vcmEvents(vcm).size();
    runtime.failNext(Call.START, "no memory left on the module");
    Refusal r = refusedStart(f, Code.DEVICE_ERROR, vcm);
    assertTrue(r.getMessage().contains("could not start VCM " + vcm + ": no memory left on the module"),
        r.getMessage());
    assertEquals(events, vcmEvents(vcm).size(), "nothing recorded");
    assertEquals(DeviceStatus.STOPPED, runtime.holds(vcm));
    assertEquals(VcmStatus.ACTIVE, start(f, vcm).status(), "the next start works");
    assertEquals(DeviceStatus.RUNNING, runtime.holds(vcm));
  }

  @Test
  void aStopOrDeleteTheDeviceRefusesRecordsNothing() {
    HsmFixture f = hsm(5);
    UUID vcm = create(f, "a");
    start(f, vcm);
    runtime.failNext(Call.STOP, "the module is busy");
    refusedView(f, Code.DEVICE_ERROR, r -> new HsmEntity.StopVcm(vcm, false, ADMIN, r));
    assertEquals(VcmStatus.INACTIVE, stop(f, vcm, false).status());
    runtime.failNext(Call.DESTROY, "the token directory is read-only");
    refusedView(f, Code.DEVICE_ERROR, r -> new HsmEntity.DeleteVcm(vcm, false, ADMIN, r));
    assertEquals(DeviceStatus.STOPPED, runtime.holds(vcm), "its secrets are still there");
    assertEquals(VcmStatus.DELETED, delete(f, vcm).status());
    assertEquals(DeviceStatus.ABSENT, runtime.holds(vcm));
  }

  @Test
  void aCreateTheDeviceRefusesLeavesNoVcm() {
    HsmFixture f = hsm(5);
    runtime.failNext(Call.CREATE, "no space left for a token");
    StatusReply<HsmEntity.CreatedVcm> reply = f.ask(r -> new HsmEntity.CreateVcm(
        new TestTenant().createRequest(Map.of("name", "x"), T0), ProviderChoices.NONE, ADMIN, r));
    assertEquals(Code.DEVICE_ERROR, ((Refusal) reply.getError()).code());
    assertEquals(0, info(f).vcmsCreated(), "its admission is withdrawn; the create slot is free");
    assertTrue(list(f).isEmpty());
  }

  @Test
  void aDeviceThatDoesNotAnswerInTimeIsRefusedAndTheVcmSettlesToWhatItThenDid() {
    HsmFixture f = hsm(5);
    UUID vcm = create(f, "slow");
    runtime.hangNext(Call.START);
    Refusal r = refusedStart(f, Code.DEVICE_ERROR, vcm);
    assertTrue(r.getMessage().contains("did not answer within 1000 ms"), r.getMessage());
    runtime.release();
    kit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertEquals(VcmStatus.ACTIVE, view(f, vcm).status(), "settled to the running device");
      return null;
    });
    assertSettledByReconcile(vcm, VcmStatus.ACTIVE);
    assertEquals(1, info(f).vcmsActive(), "and counted as active");
  }

  @Test
  void aCrashAfterTheDeviceActedAndBeforeTheEventIsSettledAtRecovery() {
    HsmFixture f = hsm(5);
    UUID vcm = create(f, "a");
    journal.failNextPersisted(VcmEntity.persistenceId(vcm).id());
    TestProbe<StatusReply<VcmView>> client = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.StartVcm(vcm, null, ADMIN, client.getRef()));
    assertEquals(Code.UNAVAILABLE, ((Refusal) client.receiveMessage(PATIENCE).getError()).code(),
        "the VCM failed to record the start the device made");
    kit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertEquals(VcmStatus.ACTIVE, view(f, vcm).status());
      return null;
    });
    assertSettledByReconcile(vcm, VcmStatus.ACTIVE);
  }

  @Test
  void aVcmWhoseProcessDiesIsRecordedStoppedAtTheNextPollAndItsSlotIsFreed() {
    HsmFixture f = hsm(1);
    TestTenant tenant = new TestTenant();
    UUID dies = create(f, tenant, Map.of("name", "dies"), ProviderChoices.NONE).view().uuid();
    UUID next = create(f, "next");
    start(f, dies);
    tenantDoes(f, tenant, dies, VcmEntity.Action.ENROLL);
    runtime.die(dies);
    refusedStart(f, Code.ACTIVE_LIMIT_REACHED, next);

    TestProbe<HsmEntity.VcmRefs> refsProbe = kit.createTestProbe();
    f.hsm.tell(new HsmEntity.GetVcmRefs(refsProbe.getRef()));
    TestProbe<StatusReply<VcmEntity.Measurement>> poll = kit.createTestProbe();
    refsProbe.receiveMessage().vcms().get(dies).tell(new VcmEntity.MeasureUsage(poll.getRef()));
    VcmView measured = poll.receiveMessage(PATIENCE).getValue().view();
    assertEquals(VcmStatus.INACTIVE, measured.status(), "the poll sees it stopped");
    assertTrue(measured.facts().hardserverRestartRequired(), "its enrolled tenant must restart its hardserver");
    assertSettledByReconcile(dies, VcmStatus.INACTIVE);
    kit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertEquals(0, info(f).vcmsActive(), "its active slot is free");
      return null;
    });
    assertEquals(VcmStatus.ACTIVE, start(f, next).status());
  }

  void assertSettledByReconcile(UUID vcm, VcmStatus to) {
    List<Object> events = vcmEvents(vcm);
    VcmEntity.VcmSettled settled = (VcmEntity.VcmSettled) events.get(events.size() - 1);
    assertEquals(to, settled.to());
    assertEquals("system:reconcile", settled.meta().by().toString());
  }
}
