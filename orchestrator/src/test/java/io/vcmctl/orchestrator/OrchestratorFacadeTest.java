package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The Java facade over a real LevelDB store: typed results, typed refusals, restarts. */
class OrchestratorFacadeTest {

  static final Principal ADMIN = Principal.provider("admin");
  static final KeyPair VENDOR = PublicKeys.generateEd25519();

  static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static Refusal refusal(CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return assertInstanceOf(Refusal.class, e.getCause());
  }

  static void ready(Orchestrator o, String esn, int maxActive) {
    String named = esn != null ? esn : o.esns().get(0);
    await(o.applyLicence(esn, Licence.of(named, true, SpeedRating.MID, maxActive, List.of(), Instant.now())
        .sign(VENDOR), ADMIN));
    await(o.setNetwork(esn, Network.ipv4("192.168.50.0/24"), ADMIN));
    await(o.reset(esn, ADMIN));
  }

  @Test
  void drivesAnHsmWithTypedResultsAndRefusalsAndRecoversAfterARestart() {
    Path dir = TestConfigs.freshDataDirectory("facade").root();
    OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic()).withEsns(List.of("5e4d-03e0-d947"));
    TestTenant tenant = new TestTenant();
    UUID first;
    UUID second;
    try (Orchestrator o = Orchestrator.start(config)) {
      assertEquals(List.of("5E4D-03E0-D947"), o.esns());
      ready(o, null, 1);
      HsmEntity.CreatedVcm created = await(o.createVcm(null,
          tenant.createRequest(Map.of("name", "a"), Instant.now()), ProviderChoices.NONE, ADMIN));
      first = created.view().uuid();
      second = await(o.createVcm(null, new TestTenant().createRequest(Map.of("name", "b"), Instant.now()),
          ProviderChoices.NONE, ADMIN)).view().uuid();
      assertEquals(VcmStatus.ACTIVE, await(o.startVcm(first, null, ADMIN)).status());

      Refusal limit = refusal(o.startVcm(second, null, ADMIN));
      assertEquals(Refusal.Code.ACTIVE_LIMIT_REACHED, limit.code());
      assertTrue(limit.getMessage().startsWith("R3:"), limit.getMessage());
      assertEquals(Refusal.Code.NOT_FOUND, refusal(o.vcm(UUID.randomUUID())).code());
      assertEquals(Refusal.Code.NOT_FOUND, refusal(o.info("AAAA-BBBB-CCCC")).code());
      assertEquals(Refusal.Code.INVALID_ARGUMENT, refusal(o.info("not an esn")).code());

      await(o.tenantAction(first, tenant.principal(), VcmEntity.Action.ENROLL));
      List<HistoryEntry> history = await(o.history(first));
      assertEquals(List.of("VcmCreated", "VcmStarted", "TenantEnrolled"),
          history.stream().map(HistoryEntry::event).toList());
      assertEquals(ADMIN, history.get(0).by());
      assertTrue(history.get(0).requestDigest().matches("[0-9a-f]{64}"));
      assertNull(history.get(1).requestDigest());
      assertEquals(tenant.principal(), history.get(2).by());
    }

    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, VENDOR.getPublic()))) {
      assertEquals(List.of("5E4D-03E0-D947"), o.esns(), "the data directory remembers its HSMs");
      VcmView view = await(o.vcm(first));
      assertEquals(VcmStatus.ACTIVE, view.status(), "a process restart is not a reboot");
      assertEquals(tenant.fingerprint(), view.facts().enrolledBy());
      HsmInfo info = await(o.info(null));
      assertEquals(2, info.vcmsCreated());
      assertEquals(1, info.vcmsActive());
      assertEquals(VcmStatus.INACTIVE, await(o.vcm(second)).status());
    }
  }

  @Test
  void withSeveralHsmsAnHsmCommandMustNameOneAndVcmCommandsFindTheirs() {
    Path dir = TestConfigs.freshDataDirectory("facade-multi").root();
    OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic())
        .withEsns(List.of("AAAA-0000-0001", "AAAA-0000-0002"));
    try (Orchestrator o = Orchestrator.start(config)) {
      Refusal which = refusal(o.info(null));
      assertEquals(Refusal.Code.INVALID_ARGUMENT, which.code());
      assertTrue(which.getMessage().contains("--esn"), which.getMessage());
      ready(o, "AAAA-0000-0002", 2);
      UUID vcm = await(o.createVcm("AAAA-0000-0002", new TestTenant().createRequest(Map.of("name", "x"),
          Instant.now()), ProviderChoices.NONE, ADMIN)).view().uuid();
      assertEquals(VcmStatus.ACTIVE, await(o.startVcm(vcm, null, ADMIN)).status());
      assertEquals(0, await(o.info("AAAA-0000-0001")).vcmsCreated());
    }
  }
}
