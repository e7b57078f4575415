package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One actor system per test class on the in-memory journal (the persistence testkit), a fresh
 * HSM (own ESN and key directory) per test, and the checks every refusal must pass (R12).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
abstract class HsmTestBase {

  private static final AtomicInteger SERIAL = new AtomicInteger();

  final ActorTestKit kit = ActorTestKit.create(getClass().getSimpleName(), config());
  final PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
  @TempDir Path keys;

  /** The actor system's configuration; the in-memory journal unless a class says otherwise. */
  Config config() {
    return TestConfigs.inMemory();
  }

  @AfterEach
  void passAllJournalOperations() {
    journal.resetPolicy();
  }

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  // ---- HSMs ---------------------------------------------------------------------------------

  static String newEsn() {
    int n = SERIAL.incrementAndGet();
    return String.format("5E4D-%04X-%04X", ProcessHandle.current().pid() & 0xffff, n);
  }

  /** A first-booted HSM: no licence, no networking. */
  HsmFixture freshHsm() {
    String esn = newEsn();
    return new HsmFixture(kit, esn, keys.resolve(esn)).spawn();
  }

  /** A multi-tenant HSM with networking 10.20.0.0/16 in effect. */
  HsmFixture readyHsm(SpeedRating speed, int maxActive) {
    return freshHsm().ready(speed, maxActive);
  }

  /** A second incarnation of the same HSM (same ESN, key directory, journal), with a fresh module clock. */
  HsmFixture respawn(HsmFixture f) {
    kit.stop(f.hsm);
    return new HsmFixture(kit, f.esn, f.env.keyDirectory()).spawn();
  }

  // ---- commands -----------------------------------------------------------------------------

  static HsmInfo info(HsmFixture f) {
    return f.ok(HsmEntity.GetInfo::new);
  }

  /** Info once every VCM is back after a restart (listing the VCMs waits for all of them). */
  static HsmInfo recoveredInfo(HsmFixture f) {
    list(f);
    return info(f);
  }

  static List<VcmView> list(HsmFixture f) {
    return f.ok(HsmEntity.ListVcms::new);
  }

  static VcmView view(HsmFixture f, UUID uuid) {
    return f.ok(r -> new HsmEntity.GetVcm(uuid, r));
  }

  static HsmInfo applyLicence(HsmFixture f, byte[] licence) {
    return f.ok(r -> new HsmEntity.ApplyLicence(licence, ADMIN, r));
  }

  static HsmInfo setNetwork(HsmFixture f, Network network) {
    return f.ok(r -> new HsmEntity.SetNetwork(network, ADMIN, r));
  }

  static HsmEntity.ResetOutcome reset(HsmFixture f) {
    return f.ok(r -> new HsmEntity.Reset(ADMIN, r));
  }

  static HsmEntity.CreatedVcm create(HsmFixture f, TestTenant tenant, Map<String, String> asked,
      ProviderChoices choices) {
    return f.ok(r -> new HsmEntity.CreateVcm(tenant.createRequest(asked, T0), choices, ADMIN, r));
  }

  /** A plain VCM of a new tenant. */
  static UUID create(HsmFixture f, String name) {
    return create(f, new TestTenant(), Map.of("name", name), ProviderChoices.NONE).view().uuid();
  }

  static VcmView start(HsmFixture f, UUID uuid) {
    return f.ok(r -> new HsmEntity.StartVcm(uuid, null, ADMIN, r));
  }

  static VcmView stop(HsmFixture f, UUID uuid, boolean force) {
    return f.ok(r -> new HsmEntity.StopVcm(uuid, force, ADMIN, r));
  }

  static VcmView delete(HsmFixture f, UUID uuid) {
    return f.ok(r -> new HsmEntity.DeleteVcm(uuid, false, ADMIN, r));
  }

  static VcmView tenantDoes(HsmFixture f, TestTenant tenant, UUID uuid, VcmEntity.Action action) {
    return f.ok(r -> new HsmEntity.TenantAction(uuid, tenant.principal(), action, r));
  }

  static VcmView setProperty(HsmFixture f, TestTenant tenant, UUID uuid, String property, String value) {
    byte[] request = tenant.propertiesRequest(uuid, Map.of(property, value), T0);
    return f.<HsmEntity.PropertySet>ok(r -> new HsmEntity.SetVcmProperty(uuid, request, property, value, ADMIN, r))
        .view();
  }

  // ---- refusals (R12) -----------------------------------------------------------------------

  /** Everything observable about an HSM: its info, every VCM's view, and its own journal. */
  record Snapshot(HsmInfo info, List<VcmView> vcms, int hsmEvents) {}

  Snapshot snapshot(HsmFixture f) {
    return new Snapshot(info(f), list(f), journal.persistedInStorage(HsmEntity.persistenceId(f.esn).id()).size());
  }

  /**
   * Sends a command that must be refused: the reply is a typed {@link Refusal} with {@code code}
   * and a one-line message, and neither the HSM's info, nor any VCM, nor the HSM's journal
   * changed.
   */
  <R> Refusal refused(HsmFixture f, Refusal.Code code, Function<ActorRef<StatusReply<R>>, HsmEntity.Command> command) {
    Snapshot before = snapshot(f);
    StatusReply<R> reply = f.ask(command);
    assertTrue(reply.isError(), () -> "expected refusal " + code + ", got " + reply);
    Refusal refusal = assertInstanceOf(Refusal.class, reply.getError());
    assertEquals(code, refusal.code(), refusal.getMessage());
    assertOneLine(refusal.getMessage());
    assertEquals(before, snapshot(f), "a refusal changes nothing");
    return refusal;
  }

  Refusal refusedInfo(HsmFixture f, Refusal.Code code,
      Function<ActorRef<StatusReply<HsmInfo>>, HsmEntity.Command> command) {
    return refused(f, code, command);
  }

  Refusal refusedView(HsmFixture f, Refusal.Code code,
      Function<ActorRef<StatusReply<VcmView>>, HsmEntity.Command> command) {
    return refused(f, code, command);
  }

  Refusal refusedCreate(HsmFixture f, Refusal.Code code, byte[] request, ProviderChoices choices) {
    return this.<HsmEntity.CreatedVcm>refused(f, code, r -> new HsmEntity.CreateVcm(request, choices, ADMIN, r));
  }

  Refusal refusedStart(HsmFixture f, Refusal.Code code, UUID uuid) {
    return refusedView(f, code, r -> new HsmEntity.StartVcm(uuid, null, ADMIN, r));
  }

  static void assertOneLine(String message) {
    assertFalse(message == null || message.isBlank(), "a refusal says why");
    assertFalse(message.contains("\n") || message.contains("\r"), () -> "one line: " + message);
  }
}
