package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.ADMIN;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.VENDOR;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Replay equals live: after random sequences of commands (refused ones included) and a
 * restart, the replay of the export alone shows every VCM as the orchestrator does.
 */
class AuditReplayModelTest {

  private static final int SEQUENCES = 3;
  private static final int STEPS = 40;
  private static final VcmEntity.Action[] ACTIONS = {VcmEntity.Action.ENROLL, VcmEntity.Action.UNENROLL,
      VcmEntity.Action.LOAD_WORLD, VcmEntity.Action.MODE_OPERATIONAL, VcmEntity.Action.MODE_MAINTENANCE,
      VcmEntity.Action.AUDIT_ON, VcmEntity.Action.AUDIT_FINALIZE, VcmEntity.Action.ACKNOWLEDGE_RESTART};

  @Test
  void replayOfTheExportEqualsLiveAfterRandomSequences() throws Exception {
    long base = Long.getLong("audit.seed", System.nanoTime());
    for (int i = 0; i < SEQUENCES; i++) {
      long seed = base + i;
      Path dir = TestConfigs.freshDataDirectory("audit-model").root();
      OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic());
      Map<UUID, TestTenant> vcms = new LinkedHashMap<>();
      Random random = new Random(seed);
      try (Orchestrator o = Orchestrator.start(config)) {
        OrchestratorFacadeTest.ready(o, null, 3);
        steps(o, random, vcms);
      }
      try (Orchestrator o = Orchestrator.start(config)) {
        steps(o, random, vcms);
        assertEquals(JsonViews.vcms(await(o.vcms(null))), AuditRuns.replay(AuditRuns.export(o)),
            "replay equals live; rerun with -Daudit.seed=" + seed + " (sequence " + i + " of seed " + base + ")");
      }
    }
  }

  private static void steps(Orchestrator o, Random random, Map<UUID, TestTenant> vcms) {
    for (int step = 0; step < STEPS / 2; step++) {
      List<UUID> known = new ArrayList<>(vcms.keySet());
      UUID vcm = known.isEmpty() ? null : known.get(random.nextInt(known.size()));
      int choice = vcm == null ? 0 : random.nextInt(9);
      switch (choice) {
        case 0 -> {
          TestTenant tenant = new TestTenant();
          if (attempt(o.createVcm(null, tenant.createRequest(Map.of("name", "v" + vcms.size()), Instant.now()),
              ProviderChoices.NONE, ADMIN)) instanceof HsmEntity.CreatedVcm c) {
            vcms.put(c.view().uuid(), tenant);
          }
        }
        case 1, 2 -> attempt(o.startVcm(vcm, null, ADMIN));
        case 3 -> attempt(o.stopVcm(vcm, random.nextBoolean(), ADMIN));
        case 4 -> attempt(o.deleteVcm(vcm, random.nextBoolean(), ADMIN));
        case 5, 6 -> attempt(o.tenantAction(vcm, vcms.get(vcm).principal(), ACTIONS[random.nextInt(ACTIONS.length)]));
        case 7 -> {
          String value = Boolean.toString(random.nextBoolean());
          attempt(o.setProperty(vcm, vcms.get(vcm).propertiesRequest(vcm, Map.of("autostart", value), Instant.now()),
              "autostart", value, ADMIN));
        }
        default -> attempt(o.reset(null, ADMIN));
      }
    }
  }

  /** The result, or {@code null} when the orchestrator refused: refusals are part of a random sequence. */
  private static Object attempt(CompletionStage<?> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException refused) {
      return null;
    }
  }
}
