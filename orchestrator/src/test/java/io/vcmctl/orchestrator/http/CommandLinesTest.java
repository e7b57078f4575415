package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.orchestrator.cli.BinCommand;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * The command lines as an operator uses them day to day, each a real {@code bin/} script on one
 * daemon: the rule and the code in every refusal, and where each code is explained; {@code --json}
 * on every command; idempotent start and stop; the reset's guard.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(LogCapturingExtension.class)
class CommandLinesTest {

  private OpsFleet fleet;
  private final TestTenant aliceTenant = new TestTenant();
  private final TestTenant bobTenant = new TestTenant();
  private UUID alice;
  private UUID bob;

  @BeforeAll
  void startTheDaemon() {
    fleet = OpsFleet.start("command-lines", Duration.ofHours(1));
    alice = fleet.create("alice", aliceTenant, Map.of());
    fleet.start(alice);
    fleet.enrol(aliceTenant, alice);
    bob = fleet.create("bob", bobTenant, Map.of());
  }

  @AfterAll
  void stopTheDaemon() {
    fleet.close();
  }

  @Test
  void aRefusalNamesItsRuleAndItsCode() {
    String inUse = refused("vcmadmin", "stop", alice.toString());
    assertTrue(inUse.startsWith("ERROR: R5 VCM_IN_USE: VCM " + alice + " is in use"), inUse);
    assertTrue(refused("vcmadmin", "delete", UUID.randomUUID().toString()).startsWith("ERROR: NOT_FOUND: no VCM "));
  }

  @Test
  void everyRuleAndEveryCodeIsExplainedInTheRulesDocument() throws IOException, IllegalAccessException {
    String rules = Files.readString(OpsFleet.repositoryRoot().resolve("docs/rules.md"));
    for (int r = 1; r <= 12; r++) {
      assertTrue(rules.contains("\n| R" + r + " |"), "docs/rules.md does not explain R" + r);
    }
    for (Refusal.Code code : Refusal.Code.values()) {
      assertTrue(rules.contains("`" + code + "`"), "docs/rules.md does not explain " + code);
    }
    for (Field field : ApiError.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        assertTrue(rules.contains("`" + field.get(null) + "`"), "docs/rules.md does not explain " + field.get(null));
      }
    }
  }

  @Test
  @Order(1)
  void everyCommandAnswersJsonWhenAsked() {
    JsonNode request = json("hsmadmin", "vcm", "create", "--tenant-dir", "carol", "--name", "carol", "--out",
        "carol.json", "--json");
    assertEquals("carol", request.path("properties").path("name").asText(), request::toString);
    assertTrue(json("hsmadmin", "vcm", "inspect-request", "carol.json", "--json").path("signature").asText()
        .equals("valid"));
    // No NAME: the name the tenant's request asks for.
    JsonNode created = json("vcmadmin", "create", "--request", "carol.json", "--json");
    String carol = created.path("uuid").asText();
    assertEquals("carol", created.path("vcm").path("name").asText(), created::toString);

    assertEquals("active", json("vcmadmin", "start", carol, "--json").path("state").asText());
    JsonNode again = json("vcmadmin", "start", carol, "--json");
    assertEquals("already active", again.path("unchanged").asText(), again::toString);
    assertTrue(fleet.cli("vcmadmin", "start", carol).ok().out().contains("unchanged: already active"));

    String config = "vcm-" + carol + ".config";
    assertTrue(json("hsmadmin", "vcm", "enroll", "--tenant-dir", "carol", config, "--json").path("enrolled")
        .asBoolean());
    for (List<String> action : List.of(List.of("world", "load"), List.of("audit", "on"), List.of("audit", "finalize"),
        List.of("mode", "maintenance"), List.of("mode", "operational"))) {
      List<String> command = new ArrayList<>(List.of("hsmadmin", "vcm"));
      command.addAll(action);
      command.addAll(List.of("--tenant-dir", "carol", "--json", carol));
      assertEquals(carol, json(command.toArray(String[]::new)).path("uuid").asText());
    }
    assertEquals(1000, json("hsmadmin", "vcm", "data", "write", "--tenant-dir", "carol", "--bytes", "1000", carol,
        "--json").path("written_bytes").asLong());
    json("hsmadmin", "vcm", "start-request", "--tenant-dir", "carol", "--out", "carol-start.json", "--json", carol);
    json("hsmadmin", "vcm", "properties-request", "--tenant-dir", "carol", "--out", "carol-props.json", "--json",
        carol, "serial_cardreader=true");

    JsonNode stopped = json("vcmadmin", "stop", "--force", carol, "--json");
    assertTrue(stopped.path("hardserver_restart_required").asBoolean(), stopped::toString);
    JsonNode stoppedAgain = json("vcmadmin", "stop", carol, "--json");
    assertEquals("already stopped", stoppedAgain.path("unchanged").asText(), stoppedAgain::toString);
    assertTrue(fleet.cli("vcmadmin", "stop", carol).ok().out().contains("unchanged: already stopped"));
    json("hsmadmin", "vcm", "acknowledge-restart", "--tenant-dir", "carol", "--json", carol);
    json("hsmadmin", "vcm", "unenroll", "--tenant-dir", "carol", "--json", carol);
    assertTrue(json("vcmadmin", "properties", "set", "--request", "carol-props.json", carol, "serial_cardreader",
        "true", "--json").path("properties").path("serial_cardreader").asBoolean());

    // Nothing was recorded for the second start and the second stop.
    JsonNode events = json("vcmadmin", "history", carol, "--json").path("events");
    assertEquals(List.of("VcmCreated", "VcmStarted", "TenantEnrolled"), names(events).subList(0, 3));
    assertEquals(1, names(events).stream().filter("VcmStarted"::equals).count(), events::toString);
    assertEquals(1, names(events).stream().filter("VcmStopped"::equals).count(), events::toString);
    JsonNode createdDetails = events.get(0).path("details");
    assertTrue(createdDetails.isObject(), createdDetails::toString);
    assertTrue(createdDetails.path("properties").has("k_tenant_req"), createdDetails::toString);
    assertTrue(createdDetails.has("sshadmin_key"), createdDetails::toString);

    List<String> text = fleet.cli("vcmadmin", "history", carol).ok().out().lines().toList();
    assertTrue(text.get(0).startsWith("seq"), text::toString);
    assertTrue(text.stream().anyMatch(l -> l.contains("VcmStopped (forced)")), text::toString);
    assertTrue(text.stream().anyMatch(l -> l.contains("PropertyChanged serial_cardreader=true")), text::toString);
    assertTrue(text.stream().allMatch(l -> l.length() <= 100), () -> "wider than 100 columns:\n" + text);

    assertEquals("deleted", json("vcmadmin", "delete", carol, "--json").path("state").asText());
    String vendorKey = fleet.daemon.tokenFile().resolveSibling("demo-vendor").resolve("vendor.key").toString();
    assertEquals(fleet.esn, json("orchestrator", "licence", "issue", "--vendor-key", vendorKey, "--esn", fleet.esn,
        "--multi-tenant", "--max-active", "10", "--out", "licence.json", "--json").path("esn").asText());
    assertEquals(10, json("hsmadmin", "fet", "licence.json", "--json").path("max_active_vcms").asInt());
    assertEquals("ipv4 10.30.0.0/24", json("hsmadmin", "setnetwork", "--ipv4", "10.30.0.0/24", "--json")
        .path("pending_network").asText());
    assertTrue(json("hsmadmin", "settime", "--json").has("module_time"));
    assertTrue(json("orchestrator", "vendor-key", "generate", "--out", "vendor", "--json").has("fingerprint"));
  }

  @Test
  @Order(2)
  void resetRefusesWhileATenantUsesItsVcmUnlessForced() {
    String inUse = refused("hsmadmin", "reset");
    assertTrue(inUse.startsWith("ERROR: R5 VCM_IN_USE: the reset would stop VCMs in use"), inUse);
    assertTrue(inUse.contains("alice (" + alice + ")"), inUse);
    assertEquals("active", json("vcmadmin", "show", "--json", alice.toString()).path("state").asText(),
        "a refused reset stopped a VCM");

    String out = fleet.cli("hsmadmin", "reset", "--force").ok().out();
    assertTrue(out.contains("stopped: alice (" + alice + ")"), out);
    fleet.start(alice);
    JsonNode reset = json("hsmadmin", "reset", "--force", "--json");
    assertEquals(alice.toString(), reset.path("stopped").get(0).asText(), reset::toString);
    fleet.start(alice);
  }

  @Test
  @Order(3)
  void listShowsOneLinePerVcmAndTheDeletedOnesWithAll() {
    List<String> list = fleet.cli("vcmadmin", "list").ok().out().lines().toList();
    assertEquals(List.of("NAME", "UUID", "STATE", "ADDRESS", "FLAGS", "ENROLLED"),
        List.of(list.get(0).split("\\s+")), list::toString);
    assertEquals(3, list.size(), list::toString);
    assertTrue(list.get(1).matches("alice +" + alice.toString().substring(0, 8)
        + " +active +10\\.30\\.0\\.\\d+ +- +yes"), list::toString);
    assertEquals(list, fleet.cli("vcmadmin", "show").ok().out().lines().toList(), "show without a VCM is the list");

    List<String> all = fleet.cli("vcmadmin", "list", "--all").ok().out().lines().toList();
    String carol = all.stream().filter(l -> l.startsWith("carol ")).findFirst().orElseThrow(() ->
        new AssertionError("no deleted carol in " + all));
    assertTrue(carol.matches("carol +[0-9a-f]{8,} +deleted .* \\d{4}-\\d\\d-\\d\\dT.* by provider:admin"), carol);

    JsonNode json = json("vcmadmin", "list", "-o", "json", "--all");
    assertEquals(3, json.path("vcms").size(), json::toString);
    assertEquals("deleted", json.path("vcms").get(2).path("state").asText(), json::toString);
    assertEquals(json, json("vcmadmin", "list", "--json", "--all"));
    assertTrue(fleet.cli("vcmadmin", "list", "-o", "wide").ok().out().contains(bob.toString()));
  }

  @Test
  @Order(4)
  void aVcmIsNamedByItsNameOrAUniquePrefixOfItsUuid() {
    assertEquals(alice.toString(), json("vcmadmin", "show", "--json", "alice").path("uuid").asText());
    String shown = fleet.cli("vcmadmin", "show", "alice").ok().out();
    assertEquals(1, shown.lines().filter(l -> l.strip().startsWith("name: ")).count(), shown);
    assertEquals(bob.toString(), json("vcmadmin", "show", "--json", bob.toString().substring(0, 8)).path("uuid")
        .asText());
    assertTrue(fleet.cli("vcmadmin", "stop", "bob").ok().out().contains("already stopped"));
    assertTrue(fleet.cli("vcmadmin", "history", "carol").ok().out().contains("VcmDeleted"),
        "a deleted VCM's history by its name");
    assertTrue(refused("vcmadmin", "show", bob.toString().substring(0, 7)).contains("no VCM that exists is named"),
        "a prefix of fewer than 8 hex digits is only a name");

    UUID one = fleet.create("twin", new TestTenant(), Map.of());
    UUID two = fleet.create("twin", new TestTenant(), Map.of());
    String twins = refused("vcmadmin", "delete", "twin");
    assertTrue(twins.startsWith("ERROR: 'twin' is ambiguous: it names twin (" + one + "), twin (" + two + ")")
        || twins.startsWith("ERROR: 'twin' is ambiguous: it names twin (" + two + "), twin (" + one + ")"), twins);
    assertEquals("deleted", json("vcmadmin", "delete", "--json", one.toString()).path("state").asText());
    assertEquals("deleted", json("vcmadmin", "delete", "--json", "twin").path("state").asText());
  }

  @Test
  @Order(5)
  void statsSayNotCollectedYetBeforeTheFirstPoll() {
    // The poller waits an hour here: alice was never measured.
    List<String> stats = fleet.cli("vcmadmin", "stats").ok().out().lines().toList();
    String row = stats.stream().filter(l -> l.startsWith("alice ")).findFirst().orElseThrow(() ->
        new AssertionError("no alice in " + stats));
    assertTrue(row.contains("not collected yet"), stats::toString);
    JsonNode json = json("vcmadmin", "stats", "--json");
    assertTrue(json.path("stats").get(0).path("collected_at").isNull(), json::toString);
  }

  @Test
  void usageMistakesGetHelpAndSuggestions() {
    Result typo = fleet.cli("vcmadmin", "shwo");
    assertEquals(2, typo.exit(), typo::toString);
    assertEquals(1, typo.err().lines().count(), typo::toString);
    assertTrue(typo.err().contains("did you mean 'show'"), typo::toString);

    Result bare = fleet.cli("vcmadmin").ok();
    assertTrue(bare.out().startsWith("Usage: vcmadmin"), bare::toString);
    assertTrue(bare.out().contains("  list, ls "), bare::toString);
    Result help = fleet.cli("vcmadmin", "help", "stop").ok();
    assertTrue(help.out().startsWith("Usage: vcmadmin stop"), help::toString);
    assertTrue(help.out().contains("--force"), help::toString);
    assertTrue(fleet.cli("hsmadmin", "vcm").ok().out().startsWith("Usage: hsmadmin vcm"));
  }

  @Test
  void theInstalledCompletionScriptCompletesCommandsInBash() {
    Path dir = fleet.work.resolve("completions");
    String installed = fleet.cli("orchestrator", "completion", "--dir", dir.toString()).ok().out();
    assertTrue(installed.contains("vcmadmin: " + dir.resolve("vcmadmin")), installed);
    Result completed = BinCommand.exec(fleet.work, Map.of(), Duration.ofSeconds(30), List.of("bash", "-c",
        "source " + dir.resolve("vcmadmin") + " && COMP_WORDS=(vcmadmin st) && COMP_CWORD=1"
            + " && COMP_LINE='vcmadmin st' && COMP_POINT=11 && _picocli_vcmadmin && echo \"${COMPREPLY[@]}\""));
    assertEquals(0, completed.exit(), completed::toString);
    assertEquals(List.of("start", "stats", "stop"),
        List.of(completed.out().strip().split(" ")).stream().sorted().toList(), completed::toString);
  }

  private JsonNode json(String... command) {
    return fleet.cli(command).ok().json();
  }

  private static List<String> names(JsonNode events) {
    List<String> names = new ArrayList<>();
    events.forEach(e -> names.add(e.path("event").asText()));
    return names;
  }

  /** A refusal: exit 1 and one line on stderr, nothing on stdout. */
  private String refused(String... command) {
    Result r = fleet.cli(command);
    assertEquals(1, r.exit(), r::toString);
    assertEquals("", r.out(), r::toString);
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r::toString);
    return lines.get(0);
  }
}
