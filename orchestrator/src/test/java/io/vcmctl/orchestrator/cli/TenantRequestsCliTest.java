package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * scripts against one daemon: rotating the request-signing key without editing files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantRequestsCliTest {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  static Path work;

  private ServeProcess server;

  @BeforeAll
  void startTheDaemonWithANetworkAndALicence() throws IOException {
    server = ServeProcess.start(work, work.resolve("data"), START_TIMEOUT, Map.of());
    String esn = ok("hsmadmin", "info", "--field", "esn").out().strip();
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
    String second = rotate(vcm, "rotate-1.json");
    assertEquals(first, Files.readString(dir.resolve("request.pub")), "the current key stays until --commit");
    ok("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "tenant-rot", "--commit", vcm);
    assertEquals(first, Files.readString(dir.resolve("request.previous.pub")), "the replaced key is kept");
    assertEquals(second, properties(vcm).path("k_tenant_req").asText());

    assertTrue(refused("vcmadmin", "properties", "set", "--request", "by-first.json", vcm, "name", "first")
        .contains("not by the VCM's current k_tenant_req"));
    ok("hsmadmin", "vcm", "properties-request", "--tenant-dir", "tenant-rot", "--out", "by-second.json", vcm,
        "name=second");
    ok("vcmadmin", "properties", "set", "--request", "by-second.json", vcm, "name", "second");

    String third = rotate(vcm, "rotate-2.json");
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

  /** A VCM made from a new tenant's create request; its UUID. */
  private String newVcm(String tenantDir, String name) {
    ok("hsmadmin", "vcm", "create", "--tenant-dir", tenantDir, "--name", name, "--out", name + ".json");
    return json(ok("vcmadmin", "create", "--request", name + ".json", "--json", name)).path("uuid").asText();
  }

  /** The tenant asks for a new key and the provider applies the request; the new key's encoding. */
  private String rotate(String vcm, String file) {
    String out = ok("hsmadmin", "vcm", "rotate-request-key", "--tenant-dir", "tenant-rot", "--out", file, vcm).out();
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
