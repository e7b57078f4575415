package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command lines do differently to start fast must not change what a user or the
 * daemon sees: the JSON text, the signed calls, the errors about keys, and the archive training.
 */
class FastStartTest {

  @TempDir
  Path dir;

  @Test
  void jsonIsPrintedByteForByteAsTheObjectMapperPrintsIt() throws Exception {
    String[] answers = {
        "{\"vcms\":[{\"uuid\":\"a21bb070-8872-4e39-976a-6332c9c91ac0\",\"properties\":{\"autostart\":false,"
            + "\"features\":\"\"},\"enrolled\":true,\"audit_log\":null,\"created_at\":\"2026-12-02T17:35:46Z\"}]}",
        "{\"delay_seconds\":30,\"last_duration_seconds\":0.008341,\"disk_warning_ratio\":0.8,\"vcms\":1000,"
            + "\"disk_limit_bytes\":16777216,\"big\":123456789012345678901234567890,\"huge\":1e300}",
        "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no VCM \\\"x\\\" \\u00e9\\u0001\"},\"e\":[],\"o\":{}}",
        "{\"stats\":[],\"differences\":[{\"property\":\"name\",\"requested\":null,\"actual\":\"b\"}],\"n\":-0.0}"};
    for (String answer : answers) {
      JsonNode mapper = JsonViews.MAPPER.readTree(answer);
      JsonNode ours = Json.parse(answer);
      assertEquals(mapper, ours, answer);
      assertEquals(JsonViews.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(mapper), Json.pretty(ours));
      assertEquals(mapper.toString(), Json.compact(ours));
    }
  }

  @Test
  void aCallSignedThroughTheJdkVerifiesAsTheDaemonChecksIt() throws Exception {
    KeyPair pair = keyPair("sshadmin");
    CallKey key = CallKey.jdk(dir.resolve("sshadmin.key"), dir.resolve("sshadmin.pub"));
    assertNotNull(key, "an Ed25519 pair made by hsmadmin is read without BouncyCastle");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = TenantCall.sign(key.publicKey(), key, "POST", "/v1/tenant/vcms/x/enroll",
        body, Instant.now());

    assertEquals(PublicKeys.encode(pair.getPublic()), headers.get(TenantCall.KEY));
    byte[] canonical = TenantCall.canonical("POST", "/v1/tenant/vcms/x/enroll", headers.get(TenantCall.TIMESTAMP),
        headers.get(TenantCall.NONCE), body);
    assertTrue(PublicKeys.verify(PublicKeys.decode(headers.get(TenantCall.KEY)), canonical,
        Base64.getDecoder().decode(headers.get(TenantCall.SIGNATURE))));
  }

  @Test
  void keyFilesThatAreNotOnePairStillGetTheirOwnError() throws Exception {
    keyPair("sshadmin");
    keyPair("request");
    Files.copy(dir.resolve("request.pub"), dir.resolve("sshadmin.pub"), StandardCopyOption.REPLACE_EXISTING);
    Options.TenantDir keys = new Options.TenantDir();
    keys.dir = dir;

    CliException refused = assertThrows(CliException.class, () -> keys.callKey("sshadmin"));
    assertTrue(refused.getMessage().contains("are not one key pair"), refused.getMessage());
  }

  @Test
  void everyArgumentPicocliMustJudgeIsLeftToIt() {
    assertNotNull(Everyday.parse(new VcmAdminCommand(), "show", "--json", "--url=http://127.0.0.1:1"));
    assertNotNull(Everyday.parse(new HsmAdminCommand(), "vcm", "--verbose", "mode", "operational",
        "4f9d05b8-95f4-41ab-8b0a-0c9c7ce14209"));
    String[][] forPicocli = {{"show", "--help"}, {"show", "--json", "--json"}, {"show", "--json=true"},
        {"show", "not-a-uuid"}, {"show", "--url", "ftp://x"}, {"show", "--url"}, {"show", "--esn", "--verbose"},
        {"--url", "http://x", "show"}, {"show", "@args"}, {"stats", "4f9d05b8-95f4-41ab-8b0a-0c9c7ce14209"},
        {"create", "x"}, {"show", "--verbose", "--verbose"}};
    for (String[] args : forPicocli) {
      assertNull(Everyday.parse(new VcmAdminCommand(), args), String.join(" ", args));
    }
    assertNull(Everyday.parse(new HsmAdminCommand(), "vcm", "mode", "operational"));
    assertNull(Everyday.parse(new HsmAdminCommand(), "vcm", "mode", "operational", "1-2-3-4-5"));
  }

  @Test
  void theArchiveTrainingRunsEveryCommandItArchives() {
    // It throws if any command ends otherwise than expected (and then no archive is made).
    assertDoesNotThrow(() -> ArchiveTraining.main(new String[0]));
  }

  @Test
  void theTrainingsKeyIsAPairWrittenAsHsmadminWritesIt() throws Exception {
    Path key = dir.resolve("sshadmin.key");
    ArchiveTraining.writeTenantKey(key, dir.resolve("sshadmin.pub"));
    // BouncyCastle reads it and checks that the two files are one pair, as for any tenant key.
    KeyPair pair = keyPair("sshadmin");
    KeyFiles.writePrivate(dir.resolve("again.key"), pair.getPrivate());
    assertEquals(Files.readString(dir.resolve("again.key")), Files.readString(key));
    assertNotNull(CallKey.jdk(key, dir.resolve("sshadmin.pub")), "read without BouncyCastle, as a command reads it");
  }

  private KeyPair keyPair(String name) throws RequestException {
    return KeyFiles.readOrCreateKeyPair(dir.resolve(name + ".key"), dir.resolve(name + ".pub"));
  }
}
