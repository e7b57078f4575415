package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the operator guide asks of a provider, on a real daemon through its HTTP API and the
 * command lines: the tenant's consent to autostart, its advice as warnings, and the operator's
 * plain tooling. Networking is tried first, while the HSM has no VCM a change could strand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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

  // ---- the operator guide's advice: warnings, never refusals --------------------------------

  @Test
  @Order(1)
  void linkLocalNetworkingIsSetWithAWarning() {
    Answer http = api.post("/v1/hsm/network", json("ipv6_link_local", true)).ok();
    assertEquals("ipv6-link-local fe80::/64", http.json().get("pending_network").asText());
    assertTrue(http.json().get("warnings").get(0).asText().contains("same host as the HSM"), http.raw());

    Result cli = fleet.cli("hsmadmin", "setnetwork", "--ipv6-link-local");
    assertEquals(0, cli.exit(), cli::toString);
    assertWarnings(cli, "same host as the HSM");
    assertEquals(List.of(), texts(api.post("/v1/hsm/network", json("ipv4", "10.30.0.0/24")).ok().json()
        .get("warnings")));
  }

  @Test
  void aSecondVcmForATenantIsCreatedWithAWarning() throws IOException {
    TestTenant tenant = new TestTenant();
    String first = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
        "name", "one")).ok().json().get("uuid").asText();
    Answer second = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
        "name", "two")).ok();
    List<String> warnings = texts(second.json().get("warnings"));
    assertEquals(1, warnings.size(), second.raw());
    assertTrue(warnings.get(0).contains(first) && warnings.get(0).contains("one VCM per HSM per tenant"), second.raw());

    Files.write(fleet.work.resolve("same-tenant.json"), tenant.createRequest(Map.of(), Instant.now()));
    Result text = fleet.cli("vcmadmin", "create", "--request", "same-tenant.json", "three");
    assertEquals(0, text.exit(), text::toString);
    assertTrue(text.out().startsWith("uuid: "), text::toString);
    assertWarnings(text, "one VCM per HSM per tenant");
    Result json = fleet.cli("vcmadmin", "create", "--request", "same-tenant.json", "--json", "four");
    assertEquals(0, json.exit(), json::toString);
    assertWarnings(json, "one VCM per HSM per tenant");
    assertTrue(texts(json.json().get("warnings")).get(0).contains(first), json::toString);
  }

  @Test
  void moreAutostartVcmsThanTheLicenceStartsAreCreatedOrSetWithAWarning() throws IOException {
    byte[] licence = Licence.of(fleet.esn, true, SpeedRating.MID, 1, List.of(), Instant.now())
        .sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
    Map<String, String> auto = Map.of("name", "auto", "autostart", "true");
    api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(auto, Instant.now())))).ok();
    Answer over = api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(auto, Instant.now()))))
        .ok();
    assertTrue(over.json().at("/vcm/properties/autostart").asBoolean(), "advice never refuses");
    List<String> warnings = texts(over.json().get("warnings"));
    assertEquals(1, warnings.size(), over.raw());
    assertTrue(warnings.get(0).contains("more than max_active_vcms (1)"), over.raw());

    // Turning autostart on later gets the same warning, over HTTP and from the command line.
    TestTenant tenant = new TestTenant();
    String plain = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
        "name", "plain")).ok().json().get("uuid").asText();
    byte[] turnOn = tenant.propertiesRequest(java.util.UUID.fromString(plain), Map.of("autostart", "true"),
        Instant.now());
    Answer set = api.post("/v1/vcms/" + plain + "/properties", json("request", b64(turnOn), "property", "autostart",
        "value", "true")).ok();
    assertTrue(set.json().at("/properties/autostart").asBoolean(), set.raw());
    assertTrue(texts(set.json().get("warnings")).get(0).contains("would have autostart"), set.raw());

    String other = api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())),
        "name", "other")).ok().json().get("uuid").asText();
    Files.write(fleet.work.resolve("turn-on.json"), tenant.propertiesRequest(java.util.UUID.fromString(other),
        Map.of("autostart", "true"), Instant.now()));
    Result cli = fleet.cli("vcmadmin", "properties", "set", "--request", "turn-on.json", other, "autostart", "true");
    assertEquals(0, cli.exit(), cli::toString);
    assertTrue(cli.out().contains("autostart: true"), cli::toString);
    assertWarnings(cli, "would have autostart");
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

  // ---- licensed features ------------------------------------------------------------------

  @Test
  void aLicenceGrantsFeaturesThatInfoListsAndVcmsMayUse() throws IOException {
    String vendorKey = fleet.daemon.tokenFile().resolveSibling("demo-vendor").resolve("vendor.key").toString();
    Result bad = fleet.cli("orchestrator", "licence", "issue", "--vendor-key", vendorKey, "--esn", fleet.esn,
        "--features", "SEEIntegration,not-a-name", "--out", "bad.json");
    assertEquals(2, bad.exit(), bad::toString);
    assertTrue(bad.err().contains("'not-a-name' is not a feature name"), bad::toString);
    assertFalse(Files.exists(fleet.work.resolve("bad.json")), "nothing written");

    Result issued = fleet.cli("orchestrator", "licence", "issue", "--vendor-key", vendorKey, "--esn", fleet.esn,
        "--features", "SEEIntegration,Extra_1", "--out", "features.json").ok();
    assertTrue(issued.out().contains("features: Extra_1, SEEIntegration"), issued::toString);
    fleet.cli("hsmadmin", "fet", "features.json").ok();
    assertEquals("Extra_1|SEEIntegration|StandardFeatures\n",
        fleet.cli("hsmadmin", "info", "--field", "features").ok().out(), "licensed features add to the standard ones");

    Answer created = api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(Map.of(), Instant.now())),
        "name", "see", "features", "SEEIntegration|StandardFeatures")).ok();
    assertEquals("SEEIntegration|StandardFeatures", created.json().at("/vcm/properties/features").asText());

    JsonNode before = state();
    Answer refused = api.post("/v1/vcms", json("request", b64(new TestTenant().createRequest(Map.of(), Instant.now())),
        "name", "gold", "features", "Gold|SEEIntegration")).refused(409, "FEATURE_NOT_LICENSED");
    assertTrue(refused.message().contains("[Gold]"), refused.message());
    assertEquals(before, state(), "a refusal changes nothing");

    String see = created.json().at("/vcm/uuid").asText();
    fleet.cli("orchestrator", "licence", "issue", "--vendor-key", vendorKey, "--esn", fleet.esn,
        "--features", "Extra_1", "--out", "fewer.json").ok();
    Result fewer = fleet.cli("hsmadmin", "fet", "fewer.json");
    assertEquals(0, fewer.exit(), fewer::toString);
    assertWarnings(fewer, "feature SEEIntegration is no longer licensed; VCM " + see);
    JsonNode inUse = fleet.cli("hsmadmin", "info", "--field", "unlicensed_features_in_use", "--json").ok().json();
    assertTrue(inUse.path("SEEIntegration").toString().contains(see), inUse::toString);
    assertEquals("SEEIntegration|StandardFeatures",
        api.get("/v1/vcms/" + see).ok().json().at("/properties/features").asText(), "the VCM keeps it");
  }

  // ---- tooling ------------------------------------------------------------------------------

  @Test
  void infoPrintsOneFieldForScriptsAndNamesTheFieldsWhenAskedForAnother() {
    assertEquals(fleet.esn + "\n", fleet.cli("hsmadmin", "info", "--field", "esn").ok().out());
    assertEquals("true\n", fleet.cli("hsmadmin", "info", "--field", "multi_tenant").ok().out());
    assertEquals("\"" + fleet.esn + "\"\n", fleet.cli("hsmadmin", "info", "--field", "esn", "--json").ok().out());

    Result unknown = fleet.cli("hsmadmin", "info", "--field", "serial");
    assertEquals(2, unknown.exit(), unknown::toString);
    assertEquals("", unknown.out(), unknown::toString);
    assertEquals(1, unknown.err().lines().count(), unknown::toString);
    assertTrue(unknown.err().startsWith("ERROR: info has no field 'serial'; the fields are esn, "), unknown.err());
    assertTrue(unknown.err().contains("max_active_vcms"), unknown.err());
  }

  /** Every stderr line is a warning, and one of them says this. */
  private static void assertWarnings(Result r, String says) {
    List<String> lines = r.err().lines().toList();
    assertFalse(lines.isEmpty(), r::toString);
    assertTrue(lines.stream().allMatch(l -> l.startsWith("WARNING: ")), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.contains(says)), r::toString);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Everything a refused create could change: the VCMs and the HSM's counts (not its clock). */
  private JsonNode state() {
    ObjectNode info = (ObjectNode) api.get("/v1/hsm/info").ok().json();
    info.remove("module_time");
    return json("vcms", api.get("/v1/vcms").ok().json(), "info", info);
  }
}
