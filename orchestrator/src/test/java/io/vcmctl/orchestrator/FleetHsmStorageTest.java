package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.http.ExternalProgram;
import io.vcmctl.softhsm.SoftHsmRuntime;
import io.vcmctl.softhsm.SoftHsmSettings;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmRuntime.DeviceStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's HSM storage: with the softhsm runtime, a cluster node keeps each HSM's VCM tokens
 * under {@code vcmctl.cluster.hsm-storage}/ESN/, so that the node an HSM moves to finds them; a
 * node whose runtime keeps data refuses to start without it. Two nodes here share the storage
 * as they would over NFS; their runtimes are built as {@code serve --config} builds them.
 */
class FleetHsmStorageTest {

  private static final String ESN = "5E4D-0000-0001";

  @TempDir
  Path dir;

  private ClusterSettings node(String name, String... extra) throws IOException {
    Path password = dir.resolve("db.password");
    Files.writeString(password, "s3cret\n");
    Path file = dir.resolve(name + ".conf");
    Files.writeString(file, String.join("\n",
        "vcmctl.mode = cluster",
        "vcmctl.runtime = softhsm",
        "vcmctl.cluster.seed-nodes = [\"127.0.0.1:25520\"]",
        "vcmctl.cluster.module-keys = \"" + dir.resolve("keys") + "\"",
        "vcmctl.cluster.admin-token-file = \"" + dir.resolve("admin.token") + "\"",
        "vcmctl.cluster.db.url = \"jdbc:postgresql://127.0.0.1/vcmctl\"",
        "vcmctl.cluster.db.password-file = \"" + password + "\"",
        String.join("\n", extra), ""));
    return ClusterSettings.load(file, Orchestrator.overrides(config(name)));
  }

  private OrchestratorConfig config(String name) {
    return OrchestratorConfig.of(dir.resolve(name), DemoVendor.keyPair().getPublic());
  }

  private static void requireSoftHsm() {
    ExternalProgram.require(SoftHsmRuntime.missingProgram(SoftHsmSettings.fromConfig(ConfigFactory.load())));
  }

  @Test
  void aVcmTokenMadeOnOneNodeIsWhereTheNextNodeOfItsHsmLooks() throws Exception {
    requireSoftHsm();
    String storage = "vcmctl.cluster.hsm-storage = \"" + dir.resolve("hsm") + "\"";
    ClusterSettings a = node("a", storage);
    ClusterSettings b = node("b", storage);
    HsmAssembly first = HsmAssembly.forFleet(config("a"), a.config(), a);
    HsmAssembly next = HsmAssembly.forFleet(config("b"), b.config(), b);
    try {
      UUID vcm = UUID.randomUUID();
      VcmRuntime before = first.environments().apply(ESN).runtime();
      before.create(vcm).toCompletableFuture().join();
      assertTrue(Files.isDirectory(dir.resolve("hsm").resolve(ESN).resolve(vcm.toString())));
      assertFalse(Files.exists(dir.resolve("a").resolve("vcms")), "a token under the node's own data directory");
      // The node the HSM moved to: the token is there, created and stopped, not absent.
      VcmRuntime after = next.environments().apply(ESN).runtime();
      assertEquals(DeviceStatus.STOPPED, after.status(vcm).toCompletableFuture().join());
      // Each HSM has its own directory: another HSM's runtime does not see this VCM.
      assertEquals(DeviceStatus.ABSENT,
          next.environments().apply("5E4D-0000-0002").runtime().status(vcm).toCompletableFuture().join());
      assertTrue(first.chosen().description().contains(dir.resolve("hsm") + "/ESN/"), first.chosen().description());
    } finally {
      first.release().run();
      next.release().run();
    }
  }

  @Test
  void aSofthsmNodeWithoutHsmStorageRefusesToStart() throws IOException {
    requireSoftHsm();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNode.start(config("a"), node("a")));
    assertTrue(e.getMessage().startsWith("vcmctl.cluster.hsm-storage is not set: the softhsm runtime keeps"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void anHsmStorageTooLongForTheSocketsIsRefusedAtStart() throws IOException {
    requireSoftHsm();
    ClusterSettings settings = node("a", "vcmctl.cluster.hsm-storage = \"/" + "s".repeat(60) + "\"");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterNode.start(config("a"), settings));
    assertTrue(e.getMessage().startsWith("vcmctl.cluster.hsm-storage /sss"), e.getMessage());
    assertTrue(e.getMessage().contains("too long"), e.getMessage());
  }

  @Test
  void aRelativeHsmStorageIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> node("a", "vcmctl.cluster.hsm-storage = shared/hsm"));
    assertTrue(e.getMessage().endsWith("vcmctl.cluster.hsm-storage must be an absolute path that every node"
        + " reaches, not 'shared/hsm'"), e.getMessage());
  }
}
