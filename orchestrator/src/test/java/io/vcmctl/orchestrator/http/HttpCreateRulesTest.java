package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the operator guide says about creating VCMs, through the HTTP API of a real daemon. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class HttpCreateRulesTest {

  private Daemon daemon;
  private ApiClient api;
  private String esn;

  @BeforeAll
  void start() {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("http-create").root(), 0, List.of(), Duration.ofHours(1),
        null, new PrintStream(OutputStream.nullOutputStream()));
    api = new ApiClient(daemon.url(), daemon.tokenFile());
    esn = daemon.orchestrator().esns().get(0);
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, 50, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
    api.post("/v1/hsm/network", json("ipv4", "10.30.0.0/24")).ok();
    api.post("/v1/hsm/reset", "").ok();
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  @Test
  void autostartTheTenantDidNotAskForIsRefusedAndRecordsNothing() {
    byte[] request = new TestTenant().createRequest(Map.of("name", "plain"), Instant.now());
    JsonNode before = state();
    Answer refused = api.post("/v1/vcms", json("request", b64(request), "autostart", true))
        .refused(409, "AUTOSTART_NOT_REQUESTED");
    assertTrue(refused.message().contains("tenant's consent"), refused.message());
    assertEquals(before, state(), "a refusal changes nothing");

    Answer plain = api.post("/v1/vcms", json("request", b64(request))).ok();
    assertFalse(plain.json().at("/vcm/properties/autostart").asBoolean());
  }

  @Test
  void theProviderStillDropsARequestedAutostartAndTheReplySaysSo() {
    TestTenant tenant = new TestTenant();
    Map<String, String> asked = Map.of("name", "auto", "autostart", "true");
    Answer dropped = api.post("/v1/vcms", json("request", b64(tenant.createRequest(asked, Instant.now())),
        "autostart", false)).ok();
    assertFalse(dropped.json().at("/vcm/properties/autostart").asBoolean());
    JsonNode difference = dropped.json().get("differences").get(0);
    assertEquals("autostart", difference.get("property").asText());
    assertEquals("true", difference.get("requested").asText());
    assertEquals("false", difference.get("actual").asText());

    Answer kept = api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(asked, Instant.now())),
        "autostart", true)).ok();
    assertTrue(kept.json().at("/vcm/properties/autostart").asBoolean());
  }

  /** Everything a refused create could change: the VCMs and the HSM's counts (not its clock). */
  private JsonNode state() {
    ObjectNode info = (ObjectNode) api.get("/v1/hsm/info").ok().json();
    info.remove("module_time");
    return json("vcms", api.get("/v1/vcms").ok().json(), "info", info);
  }
}
