package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Refusal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adding an HSM while running is for a cluster's fleet; one process says how to add one instead. */
class FleetRegistrationTest {

  @TempDir
  Path dir;

  @Test
  void aSingleProcessRefusesToAddAnHsmAndSaysHow() {
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir.resolve("data"), DemoVendor.keyPair().getPublic())
        .withEsns(List.of("5E4D-03E0-D947")))) {
      CompletionException e = assertThrows(CompletionException.class,
          () -> o.addHsm("5e4d-03e0-d948").toCompletableFuture().join());
      Refusal refusal = assertInstanceOf(Refusal.class, e.getCause());
      assertEquals(Refusal.Code.INVALID_ARGUMENT, refusal.code());
      assertTrue(refusal.getMessage().contains("--esn 5E4D-03E0-D948"), refusal.getMessage());
      assertEquals(List.of("5E4D-03E0-D947"), o.esns());
      Refusal bad = assertInstanceOf(Refusal.class, assertThrows(CompletionException.class,
          () -> o.addHsm("not-an-esn").toCompletableFuture().join()).getCause());
      assertEquals(Refusal.Code.INVALID_ARGUMENT, bad.code());
    }
  }
}
