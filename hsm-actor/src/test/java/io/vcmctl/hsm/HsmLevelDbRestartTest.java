package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static io.vcmctl.hsm.HsmFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.audit.ChainAdapter;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SimulatedRuntime;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmSettings;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HSM on the real LevelDB journal: restarting the process brings every HSM and VCM back
 * exactly as it was, and journal states that a crash between two writes would leave are
 * reconciled. One actor system per data directory at a time; each is shut down (and waited
 * for) before the next opens the directory.
 */
@ExtendWith(LogCapturingExtension.class)
class HsmLevelDbRestartTest {

  static final Duration REPLY = Duration.ofSeconds(20);

  @Test
  void aRestartBringsBackAHundredVcmsInMixedStates() throws Exception {
    DataDirectory dir = TestConfigs.freshDataDirectory("hsm-restart");
    Config config = TestConfigs.levelDb(dir);
    Path keyDir = dir.resolve("keys");
    String esn = HsmTestBase.newEsn();

    List<VcmView> before;
    HsmInfo infoBefore;
    Map<UUID, VcmView> byUuid = new HashMap<>();
    ActorTestKit first = ActorTestKit.create("first", config);
    try {
      HsmFixture f = new HsmFixture(first, esn, keyDir).spawn().ready(SpeedRating.MID, 40);
      List<TestTenant> tenants = new ArrayList<>();
      TestProbe<StatusReply<HsmEntity.CreatedVcm>> created = first.createTestProbe();
      for (int i = 0; i < 100; i++) {
        TestTenant tenant = new TestTenant();
        tenants.add(tenant);
        ProviderChoices choices = new ProviderChoices(null, null, i == 50, null, null);
        Map<String, String> asked = i % 10 == 0 ? Map.of("name", "vcm-" + i, "autostart", "true")
            : Map.of("name", "vcm-" + i);
        f.hsm.tell(new HsmEntity.CreateVcm(tenant.createRequest(asked, T0), choices, ADMIN, created.getRef()));
      }
      // Replies arrive in any order: match them to tenants.
      Map<String, UUID> byTenant = new HashMap<>();
      for (int i = 0; i < 100; i++) {
        VcmView v = ok(created.receiveMessage(REPLY)).view();
        byTenant.put(v.tenant(), v.uuid());
      }
      List<UUID> vcms = tenants.stream().map(t -> byTenant.get(t.fingerprint())).toList();

      TestProbe<StatusReply<VcmView>> probe = first.createTestProbe();
      for (int i = 0; i < 40; i++) {
        f.hsm.tell(new HsmEntity.StartVcm(vcms.get(i), null, ADMIN, probe.getRef()));
      }
      for (int i = 0; i < 40; i++) {
        ok(probe.receiveMessage(REPLY));
      }
      for (int i = 0; i < 20; i++) {
        tell(f, probe, tenants.get(i), vcms.get(i), Action.ENROLL);
        if (i < 10) {
          tell(f, probe, tenants.get(i), vcms.get(i), Action.LOAD_WORLD);
        }
        if (i < 5) {
          tell(f, probe, tenants.get(i), vcms.get(i), Action.MODE_MAINTENANCE);
        }
        if (i < 3) {
          tell(f, probe, tenants.get(i), vcms.get(i), Action.AUDIT_ON);
        }
        if (i < 2) {
          write(f, probe, tenants.get(i), vcms.get(i), 4096);
        }
      }
      // Enrolled and operational: a forced stop keeps the enrollment and asks for a hardserver restart.
      HsmTestBase.stop(f, vcms.get(19), true);
      HsmTestBase.delete(f, vcms.get(99));
      f.<HsmInfo>ok(r -> new HsmEntity.SetTime(T0.plus(Duration.ofHours(1)), ADMIN, r));
      HsmTestBase.setNetwork(f, Network.ipv4("10.20.0.0/17"));

      before = HsmTestBase.list(f);
      infoBefore = HsmTestBase.info(f);
      before.forEach(v -> byUuid.put(v.uuid(), v));
      assertEquals(99, before.size());
      assertEquals(99, infoBefore.vcmsCreated());
      assertEquals(39, infoBefore.vcmsActive());
      assertEquals(20, before.stream().filter(v -> v.facts().enrolled()).count(), "a stop keeps the enrollment");
      assertTrue(byUuid.get(vcms.get(19)).facts().hardserverRestartRequired());
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("second", config);
    try {
      HsmFixture g = new HsmFixture(second, esn, keyDir).spawn();
      List<VcmView> after = HsmTestBase.list(g);
      assertEquals(before, after, "every VCM back, in creation order, with its state");
      HsmInfo infoAfter = HsmTestBase.info(g);
      assertEquals(infoBefore, infoAfter, "counts, licence, networking (effective and pending), module time");
      assertEquals(T0.plus(Duration.ofHours(1)), infoAfter.moduleTime());

      // The limits act on the recovered counts.
      UUID inactive = after.stream().filter(v -> v.status() == VcmStatus.INACTIVE).findFirst().orElseThrow().uuid();
      UUID another = after.stream().filter(v -> v.status() == VcmStatus.INACTIVE && !v.uuid().equals(inactive))
          .findFirst().orElseThrow().uuid();
      HsmTestBase.start(g, inactive);
      StatusReply<VcmView> refused = g.ask(r -> new HsmEntity.StartVcm(another, null, ADMIN, r));
      assertEquals(Refusal.Code.ACTIVE_LIMIT_REACHED, assertInstanceOf(Refusal.class, refused.getError()).code());
    } finally {
      second.shutdownTestKit();
    }

    assertNoPrivateKeyIn(dir, keyDir);
  }

  @Test
  void journalStatesLeftByACrashBetweenTwoWritesAreReconciled() {
    DataDirectory dir = TestConfigs.freshDataDirectory("hsm-crash");
    Config config = TestConfigs.levelDb(dir);
    Path keyDir = dir.resolve("keys");
    String esn = HsmTestBase.newEsn();
    UUID active;
    UUID startedBehindItsBack;
    UUID deletedBehindItsBack;
    UUID neverCreated = UUID.randomUUID();

    ActorTestKit first = ActorTestKit.create("crash-first", config);
    try {
      HsmFixture f = new HsmFixture(first, esn, keyDir).spawn().ready(SpeedRating.MID, 10);
      active = HsmTestBase.create(f, "active");
      startedBehindItsBack = HsmTestBase.create(f, "started");
      deletedBehindItsBack = HsmTestBase.create(f, "deleted");
      HsmTestBase.start(f, active);
      first.stop(f.hsm);

      // Each write below is the first of a pair whose second the HSM never made.
      ActorRef<VcmEntity.Command> started = first.spawn(vcm(first, f, startedBehindItsBack));
      ok(ask(first, started, r -> new VcmEntity.Start(null, ADMIN, r)));
      first.stop(started);
      ActorRef<VcmEntity.Command> deleted = first.spawn(vcm(first, f, deletedBehindItsBack));
      ok(ask(first, deleted, r -> new VcmEntity.Delete(false, ADMIN, r)));
      first.stop(deleted);
      TestProbe<Done> written = first.createTestProbe();
      ActorRef<HsmWrite> hsmJournal = first.spawn(HsmJournalWriter.create(esn));
      hsmJournal.tell(new HsmWrite(new HsmEntity.VcmAdmitted(neverCreated, 100,
          new EventMeta(T0, ADMIN, null), null), written.getRef()));
      written.expectMessage(REPLY, Done.getInstance());
      first.stop(hsmJournal);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("crash-second", config);
    try {
      HsmFixture g = new HsmFixture(second, esn, keyDir).spawn();
      HsmInfo info = HsmTestBase.recoveredInfo(g);
      assertEquals(2, info.vcmsCreated(), "the deleted and the never-created VCM are not counted");
      assertEquals(2, info.vcmsActive(), "the active count is the number actually running");
      List<VcmView> vcms = HsmTestBase.list(g);
      assertEquals(List.of(active, startedBehindItsBack), vcms.stream().map(VcmView::uuid).toList());
      assertTrue(vcms.stream().allMatch(VcmView::isActive));
      // The HSM's own journal now agrees: a second restart finds nothing to reconcile.
      second.stop(g.hsm);
      HsmFixture h = new HsmFixture(second, esn, keyDir).spawn();
      assertEquals(info, HsmTestBase.recoveredInfo(h));
      HsmTestBase.create(h, "after");
      assertEquals(3, HsmTestBase.info(h).vcmsCreated());
    } finally {
      second.shutdownTestKit();
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  static <T> T ok(StatusReply<T> reply) {
    assertTrue(reply.isSuccess(), () -> "expected success, got " + reply);
    return reply.getValue();
  }

  static void tell(HsmFixture f, TestProbe<StatusReply<VcmView>> probe, TestTenant tenant, UUID uuid, Action action) {
    f.hsm.tell(new HsmEntity.TenantAction(uuid, tenant.principal(), action, probe.getRef()));
    ok(probe.receiveMessage(REPLY));
  }

  static void write(HsmFixture f, TestProbe<StatusReply<VcmView>> probe, TestTenant tenant, UUID uuid, long bytes) {
    f.hsm.tell(new HsmEntity.WriteData(uuid, tenant.principal(), bytes, probe.getRef()));
    ok(probe.receiveMessage(REPLY));
  }

  static org.apache.pekko.actor.typed.Behavior<VcmEntity.Command> vcm(ActorTestKit kit, HsmFixture f, UUID uuid) {
    Config c = kit.system().settings().config();
    return VcmEntity.create(uuid, f.clock, SimulatedRuntime.fromConfig(c), VcmSettings.fromConfig(c));
  }

  static StatusReply<VcmView> ask(ActorTestKit kit, ActorRef<VcmEntity.Command> vcm,
      Function<ActorRef<StatusReply<VcmView>>, VcmEntity.Command> command) {
    TestProbe<StatusReply<VcmView>> probe = kit.createTestProbe();
    vcm.tell(command.apply(probe.getRef()));
    return probe.receiveMessage(REPLY);
  }

  /** The module's private key (its 32-byte seed) appears in no file of the journal or the snapshots. */
  static void assertNoPrivateKeyIn(DataDirectory dir, Path keyDir) throws Exception {
    byte[] der = KeyFiles.readPrivate(keyDir.resolve("module.key")).getEncoded();
    byte[] seed = ASN1OctetString.getInstance(PrivateKeyInfo.getInstance(der).parsePrivateKey()).getOctets();
    List<Path> files;
    try (Stream<Path> walk = Stream.concat(Files.walk(dir.journal()), Files.walk(dir.snapshots()))) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertFalse(files.isEmpty());
    assertTrue(Files.list(dir.snapshots()).findAny().isPresent(), "the HSM wrote a snapshot (more than 100 events)");
    for (Path file : files) {
      byte[] bytes = readAll(file);
      assertFalse(HsmIdentityTest.contains(bytes, seed), () -> "private key in " + file);
      assertFalse(HsmIdentityTest.contains(bytes, der), () -> "private key in " + file);
    }
  }

  static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ---- writing one HSM event, as the HSM would have just before a crash -------------------

  record HsmWrite(HsmEntity.Event event, ActorRef<Done> replyTo) {}

  /** Appends one event to an HSM's journal; it must be the only writer, like any entity. */
  static final class HsmJournalWriter extends EventSourcedBehavior<HsmWrite, HsmEntity.Event, Instant> {

    private final ChainAdapter<HsmEntity.Event> chain;
    private final ActorContext<HsmWrite> context;

    HsmJournalWriter(String esn, ActorContext<HsmWrite> context) {
      super(HsmEntity.persistenceId(esn));
      this.chain = ChainAdapter.create(context, HsmEntity.persistenceId(esn));
      this.context = context;
    }

    static Behavior<HsmWrite> create(String esn) {
      return Behaviors.setup(ctx -> new HsmJournalWriter(esn, ctx));
    }

    /** Its events continue the HSM's audit chain, as the HSM's own would. */
    @Override
    public EventAdapter<HsmEntity.Event, ?> eventAdapter() {
      return chain;
    }

    @Override
    public SignalHandler<Instant> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(RecoveryCompleted.instance(), s -> chain.recovered(lastSequenceNumber(context)))
          .build();
    }

    @Override
    public Recovery recovery() {
      // Replays the HSM's events (to continue its sequence numbers) but not its snapshots.
      return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
    }

    @Override
    public Instant emptyState() {
      return Instant.EPOCH;
    }

    @Override
    public CommandHandler<HsmWrite, HsmEntity.Event, Instant> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(HsmWrite.class, (s, c) -> Effect().persist(c.event()).thenRun(x -> c.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Instant, HsmEntity.Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> e.meta().at());
    }
  }
}
