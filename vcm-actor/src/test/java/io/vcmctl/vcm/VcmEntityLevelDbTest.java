package io.vcmctl.vcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.VcmEntity.Action;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** The VCM on the real LevelDB journal: what was acknowledged survives a restart of the system. */
class VcmEntityLevelDbTest {

  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final Principal ADMIN = Principal.provider("admin");

  final ModuleClock clock = ModuleClock.create(Clock.fixed(T0, ZoneOffset.UTC));
  final TestTenant tenant = new TestTenant();

  @Test
  void recoversTheLifecycleAfterARestartOnTheSameDirectory() {
    recoversAfterRestart(TestConfigs.freshDataDirectory("vcm-leveldb"), 1000);
  }

  @Test
  void recoversFromSnapshotsAfterARestartOnTheSameDirectory() {
    DataDirectory dir = TestConfigs.freshDataDirectory("vcm-snapshots");
    recoversAfterRestart(dir, 3);
    assertTrue(dir.snapshots().toFile().list().length > 0, "snapshots were written");
  }

  private void recoversAfterRestart(DataDirectory dir, int snapshotEvery) {
    Config config = ConfigFactory.parseString("vcmctl.vcm.snapshot-every = " + snapshotEvery)
        .withFallback(TestConfigs.levelDb(dir));
    UUID uuid = UUID.randomUUID();

    VcmView before;
    ActorTestKit first = ActorTestKit.create("first", config);
    try {
      ActorRef<VcmEntity.Command> vcm = spawn(first, uuid);
      TestProbe<StatusReply<VcmEntity.CreateResult>> created = first.createTestProbe();
      vcm.tell(new VcmEntity.Create(VcmEntityTest.verified(tenant.createRequest(Map.of("autostart", "true"), T0)),
          tenant.properties(true, false, "10.0.0.7"), ADMIN, created.getRef()));
      assertTrue(created.receiveMessage().isSuccess());
      ask(first, vcm, r -> new VcmEntity.Start(null, ADMIN, r));
      for (Action action : new Action[] {Action.ENROLL, Action.LOAD_WORLD, Action.AUDIT_ON, Action.MODE_MAINTENANCE}) {
        ask(first, vcm, r -> new VcmEntity.TenantAction(tenant.principal(), action, r));
      }
      ask(first, vcm, r -> new VcmEntity.WriteData(tenant.principal(), 4096, r));
      ask(first, vcm, r -> new VcmEntity.Stop(true, ADMIN, r));
      before = ask(first, vcm, r -> new VcmEntity.Start(null, ADMIN, r));
    } finally {
      first.shutdownTestKit();
    }
    assertTrue(Files.isDirectory(dir.journal()));

    ActorTestKit second = ActorTestKit.create("second", config);
    try {
      VcmView after = ask(second, spawn(second, uuid), VcmEntity.GetView::new);
      assertEquals(before, after);
      assertEquals(VcmStatus.ACTIVE, after.status());
      assertEquals(tenant.fingerprint(), after.facts().enrolledBy());
      assertTrue(after.facts().securityWorldLoaded());
      assertTrue(after.facts().hardserverRestartRequired());
      assertEquals(4096, after.facts().dataBytes());
    } finally {
      second.shutdownTestKit();
    }
  }

  private ActorRef<VcmEntity.Command> spawn(ActorTestKit kit, UUID uuid) {
    Config c = kit.system().settings().config();
    return kit.spawn(VcmEntity.create(uuid, clock, SimulatedRuntime.fromConfig(c), VcmSettings.fromConfig(c)));
  }

  private static VcmView ask(ActorTestKit kit, ActorRef<VcmEntity.Command> vcm,
      Function<ActorRef<StatusReply<VcmView>>, VcmEntity.Command> command) {
    TestProbe<StatusReply<VcmView>> probe = kit.createTestProbe();
    vcm.tell(command.apply(probe.getRef()));
    StatusReply<VcmView> reply = probe.receiveMessage(java.time.Duration.ofSeconds(10));
    assertTrue(reply.isSuccess(), () -> String.valueOf(reply));
    return reply.getValue();
  }
}
