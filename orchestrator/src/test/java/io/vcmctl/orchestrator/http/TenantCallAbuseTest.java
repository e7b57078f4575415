package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signed tenant calls from parties that should not be able to hurt anyone else: keys that own
 * no VCM, tenants that flood their own window, and a saved call replayed after a restart. The per-key bound is lowered to
 * {@value #BOUND} so that exhausting it takes a handful of calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class TenantCallAbuseTest {

  private static final int BOUND = 5;
  private static final String PER_KEY = "vcmctl.orchestrator.tenant-auth.max-nonces-per-key";
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private final Path dir = TestConfigs.freshDataDirectory("tenant-abuse").root();
  private Daemon daemon;
  private ApiClient api;

  @BeforeAll
  void startProvisioned() {
    System.setProperty(PER_KEY, Integer.toString(BOUND));
    ConfigFactory.invalidateCaches();
    daemon = startDaemon();
    String esn = daemon.orchestrator().esns().get(0);
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, 50, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
    api.post("/v1/hsm/network", json("ipv4", "10.30.0.0/24")).ok();
    api.post("/v1/hsm/reset", "").ok();
  }

  @AfterAll
  void stop() {
    daemon.stop();
    System.clearProperty(PER_KEY);
    ConfigFactory.invalidateCaches();
  }

  @Test
  void keysThatOwnNoVcmCannotLockOutItsTenant() {
    TestTenant tenant = new TestTenant();
    String uuid = activeVcm(tenant);
    TestTenant intruder = new TestTenant();
    for (int i = 0; i < 4 * BOUND; i++) {
      api.tenant(intruder, "enroll", uuid, "{}").refused(403, "NOT_YOUR_VCM");
      api.tenant(intruder, "enroll", UUID.randomUUID(), "{}").refused(404, "NOT_FOUND");
      api.tenant(intruder, "no-such-action", uuid, "{}").refused(404, "NOT_FOUND");
      api.tenant(new TestTenant(), "enroll", uuid, "{}").refused(403, "NOT_YOUR_VCM");
    }
    assertTrue(api.tenant(tenant, "enroll", uuid, "{}").ok().json().get("enrolled").asBoolean());
  }

  @Test
  void aTenantFloodingItsOwnWindowSlowsOnlyItself() {
    TestTenant noisy = new TestTenant();
    String noisyVcm = activeVcm(noisy);
    TestTenant quiet = new TestTenant();
    String quietVcm = activeVcm(quiet);
    for (int i = 0; i < BOUND; i++) {
      api.tenant(noisy, "acknowledge-restart", noisyVcm, "{}").refused(400, "INVALID_ARGUMENT");
    }
    ApiClient.Answer full = api.tenant(noisy, "enroll", noisyVcm, "{}").refused(503, "UNAVAILABLE");
    assertTrue(full.message().contains("max-nonces-per-key"), full.message());
    assertTrue(api.tenant(quiet, "enroll", quietVcm, "{}").ok().json().get("enrolled").asBoolean());
  }

  @Test
  void aSavedCallReplayedAfterARestartIsRefused() {
    TestTenant tenant = new TestTenant();
    String uuid = activeVcm(tenant);
    api.tenant(tenant, "enroll", uuid, "{}").ok();
    String path = "/v1/tenant/vcms/" + uuid + "/unenroll";
    Map<String, String> saved = TenantCall.sign(tenant.sshadmin, "POST", path, new byte[0], Instant.now());
    api.send("POST", path, "", saved).ok();
    api.tenant(tenant, "enroll", uuid, "{}").ok();

    daemon.stop();
    daemon = startDaemon();
    ApiClient.Answer replayed = api.send("POST", path, "", saved).refused(401, ApiError.REPLAYED_CALL);
    assertTrue(replayed.message().contains("before the daemon started"), replayed.message());
    assertTrue(api.get("/v1/vcms/" + uuid).ok().json().get("enrolled").asBoolean());
    assertEquals(1, api.get("/v1/vcms/" + uuid + "/history").ok().json().findValues("event").stream()
        .filter(e -> e.asText().equals("TenantUnenrolled")).count());
    // A call signed afresh goes through.
    assertFalse(api.tenant(tenant, "unenroll", uuid, "").ok().json().get("enrolled").asBoolean());
  }

  private Daemon startDaemon() {
    Daemon d = Daemon.start(dir, 0, List.of(), null, null, QUIET);
    api = new ApiClient(d.url(), d.tokenFile());
    return d;
  }

  private String activeVcm(TestTenant tenant) {
    String uuid = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())), "name", "t"))
        .ok().json().get("uuid").asText();
    api.post("/v1/vcms/" + uuid + "/start", "{}").ok();
    return uuid;
  }
}
