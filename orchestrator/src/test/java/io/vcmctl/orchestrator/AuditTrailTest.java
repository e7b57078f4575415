package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.ADMIN;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.VENDOR;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.audit.AuditExport;
import io.vcmctl.orchestrator.audit.AuditVerifier;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The audit trail of real runs on LevelDB: the export verifies offline, before and after a
 * restart, and its replay rebuilds every VCM as the live orchestrator shows it; a journal of
 * the first release is chained once at first start and verifies too.
 */
class AuditTrailTest {

  @Test
  void anExportVerifiesAndReplaysAsLiveBeforeAndAfterARestartFromSnapshots() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("audit-run").root();
    OrchestratorConfig plain = OrchestratorConfig.of(dir, VENDOR.getPublic()).withStatsDelay(AuditRuns.STATS_DELAY);
    // Snapshots this often make restarts recover heads from snapshots with no event after them.
    Config snapshots = ConfigFactory.parseString("vcmctl.hsm.snapshot-every = 3\nvcmctl.vcm.snapshot-every = 2")
        .withFallback(Orchestrator.config(plain));
    List<UUID> vcms;
    long before;
    String esn;
    try (Orchestrator o = Orchestrator.start(plain, snapshots)) {
      esn = o.esns().get(0);
      vcms = AuditRuns.quickStart(o);
      List<String> export = AuditRuns.export(o);
      AuditVerifier.Verified verified = AuditRuns.verify(export, moduleKey(dir, esn));
      before = verified.entries();
      assertEquals(export.size() - 2, before, "every line between the key and the checkpoint is an entry");
      assertEquals(5, verified.chains(), "the HSM and its four VCMs, the deleted one included");
      assertEquals(JsonViews.vcms(await(o.vcms(null))), AuditRuns.replay(export), "replay equals live");
    }

    try (Orchestrator o = Orchestrator.start(plain, snapshots)) {
      await(o.startVcm(vcms.get(1), null, ADMIN));
      List<String> export = AuditRuns.export(o);
      AuditVerifier.Verified verified = AuditRuns.verify(export, moduleKey(dir, esn));
      assertTrue(verified.entries() > before, "the chains go on after the restart");
      assertTrue(export.stream().noneMatch(l -> l.contains("\"legacy\"")), "every entry has its stored hash");
      assertEquals(JsonViews.vcms(await(o.vcms(null))), AuditRuns.replay(export), "replay equals live");
      List<String> again = AuditRuns.export(o);
      List<String> added = new ArrayList<>(again.subList(0, again.size() - 1));
      assertTrue(added.removeAll(export.subList(0, export.size() - 1)), "the stored entries are what they were");
      assertEquals(1, added.size(), "one entry more: " + added);
      JsonNode recorded = json(added.get(0));
      assertEquals("AuditExported", recorded.path("type").asText(), "the HSM's chain records the export");
      assertEquals(AuditExport.digest((ObjectNode) json(export.get(export.size() - 1))),
          recorded.path("event").path("checkpointDigest").asText(), "with the digest of the checkpoint it signed");
    }
  }

  @Test
  void theModuleKeySignsEveryChainsHeadEveryNEntriesAndARehashedChainFailsAtItsFirstCheckpoint() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("audit-checkpoints").root();
    OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic()).withStatsDelay(AuditRuns.STATS_DELAY);
    List<String> export;
    String esn;
    try (Orchestrator o = Orchestrator.start(config, ConfigFactory.parseString("vcmctl.audit.checkpoint-every = 3")
        .withFallback(Orchestrator.config(config)))) {
      esn = o.esns().get(0);
      AuditRuns.quickStart(o);
      export = AuditRuns.export(o);
    }
    Map<String, Long> lengths = new HashMap<>();
    export.stream().map(AuditTrailTest::json).filter(r -> r.has("seq"))
        .forEach(r -> lengths.merge(r.path("persistence_id").asText(), 1L, Long::sum));
    long expected = 1 + lengths.values().stream().mapToLong(n -> n / 3).sum();
    assertEquals(expected, AuditRuns.verify(export, moduleKey(dir, esn)).checkpoints(),
        "one checkpoint every 3 entries of each chain, and the closing one");

    // Whoever rewrites an entry and re-hashes the chain after it cannot sign the heads again.
    String vcm = export.stream().map(AuditTrailTest::json).map(r -> r.path("persistence_id").asText())
        .filter(p -> p.startsWith("vcm|")).findFirst().orElseThrow();
    List<String> rewritten = new ArrayList<>();
    String head = AuditChain.GENESIS;
    for (String line : export) {
      ObjectNode r = (ObjectNode) json(line);
      if (vcm.equals(r.path("persistence_id").asText())) {
        if (r.path("seq").asLong() == 1) {
          ((ObjectNode) r.get("event").get("properties")).put("name", "mallory");
        }
        head = AuditChain.hash(head, AuditChain.canonical(vcm, r.path("seq").asLong(), r.path("type").asText(),
            r.get("event")));
        r.put("hash", head);
        line = r.toString();
      }
      rewritten.add(line);
    }
    AuditVerifier.Failed f = assertThrows(AuditVerifier.Failed.class,
        () -> AuditRuns.verify(rewritten, moduleKey(dir, esn)));
    assertTrue(f.getMessage().startsWith("entry seq 3 of " + vcm), f.getMessage());
    assertTrue(f.getMessage().contains("carries a checkpoint not signed by module key"), f.getMessage());
  }

  @Test
  void aFirstReleaseJournalIsChainedOnceAtFirstStartAndEveryEntryVerifies() throws Exception {
    Path dir = JournalCompatibilityTest.copyOfTheFixture();
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, PublicKeys.generateEd25519().getPublic()))) {
      String esn = o.esns().get(0);
      List<String> untouched = unsigned(o, esn);
      assertTrue(untouched.stream().anyMatch(l -> l.contains("\"legacy\":true")),
          "entries no new event followed yet are chained in the export the same way");
      assertEntriesVerify(untouched, dir, esn);

      await(o.reset(null, ADMIN));
      List<String> export = unsigned(o, esn);
      assertEntriesVerify(export, dir, esn);
      JsonNode firstChained = export.stream().map(AuditTrailTest::json)
          .filter(r -> r.path("persistence_id").asText().startsWith("hsm|") && r.has("migrated_through"))
          .findFirst().orElseThrow();
      assertEquals(firstChained.path("seq").asLong() - 1, firstChained.path("migrated_through").asLong(),
          "the HSM's first chained entry records that the entries before it were chained at first start");
      assertTrue(export.size() > untouched.size());
      assertEquals(untouched.subList(1, untouched.size()).stream().filter(l -> l.contains("hsm|")).count(),
          export.stream().filter(l -> l.contains("hsm|") && l.contains("\"legacy\":true")).count(),
          "the migration chained the first release's entries as the export had");
    }
  }

  /** The fixture keeps only the module's public key: every entry checks, the signed checkpoint cannot be made. */
  private static void assertEntriesVerify(List<String> unsigned, Path dir, String esn) throws Exception {
    AuditVerifier.Failed f = assertThrows(AuditVerifier.Failed.class, () -> AuditRuns.verify(unsigned, moduleKey(dir, esn)));
    assertTrue(f.getMessage().startsWith("the export ends after entry ") && f.getMessage().endsWith(
        "without its closing checkpoint: it was cut"), f.getMessage());
  }

  private static List<String> unsigned(Orchestrator o, String esn) {
    return await(AuditExport.unsigned(o.system(), esn)).stream().map(ObjectNode::toString).toList();
  }

  static PublicKey moduleKey(Path dir, String esn) throws Exception {
    return KeyFiles.readPublic(dir.resolve("hsm").resolve(esn).resolve("module.pub"));
  }

  static JsonNode json(String line) {
    try {
      return AuditChain.MAPPER.readTree(line);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
