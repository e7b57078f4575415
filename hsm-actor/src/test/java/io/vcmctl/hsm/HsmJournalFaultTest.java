package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The journal fails or rejects the write of every command that records something, on the HSM's
 * journal or on the VCM's: the client hears at once that the journal did not record it (not
 * after its whole timeout), nothing is left half done (no reservation or active slot held, the
 * HSM's count matches its VCMs), and the command then works.
 */
class HsmJournalFaultTest extends HsmTestBase {

  enum Fault { FAILS, REJECTS }

  /** Whose journal fails, what is set up first, the command, and what shows that it took effect. */
  record Scenario(String name, boolean vcmJournal, Setup setup,
      BiFunction<HsmFixture, Context, StatusReply<?>> command, Predicate<Outcome> done) {
    @Override
    public String toString() {
      return name;
    }
  }

  enum Setup { NONE, INACTIVE_VCM, ACTIVE_VCM }

  record Context(UUID vcm, TestTenant tenant) {}

  record Outcome(HsmInfo info, List<VcmView> vcms) {
    VcmView only() {
      return vcms.get(0);
    }
  }

  static final Set<Code> ALREADY_DONE = EnumSet.of(Code.ALREADY_ACTIVE, Code.NOT_ACTIVE, Code.DELETED, Code.NOT_FOUND);

  static Stream<Arguments> scenarios() {
    List<Scenario> all = List.of(
        new Scenario("licence", false, Setup.NONE,
            (f, c) -> f.<HsmInfo>ask(r -> new HsmEntity.ApplyLicence(f.licence(true, SpeedRating.HIGH, 7), ADMIN, r)),
            o -> o.info().maxActiveVcms() == 7),
        new Scenario("setnetwork", false, Setup.NONE,
            (f, c) -> f.<HsmInfo>ask(r -> new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/17"), ADMIN, r)),
            o -> Network.ipv4("10.20.0.0/17").equals(o.info().pendingNetwork())),
        new Scenario("settime", false, Setup.NONE,
            (f, c) -> f.<HsmInfo>ask(r -> new HsmEntity.SetTime(T0.plusSeconds(86_400), ADMIN, r)),
            o -> o.info().moduleTime().isAfter(T0.plusSeconds(86_000))),
        new Scenario("create, HSM's write", false, Setup.NONE,
            (f, c) -> f.<HsmEntity.CreatedVcm>ask(r -> new HsmEntity.CreateVcm(
                c.tenant().createRequest(Map.of("name", "late"), T0), ProviderChoices.NONE, ADMIN, r)),
            o -> o.vcms().size() == 1),
        new Scenario("create, VCM's write", true, Setup.NONE,
            (f, c) -> f.<HsmEntity.CreatedVcm>ask(r -> new HsmEntity.CreateVcm(
                c.tenant().createRequest(Map.of("name", "late"), T0), ProviderChoices.NONE, ADMIN, r)),
            o -> o.vcms().size() == 1),
        new Scenario("reset", false, Setup.ACTIVE_VCM,
            (f, c) -> f.<HsmEntity.ResetOutcome>ask(r -> new HsmEntity.Reset(ADMIN, r)),
            o -> o.info().vcmsActive() == 0 || o.only().status() == VcmStatus.INACTIVE),
        new Scenario("start", true, Setup.INACTIVE_VCM,
            (f, c) -> f.<VcmView>ask(r -> new HsmEntity.StartVcm(c.vcm(), null, ADMIN, r)),
            o -> o.only().status() == VcmStatus.ACTIVE),
        new Scenario("stop", true, Setup.ACTIVE_VCM,
            (f, c) -> f.<VcmView>ask(r -> new HsmEntity.StopVcm(c.vcm(), false, ADMIN, r)),
            o -> o.only().status() == VcmStatus.INACTIVE),
        new Scenario("delete, VCM's write", true, Setup.INACTIVE_VCM,
            (f, c) -> f.<VcmView>ask(r -> new HsmEntity.DeleteVcm(c.vcm(), false, ADMIN, r)),
            o -> o.vcms().isEmpty()),
        new Scenario("delete, HSM's write", false, Setup.INACTIVE_VCM,
            (f, c) -> f.<VcmView>ask(r -> new HsmEntity.DeleteVcm(c.vcm(), false, ADMIN, r)),
            o -> o.vcms().isEmpty()),
        new Scenario("property", true, Setup.INACTIVE_VCM,
            (f, c) -> f.<HsmEntity.PropertySet>ask(r -> new HsmEntity.SetVcmProperty(c.vcm(),
                c.tenant().propertiesRequest(c.vcm(), Map.of("name", "renamed"), T0), "name", "renamed", ADMIN, r)),
            o -> o.only().properties().name().equals("renamed")),
        new Scenario("enroll", true, Setup.ACTIVE_VCM,
            (f, c) -> f.<VcmView>ask(r -> new HsmEntity.TenantAction(c.vcm(), c.tenant().principal(),
                VcmEntity.Action.ENROLL, r)),
            o -> o.only().facts().enrolledBy() != null));
    return all.stream().flatMap(s -> Stream.of(Arguments.of(s, Fault.FAILS), Arguments.of(s, Fault.REJECTS)));
  }

  @ParameterizedTest(name = "{0}: the journal {1} the write")
  @MethodSource("scenarios")
  void theClientHearsAtOnceAndTheCommandThenWorks(Scenario scenario, Fault fault) {
    HsmFixture f = freshHsm().ready(SpeedRating.HIGH, 4);
    TestTenant tenant = new TestTenant();
    UUID vcm = scenario.setup() == Setup.NONE ? null
        : create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    if (scenario.setup() == Setup.ACTIVE_VCM) {
      start(f, vcm);
    }
    Context context = new Context(vcm, tenant);

    String pid = scenario.vcmJournal() && vcm != null ? VcmEntity.persistenceId(vcm).id()
        : scenario.vcmJournal() ? "vcm|" : HsmEntity.persistenceId(f.esn).id();
    breakNextWrite(pid, fault);

    StatusReply<?> reply = scenario.command().apply(f, context);
    assertTrue(reply.isError(), () -> "expected the journal's failure to reach the client, got " + reply);
    Refusal refusal = assertInstanceOf(Refusal.class, reply.getError());
    assertEquals(Code.UNAVAILABLE, refusal.code(), refusal.getMessage());
    assertOneLine(refusal.getMessage());
    assertTrue(refusal.getMessage().contains("journal did not record"), refusal.getMessage());

    // The entity re-reads its journal; then the same command works, or finds it already done.
    f.kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
      StatusReply<?> again = scenario.command().apply(f, context);
      assertTrue(again.isSuccess() || again.getError() instanceof Refusal r && ALREADY_DONE.contains(r.code()),
          () -> "after the failure: " + again);
      return null;
    });
    Outcome outcome = new Outcome(info(f), list(f));
    assertTrue(scenario.done().test(outcome), () -> "the command took effect: " + outcome);
    long active = outcome.vcms().stream().filter(v -> v.status() == VcmStatus.ACTIVE).count();
    assertEquals(active, outcome.info().vcmsActive(), "the HSM counts exactly its active VCMs");
    assertNoSlotHeld(f, outcome);
  }

  /** Every free active slot can be taken: nothing the failed command held is still held. */
  private void assertNoSlotHeld(HsmFixture f, Outcome outcome) {
    int free = outcome.info().maxActiveVcms() - outcome.info().vcmsActive();
    for (int i = 0; i < free; i++) {
      start(f, create(f, "filler-" + i));
    }
    assertEquals(outcome.info().maxActiveVcms(), info(f).vcmsActive());
  }

  private void breakNextWrite(String pidOrPrefix, Fault fault) {
    if (pidOrPrefix.endsWith("|")) {
      // The VCM's uuid is not known before the create: break the next write of any VCM.
      if (fault == Fault.FAILS) {
        journal.failNextNOpsCond((pid, op) -> pid.startsWith(pidOrPrefix)
            && op instanceof WriteEvents, 1);
      } else {
        journal.rejectNextNOpsCond((pid, op) -> pid.startsWith(pidOrPrefix)
            && op instanceof WriteEvents, 1);
      }
    } else if (fault == Fault.FAILS) {
      journal.failNextPersisted(pidOrPrefix);
    } else {
      journal.rejectNextPersisted(pidOrPrefix);
    }
  }

  /** Spawns HSMs supervised, as the orchestrator does, so that a rejected write restarts the HSM. */
  @Override
  HsmFixture freshHsm() {
    String esn = newEsn();
    return new HsmFixture(kit, esn, keys.resolve(esn)).spawnSupervised();
  }
}
