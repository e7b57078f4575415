package io.vcmctl.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigValueFactory;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message that crosses nodes, serialized as a cluster node serializes it (the settings of
 * {@code serve --config} in cluster mode) and read back: commands to a sharded HSM, their
 * replies and refusals, the stats poller's status, and the VCM directory's protocol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSerializationTest {

  private ActorTestKit testKit;
  private SerializationTestKit serialization;
  private final UUID vcm = UUID.randomUUID();
  private final Principal admin = Principal.provider("admin");

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Path file = NodeConfFiles.write(dir, "jdbc:postgresql://127.0.0.1/vcmctl");
    ClusterSettings settings = ClusterSettings.load(file, com.typesafe.config.ConfigFactory.empty());
    // Serialization only: this node joins nothing.
    testKit = ActorTestKit.create("serialization", settings.config()
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0)));
    serialization = testKit.serializationTestKit();
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyCommandToAShardedHsmRoundTrips() {
    var views = testKit.<StatusReply<io.vcmctl.vcm.VcmView>>createTestProbe().ref();
    List<HsmEntity.Command> commands = List.of(
        new HsmEntity.GetInfo(testKit.<StatusReply<io.vcmctl.hsm.HsmInfo>>createTestProbe().ref()),
        new HsmEntity.GetEnvStats(testKit.<StatusReply<io.vcmctl.hsm.EnvStats>>createTestProbe().ref()),
        new HsmEntity.SetNetwork(Network.ipv4("10.0.0.0/24"), admin,
            testKit.<StatusReply<io.vcmctl.hsm.HsmInfo>>createTestProbe().ref()),
        new HsmEntity.Reset(admin, testKit.<StatusReply<HsmEntity.ResetOutcome>>createTestProbe().ref()),
        new HsmEntity.SetTime(Instant.parse("2026-12-02T10:00:00Z"), admin,
            testKit.<StatusReply<io.vcmctl.hsm.HsmInfo>>createTestProbe().ref()),
        new HsmEntity.StopVcm(vcm, true, admin, views),
        new HsmEntity.DeleteVcm(vcm, false, admin, views),
        new HsmEntity.TenantAction(vcm, Principal.tenant("ab12"), VcmEntity.Action.ENROLL, views),
        new HsmEntity.WriteData(vcm, Principal.tenant("ab12"), 4096, views),
        new HsmEntity.StopVcmForDiskLimit(vcm, 17_000_000, 16_777_216, StatsPoller.POLLER, views),
        new HsmEntity.GetVcm(vcm, views),
        new HsmEntity.ListVcms(testKit.<StatusReply<List<io.vcmctl.vcm.VcmView>>>createTestProbe().ref()),
        new HsmEntity.GetStats(testKit.<StatusReply<HsmEntity.StoredStats>>createTestProbe().ref()),
        new HsmEntity.RecordStats(List.of(new HsmEntity.VcmStats(vcm, "t", VcmStatus.ACTIVE, 1, 2, 0.5,
            Instant.parse("2026-12-02T10:00:00Z"), true, false)), testKit.<Done>createTestProbe().ref()));
    for (HsmEntity.Command command : commands) {
      assertEquals(command, serialization.verifySerialization(command, false));
    }
    // Records holding a signed request (bytes) compare their fields.
    byte[] request = {1, 2, 3};
    var create = (HsmEntity.CreateVcm) serialization.verifySerialization(new HsmEntity.CreateVcm(request,
        new ProviderChoices("n", false, null, "10.0.0.7", null), admin,
        testKit.<StatusReply<HsmEntity.CreatedVcm>>createTestProbe().ref()), false);
    assertArrayEquals(request, create.request());
    assertEquals(new ProviderChoices("n", false, null, "10.0.0.7", null), create.choices());
    var start = (HsmEntity.StartVcm) serialization.verifySerialization(
        new HsmEntity.StartVcm(vcm, request, admin, views), false);
    assertArrayEquals(request, start.request());
    assertEquals(views, start.replyTo());
    var licence = (HsmEntity.ApplyLicence) serialization.verifySerialization(new HsmEntity.ApplyLicence(request,
        admin, testKit.<StatusReply<io.vcmctl.hsm.HsmInfo>>createTestProbe().ref()), false);
    assertArrayEquals(request, licence.licence());
  }

  @Test
  void aRefusalReachesTheClientsNodeWithItsCodeAndLine() {
    Refusal refusal = new Refusal(Refusal.Code.ACTIVE_LIMIT_REACHED,
        "R3: HSM has 2 active VCMs, the licensed maximum; stop one first");
    StatusReply<?> back = (StatusReply<?>) serialization.verifySerialization(StatusReply.error(refusal), false);
    assertTrue(back.isError());
    Refusal read = assertInstanceOf(Refusal.class, back.getError());
    assertEquals(refusal.code(), read.code());
    assertEquals(refusal.getMessage(), read.getMessage());
  }

  @Test
  void theStatsPollersStatusAndTheVcmDirectoryRoundTrip() {
    StatsPoller.GetStatus get = new StatsPoller.GetStatus(testKit.<StatsPoller.Status>createTestProbe().ref());
    assertEquals(get, serialization.verifySerialization(get, false));
    for (Object message : List.of(
        new VcmHomes.RecordHome("5E4D-03E0-D947", testKit.<Done>createTestProbe().ref()),
        new VcmHomes.GetHome(testKit.<VcmHomes.Home>createTestProbe().ref()),
        new VcmHomes.Home("5E4D-03E0-D947"), new VcmHomes.Home(null),
        new VcmHomes.HomeRecorded(vcm, "5E4D-03E0-D947"), new VcmHomes.State(null))) {
      assertEquals(message, serialization.verifySerialization(message, false));
    }
    StatsPoller.Status status = new StatsPoller.Status(7, Duration.ofMillis(40), Instant.parse("2026-12-02T10:00:00Z"),
        3, 0, Instant.parse("2026-12-02T10:00:01Z"));
    assertEquals(status, serialization.verifySerialization(status, false));
    StatusReply<HsmEntity.StoredStats> stats = StatusReply.success(new HsmEntity.StoredStats(List.of(
        new HsmEntity.VcmStats(vcm, "t", VcmStatus.DISK_LIMIT_STOPPED, 0, 17_000_000, 1.5,
            Instant.parse("2026-12-02T10:00:00Z"), true, true)), true));
    assertEquals(stats, serialization.verifySerialization(stats, false));
  }
}
