package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenant's request tooling as a tenant and a provider use it, through the real {@code bin/}
 * scripts against one daemon: rotating the request-signing key without editing files, and
 * asking whether a request will be accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantRequestsCliTest {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  static Path work;

  private ServeProcess server;
  private String esn;

  @BeforeAll
  void startTheDaemonWithANetworkAndALicence() throws IOException {
    server = ServeProcess.start(work, work.resolve("data"), START_TIMEOUT, Map.of());
    esn = ok("hsmadmin", "info", "--field", "esn").out().strip();
    ok("orchestrator", "licence", "issue", "--vendor-key", "data/demo-vendor/vendor.key", "--esn", esn,
        "--multi-tenant", "--max-active", "10", "--out", "licence.json");
    ok("hsmadmin", "fet", "licence.json");
    ok("hsmadmin", "setnetwork", "--ipv4", "10.0.0.0/24");
    ok("hsmadmin", "reset");
  }

  @AfterAll
  void stopTheDaemon() throws InterruptedException {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void rotatingTheRequestKeyTwiceLeavesRequestsSignedByAnOldKeyRefused() throws IOException {
    String vcm = newVcm("tenant-rot", "rotor");
    Path dir = work.resolve("tenant-rot");
    String first = Files.readString(dir.resolve("request.pub"));

    ok("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-rot", "--out", "by-first.json", vcm,
        "name=first");
    String second = rotate("tenant-rot", vcm, "rotate-1.json");
    assertEquals(first, Files.readString(dir.resolve("request.pub")), "the current key stays until --commit");
    ok("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "tenant-rot", "--commit", vcm);
    assertEquals(first, Files.readString(dir.resolve("request.previous.pub")), "the replaced key is kept");
    assertEquals(second, properties(vcm).path("k_tenant_req").asText());

    assertTrue(refused("vcmadmin", "properties", "set", "--request", "by-first.json", vcm, "name", "first")
        .contains("not by the VCM's current k_tenant_req"));
    ok("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-rot", "--out", "by-second.json", vcm,
        "name=second");
    ok("vcmadmin", "properties", "set", "--request", "by-second.json", vcm, "name", "second");

    String third = rotate("tenant-rot", vcm, "rotate-2.json");
    ok("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "tenant-rot", "--commit", vcm);
    assertEquals(third, properties(vcm).path("k_tenant_req").asText());
    assertTrue(refused("vcmadmin", "properties", "set", "--request", "by-second.json", vcm, "name", "second")
        .contains("not by the VCM's current k_tenant_req"));
    assertTrue(refused("vcmadmin", "properties", "set", "--request", "rotate-1.json", vcm, "k_tenant_req", second)
        .contains("not by the VCM's current k_tenant_req"), "a request of the first key cannot take the VCM back");
    ok("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-rot", "--out", "by-third.json", vcm,
        "name=third");
    ok("vcmadmin", "properties", "set", "--request", "by-third.json", vcm, "name", "third");
    assertEquals("third", properties(vcm).path("name").asText());
  }

  @Test
  void aRotationAskedForWronglyIsRefusedAndLeavesTheKeysAlone() throws IOException {
    String vcm = newVcm("tenant-wrong", "wrong");
    Path dir = work.resolve("tenant-wrong");
    byte[] key = Files.readAllBytes(dir.resolve("request.key"));

    Result neither = run("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "tenant-wrong", vcm);
    assertEquals(2, neither.exit(), neither::toString);
    assertTrue(neither.err().startsWith("ERROR: give --out FILE"), neither::toString);
    Result early = run("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "tenant-wrong", "--commit", vcm);
    assertEquals(1, early.exit(), early::toString);
    assertEquals(1, early.err().lines().count(), early::toString);
    assertTrue(early.err().startsWith("ERROR: no new request key to commit"), early::toString);
    Result noKeys = run("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "nobody", "--out", "x.json", vcm);
    assertEquals(1, noKeys.exit(), noKeys::toString);
    assertTrue(noKeys.err().startsWith("ERROR: no request key in nobody"), noKeys::toString);
    assertFalse(Files.exists(work.resolve("x.json")));

    assertArrayEquals(key, Files.readAllBytes(dir.resolve("request.key")));
    assertFalse(Files.exists(dir.resolve("request.next.key")));
    assertFalse(Files.exists(dir.resolve("request.previous.key")));
  }

  @Test
  void inspectRequestSaysWhetherTheVcmWouldAcceptTheRequestAndByWhichClock() throws IOException {
    String vcm = newVcm("tenant-ask", "asker");
    ok("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-ask", "--out", "ask.json", vcm, "name=asked");

    String plain = ok("hsmadmin", "vcm", "inspect-request", "ask.json").out();
    assertTrue(plain.contains("signature: not checked (needs the VCM's k_tenant_req)\n"), plain);
    assertTrue(plain.contains("validity: ok (this host's clock is now "), plain);
    assertTrue(plain.contains("clock: this host's clock, not the HSM's module time\n"), plain);
    assertTrue(plain.contains("not_checked: the signature against the VCM's current k_tenant_req; validity by the"
        + " HSM's module time (--vcm UUID asks the orchestrator)\n"), plain);
    String create = ok("hsmadmin", "vcm", "inspect-request", "asker.json").out();
    assertTrue(create.contains("signature: valid\n") && create.contains("not_checked: validity by the HSM's module"
        + " time\n"), create);

    String asked = ok("hsmadmin", "vcm", "inspect-request", "--vcm", vcm, "ask.json").out();
    assertTrue(asked.contains("clock: module time of HSM " + esn + " ("), asked);
    assertTrue(asked.contains("k_tenant_req: " + properties(vcm).path("k_tenant_req_fingerprint").asText()), asked);
    assertTrue(asked.endsWith("verdict: accepted\n"), asked);

    ok("hsmadmin", "settime", "2100-01-01T00:00:00Z");
    try {
      String late = unchanged("hsmadmin", "vcm", "inspect-request", "--vcm", vcm, "ask.json");
      assertTrue(late.contains("(module time is now 2100-01-01T00:00"), late);
      assertEquals(ticking("ERROR: Failed to set VCM properties: " + late.substring("ERROR: ".length())),
          ticking(refused("vcmadmin", "properties", "set", "--request", "ask.json", vcm, "name", "asked")));
      assertTrue(ok("hsmadmin", "vcm", "inspect-request", "ask.json").out().contains("validity: ok (this host's"
          + " clock is now "), "the host's clock alone does not see what the module's does");
    } finally {
      ok("hsmadmin", "settime");
    }

    rotate("tenant-ask", vcm, "ask-rotate.json");
    String replaced = unchanged("hsmadmin", "vcm", "inspect-request", "--vcm", vcm, "ask.json");
    assertTrue(replaced.contains("not by the VCM's current k_tenant_req"), replaced);
    assertEquals("ERROR: Failed to set VCM properties: " + replaced.substring("ERROR: ".length()),
        refused("vcmadmin", "properties", "set", "--request", "ask.json", vcm, "name", "asked"));

    Result create2 = run("hsmadmin", "vcm", "inspect-request", "--vcm", vcm, "asker.json");
    assertEquals(2, create2.exit(), create2::toString);
    assertTrue(create2.err().startsWith("ERROR: a create request is checked against the key it carries"),
        create2::toString);
  }

  /** A VCM made from a new tenant's create request; its UUID. */
  private String newVcm(String tenantDir, String name) {
    ok("hsmadmin", "vcm", "create", "--tenant-dir", tenantDir, "--name", name, "--out", name + ".json");
    return json(ok("vcmadmin", "create", "--request", name + ".json", "--json", name)).path("uuid").asText();
  }

  /** The tenant asks for a new key and the provider applies the request; the new key's encoding. */
  private String rotate(String tenantDir, String vcm, String file) {
    String out = ok("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", tenantDir, "--out", file, vcm).out();
    assertTrue(out.contains("next_step: once the provider has set k_tenant_req, run hsmadmin vcm rotate-request-key"
        + " --commit " + vcm), out);
    String key = out.lines().filter(l -> l.startsWith("  k_tenant_req: ")).findFirst().orElseThrow()
        .substring("  k_tenant_req: ".length());
    ok("vcmadmin", "properties", "set", "--request", file, vcm, "k_tenant_req", key);
    return key;
  }

  private JsonNode properties(String vcm) {
    return json(ok("vcmadmin", "show", "--json", vcm)).path("properties");
  }

  /** A refusal: exit 1, one {@code ERROR:} line, and every VCM as it was. */
  private String refused(String... command) {
    JsonNode before = json(ok("vcmadmin", "show", "--json"));
    Result r = run(command);
    assertEquals(1, r.exit(), r::toString);
    assertEquals("", r.out(), r::toString);
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r::toString);
    assertTrue(lines.get(0).startsWith("ERROR: "), r::toString);
    assertEquals(before, json(ok("vcmadmin", "show", "--json")), "the refusal changed nothing");
    return lines.get(0);
  }

  /** A check that says no: exit 1, its verdict on stdout, one {@code ERROR:} line, and nothing changed. */
  private String unchanged(String... command) {
    JsonNode before = everything();
    Result r = run(command);
    assertEquals(1, r.exit(), r::toString);
    assertTrue(r.out().contains("verdict: refused\n"), r::toString);
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r::toString);
    assertTrue(lines.get(0).startsWith("ERROR: INVALID_REQUEST: invalid tenant request: "), r::toString);
    assertEquals(before, everything(), "asking changed nothing");
    return lines.get(0);
  }

  /** A message with the module time it names masked: the clock ticks between two calls. */
  private static String ticking(String message) {
    return message.replaceAll("module time is now [^)]*\\)", "module time is now T)");
  }

  /** Every VCM and the HSM, less its ticking clock. */
  private JsonNode everything() {
    ObjectNode info = (ObjectNode) json(ok("hsmadmin", "info", "--json"));
    info.remove("module_time");
    ObjectNode all = JsonViews.MAPPER.createObjectNode();
    all.set("info", info);
    all.set("vcms", json(ok("vcmadmin", "show", "--json")));
    return all;
  }

  private Result ok(String... command) {
    return run(command).ok();
  }

  private Result run(String... command) {
    return BinCommand.exec(work, Map.of("ORCHESTRATOR_URL", server.url), CALL_TIMEOUT, BinCommand.script(command));
  }

  private static JsonNode json(Result r) {
    return r.json();
  }
}
