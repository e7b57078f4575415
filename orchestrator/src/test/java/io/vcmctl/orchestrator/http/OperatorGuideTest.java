package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.orchestrator.http.OpsFleet.Result;
import io.vcmctl.vcm.TestTenant;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the operator guide asks of a provider, on a real daemon through its HTTP API and the
 * command lines: the tenant's consent to autostart, and the operator's plain tooling.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class OperatorGuideTest {

  private OpsFleet fleet;
  private ApiClient api;

  @BeforeAll
  void start() {
    fleet = OpsFleet.start("operator-guide", Duration.ofHours(1));
    api = fleet.api;
  }

  @AfterAll
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  // ---- autostart needs the tenant's consent -------------------------------------------------

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
    Map<String, String> asked = Map.of("name", "auto", "autostart", "true");
    Answer dropped = api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(asked, Instant.now())),
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

  // ---- tooling ------------------------------------------------------------------------------

  @Test
  void infoPrintsOneFieldForScriptsAndNamesTheFieldsWhenAskedForAnother() {
    assertEquals(fleet.esn + "\n", fleet.cli("hsmadmin", "info", "--field", "esn").ok().out());
    assertEquals("10\n", fleet.cli("hsmadmin", "info", "--field", "max_active_vcms").ok().out());
    assertEquals("\"" + fleet.esn + "\"\n", fleet.cli("hsmadmin", "info", "--field", "esn", "--json").ok().out());

    Result unknown = fleet.cli("hsmadmin", "info", "--field", "serial");
    assertEquals(2, unknown.exit(), unknown::toString);
    assertEquals("", unknown.out(), unknown::toString);
    assertEquals(1, unknown.err().lines().count(), unknown::toString);
    assertTrue(unknown.err().startsWith("ERROR: info has no field 'serial'; the fields are esn, "), unknown.err());
    assertTrue(unknown.err().contains("max_active_vcms"), unknown.err());
  }

  /** Everything a refused create could change: the VCMs and the HSM's counts (not its clock). */
  private JsonNode state() {
    ObjectNode info = (ObjectNode) api.get("/v1/hsm/info").ok().json();
    info.remove("module_time");
    return json("vcms", api.get("/v1/vcms").ok().json(), "info", info);
  }
}
