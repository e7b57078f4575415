package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.VENDOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.audit.AuditVerifier;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every way of tampering with an export of a real run is caught by the offline verifier, with
 * one line naming the first bad entry: a changed byte, a removed entry, two swapped, a forged
 * entry added, the module key replaced and everything re-signed, the file cut anywhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTamperTest {

  private List<String> export;
  private PublicKey moduleKey;
  private Path moduleKeyFile;
  private String vcm;
  private String hsm;

  @BeforeAll
  void exportARealRun() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("audit-tamper").root();
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, VENDOR.getPublic())
        .withStatsDelay(AuditRuns.STATS_DELAY))) {
      AuditRuns.quickStart(o);
      export = AuditRuns.export(o);
      moduleKey = AuditTrailTest.moduleKey(dir, o.esns().get(0));
      moduleKeyFile = dir.resolve("hsm").resolve(o.esns().get(0)).resolve("module.pub");
    }
    AuditRuns.verify(export, moduleKey);
    hsm = pid(1);
    vcm = export.stream().map(AuditTrailTest::json).map(r -> r.path("persistence_id").asText())
        .filter(p -> p.startsWith("vcm|")).findFirst().orElseThrow();
    assertTrue(lastSeq(vcm) >= 4, "the first VCM has a few entries to tamper with");
  }

  @Test
  void oneChangedByteInAnyEntrysPayloadIsNamed() {
    for (int i = 1; i < export.size() - 1; i++) {
      List<String> copy = new ArrayList<>(export);
      String line = copy.get(i);
      int at = line.indexOf("\"at\":\"") + 6;
      char c = line.charAt(at + 3);
      copy.set(i, line.substring(0, at + 3) + (c == '9' ? '8' : (char) (c + 1)) + line.substring(at + 4));
      assertFails(copy, "entry seq " + seq(i) + " of " + pid(i) + " (line " + (i + 1) + ") does not match its hash");
    }
  }

  @Test
  void aRemovedEntryIsNamed() {
    List<String> copy = new ArrayList<>(export);
    copy.remove(lineOf(vcm, 2));
    assertFails(copy, "entry seq 2 of " + vcm + " is missing");

    List<String> lastRemoved = new ArrayList<>(export);
    lastRemoved.remove(lineOf(vcm, lastSeq(vcm)));
    assertFails(lastRemoved, "entry seq " + lastSeq(vcm) + " of " + vcm + " is missing: the signed checkpoint covers");
  }

  @Test
  void aWholeVcmTrailRemovedIsNamed() {
    List<String> copy = new ArrayList<>(export);
    copy.removeIf(l -> l.startsWith("{\"record\":\"entry\"") && l.contains("\"persistence_id\":\"" + vcm + "\""));
    assertFails(copy, "entry seq 1 of " + vcm + " is missing: the signed checkpoint covers its trail");
  }

  @Test
  void aVcmTrailRemovedFromTheJournalBeforeASignedExportIsNamed() throws Exception {
    // As if the VCM's events were deleted from the journal and the daemon then signed the export.
    List<String> copy = new ArrayList<>(export);
    copy.removeIf(l -> l.startsWith("{\"record\":\"entry\"") && l.contains("\"persistence_id\":\"" + vcm + "\""));
    ObjectNode c = (ObjectNode) AuditTrailTest.json(copy.get(copy.size() - 1));
    ArrayNode heads = (ArrayNode) c.get("heads");
    for (int i = 0; i < heads.size(); i++) {
      if (heads.get(i).path("persistence_id").asText().equals(vcm)) {
        heads.remove(i);
      }
    }
    copy.set(copy.size() - 1, c.toString());
    resign(copy, new KeyPair(moduleKey, KeyFiles.readPrivate(moduleKeyFile.resolveSibling("module.key"))));
    assertFails(copy, "entry seq 1 of " + vcm + " is missing: the HSM admitted that VCM (entry seq ");
  }

  @Test
  void twoSwappedEntriesAreNamed() {
    List<String> copy = new ArrayList<>(export);
    int a = lineOf(vcm, 2);
    copy.set(a, export.get(a + 1));
    copy.set(a + 1, export.get(a));
    assertFails(copy, "entry seq 2 of " + vcm + " is missing: line " + (a + 1) + " holds seq 3");
  }

  @Test
  void aForgedEntryAppendedOrInsertedIsNamed() {
    long next = lastSeq(vcm) + 1;
    String forged = forgedEntry(vcm, next);
    List<String> appended = new ArrayList<>(export);
    appended.add(forged);
    assertFails(appended, "entry seq " + next + " of " + vcm + " (line " + appended.size()
        + ") comes after the closing checkpoint: it was appended");

    List<String> inserted = new ArrayList<>(export);
    inserted.add(lineOf(vcm, next - 1) + 1, forged);
    assertFails(inserted, "entry seq " + next + " of " + vcm + " is not covered by the signed checkpoint");
  }

  @Test
  void aReplacedModuleKeyIsCaughtWhetherTheChainIsRewrittenOrNot() throws Exception {
    KeyPair forger = PublicKeys.generateEd25519();
    List<String> lazy = new ArrayList<>(export);
    ObjectNode header = (ObjectNode) AuditTrailTest.json(lazy.get(0));
    header.put("public_key", PublicKeys.encode(forger.getPublic()));
    lazy.set(0, header.toString());
    resign(lazy, forger);
    assertFails(lazy, null, "entry seq 1 of " + hsm + " records module key " + PublicKeys.fingerprint(moduleKey)
        + ", but the export is signed by " + PublicKeys.fingerprint(forger.getPublic()));

    // A thorough forger rewrites the key the HSM recorded at birth and every hash after it.
    List<String> thorough = new ArrayList<>(lazy);
    Map<String, String> heads = new HashMap<>();
    for (int i = 1; i < thorough.size() - 1; i++) {
      ObjectNode r = (ObjectNode) AuditTrailTest.json(thorough.get(i));
      String pid = r.path("persistence_id").asText();
      if (r.path("type").asText().equals("IdentityEstablished")) {
        ((ObjectNode) r.get("event")).put("modulePublicKey", PublicKeys.encode(forger.getPublic()));
      }
      String hash = AuditChain.hash(heads.getOrDefault(pid, AuditChain.GENESIS),
          AuditChain.canonical(pid, r.path("seq").asLong(), r.path("type").asText(), r.get("event")));
      heads.put(pid, hash);
      r.put("hash", hash);
      thorough.set(i, r.toString());
    }
    resign(thorough, forger);
    String verified = AuditRuns.verify(thorough, null).summary();
    assertTrue(verified.contains(PublicKeys.fingerprint(forger.getPublic()))
        && verified.contains("compare it with the module_key_fingerprint of hsmadmin info"),
        "without a pinned key the report names the key it trusted, for the auditor to compare: " + verified);
    assertFails(thorough, "the export is signed by module key " + PublicKeys.fingerprint(forger.getPublic())
        + ", not the pinned " + PublicKeys.fingerprint(moduleKey));
  }

  @Test
  void aFileCutAfterAnyLineOrInsideOneIsNamed() {
    assertFails(export.subList(0, 1), "the export ends before its first entry without its closing checkpoint");
    for (int keep = 2; keep < export.size(); keep++) {
      assertFails(export.subList(0, keep), "the export ends after entry seq " + seq(keep - 1) + " of " + pid(keep - 1)
          + " (line " + keep + ") without its closing checkpoint: it was cut");
    }
    for (int i = 1; i < export.size() - 1; i++) {
      List<String> copy = new ArrayList<>(export.subList(0, i));
      copy.add(export.get(i).substring(0, export.get(i).length() / 2));
      assertFails(copy, "entry seq " + seq(i) + " of " + pid(i) + " (line " + (i + 1) + ") is not a JSON record");
    }
  }

  private void assertFails(List<String> lines, String expected) {
    assertFails(lines, moduleKey, expected);
  }

  private static void assertFails(List<String> lines, PublicKey pinned, String expected) {
    AuditVerifier.Failed f = assertThrows(AuditVerifier.Failed.class, () -> AuditRuns.verify(lines, pinned));
    assertTrue(f.getMessage().startsWith(expected), () -> "expected '" + expected + "…', got: " + f.getMessage());
    assertEquals(-1, f.getMessage().indexOf('\n'), "one line");
  }

  /** An entry that continues {@code pid}'s chain correctly, as anyone can compute it. */
  private String forgedEntry(String pid, long seq) {
    ObjectNode last = (ObjectNode) AuditTrailTest.json(export.get(lineOf(pid, seq - 1)));
    ObjectNode r = last.deepCopy();
    r.put("seq", seq);
    r.put("hash", AuditChain.hash(last.path("hash").asText(),
        AuditChain.canonical(pid, seq, r.path("type").asText(), r.get("event"))));
    return r.toString();
  }

  /** Recomputes the closing checkpoint's heads from the entries and signs it with {@code key}. */
  private static void resign(List<String> lines, KeyPair key) {
    ObjectNode c = (ObjectNode) AuditTrailTest.json(lines.get(lines.size() - 1));
    Map<String, String> hashes = new HashMap<>();
    for (String line : lines.subList(1, lines.size() - 1)) {
      JsonNode r = AuditTrailTest.json(line);
      hashes.put(r.path("persistence_id").asText(), r.path("hash").asText());
    }
    for (JsonNode h : (ArrayNode) c.get("heads")) {
      ((ObjectNode) h).put("hash", hashes.get(h.path("persistence_id").asText()));
    }
    c.remove("signature");
    c.put("signature", Base64.getEncoder().encodeToString(PublicKeys.sign(key.getPrivate(),
        AuditChain.canonicalJson(c))));
    lines.set(lines.size() - 1, c.toString());
  }

  private String pid(int line) {
    return AuditTrailTest.json(export.get(line)).path("persistence_id").asText();
  }

  private long seq(int line) {
    return AuditTrailTest.json(export.get(line)).path("seq").asLong();
  }

  private int lineOf(String pid, long seq) {
    for (int i = 1; i < export.size() - 1; i++) {
      if (pid(i).equals(pid) && seq(i) == seq) {
        return i;
      }
    }
    throw new IllegalArgumentException("no entry " + seq + " of " + pid);
  }

  private long lastSeq(String pid) {
    long last = 0;
    for (int i = 1; i < export.size() - 1; i++) {
      if (pid(i).equals(pid)) {
        last = seq(i);
      }
    }
    return last;
  }
}
