package io.vcmctl.softhsm;

import static io.vcmctl.softhsm.SoftHsmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A tenant using its VCM over PKCS#11 through the socket, and what the runtime measures of it. */
class SoftHsmTenantTest {

  private static SoftHsmFixture fixture;
  private static SoftHsmRuntime runtime;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = SoftHsmFixture.create();
    runtime = fixture.runtime;
  }

  @AfterAll
  static void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void theTenantsKeySignsAndSurvivesStopAndStart() throws Exception {
    UUID vcm = fixture.vcm(true);
    Pkcs11Tool tenant = fixture.tenant(vcm);
    assertEquals(Boolean.FALSE, fixture.measure(runtime, vcm).tokenInitialized());

    tenant.initialiseToken();
    assertEquals(Boolean.TRUE, fixture.measure(runtime, vcm).tokenInitialized(), "the runtime sees the initialised token");
    tenant.generateEcKey("signing-key");
    Path signed = sign(tenant, "signed before the restart");

    await(runtime.stop(vcm, false));
    await(runtime.start(vcm));

    String objects = tenant.loggedIn("--list-objects");
    assertTrue(objects.contains("Private Key Object; EC") && objects.contains("label:      signing-key"), objects);
    assertTrue(tenant.verify(signed, signature(signed)).contains("Signature is valid"),
        "the key after the restart is the one that signed before it");
    assertEquals(Boolean.TRUE, fixture.measure(runtime, vcm).tokenInitialized());
  }

  @Test
  void diskFollowsWhatTheTenantStoresAndMemoryAndCpuFollowTheServer() throws Exception {
    UUID vcm = fixture.vcm(true);
    Pkcs11Tool tenant = fixture.tenant(vcm);
    tenant.initialiseToken();
    Usage before = fixture.measure(runtime, vcm);
    assertTrue(before.memoryBytes() > 0, "a running server takes memory");
    assertTrue(before.cpuSeconds() >= 0);

    // pkcs11-tool keeps the first 5,000 bytes of each data object, so several are written.
    int objects = 6;
    Path data = Files.createTempFile(fixture.dataDir, "data", ".bin");
    Files.write(data, randomBytes(5_000));
    for (int i = 0; i < objects; i++) {
      tenant.loggedIn("--write-object", data.toString(), "--type", "data", "--label", "data-" + i);
    }
    Usage after = fixture.measure(runtime, vcm);

    assertTrue(after.diskBytes() >= before.diskBytes() + objects * 5_000L,
        "disk grew from " + before.diskBytes() + " by the objects' bytes, to " + after.diskBytes());
    assertTrue(after.cpuSeconds() >= before.cpuSeconds(), "CPU time only grows while the server runs");

    await(runtime.stop(vcm, false));
    Usage stopped = fixture.measure(runtime, vcm);
    assertEquals(0, stopped.memoryBytes(), "a stopped VCM takes no memory");
    assertEquals(0, stopped.cpuSeconds());
    assertEquals(after.diskBytes(), stopped.diskBytes(), "the token keeps its bytes while stopped");
  }

  @Test
  void aStoppedVcmIsMeasuredToo() {
    UUID vcm = fixture.vcm(false);

    Usage usage = fixture.measure(runtime, vcm);

    assertEquals(new Usage(0, 0, 0, false), usage, "a new VCM's token directory is empty");
    assertFalse(runtime.simulatesTenantData());
    assertEquals("softhsm", runtime.name());
  }

  /** Signs {@code text} with the tenant's key; the signature is beside the returned input file. */
  private static Path sign(Pkcs11Tool tenant, String text) throws Exception {
    Path input = Files.createTempFile(fixture.dataDir, "input", ".txt");
    Files.writeString(input, text);
    tenant.sign(input, signature(input));
    assertEquals(64, Files.size(signature(input)), "a P-256 ECDSA signature is r and s, 32 bytes each");
    return input;
  }

  private static Path signature(Path input) {
    return input.resolveSibling(input.getFileName() + ".sig");
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new Random(11).nextBytes(bytes);
    return bytes;
  }
}
