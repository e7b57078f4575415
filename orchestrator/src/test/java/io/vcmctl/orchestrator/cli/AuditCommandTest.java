package io.vcmctl.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.AuditRuns;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The auditor's three commands and hsmadmin history, through the real bin/ scripts and daemon. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCommandTest {

  @TempDir
  Path work;

  private Daemon daemon;
  private Path moduleKey;

  @BeforeAll
  void aDaemonAfterTheQuickStart() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("cli-audit").root();
    Path vendor = Files.createTempFile(Path.of("target"), "vendor", ".pub");
    KeyFiles.writePublic(vendor, AuditRuns.vendorKey());
    daemon = Daemon.start(dir, 0, List.of(), AuditRuns.STATS_DELAY, vendor,
        new PrintStream(OutputStream.nullOutputStream()));
    AuditRuns.quickStart(daemon.orchestrator());
    moduleKey = dir.resolve("hsm").resolve(daemon.orchestrator().esns().get(0)).resolve("module.pub");
  }

  @AfterAll
  void stopTheDaemon() {
    daemon.stop();
  }

  @Test
  void anExportVerifiesOfflineAndReplaysAsVcmadminShowsTheVcms() throws Exception {
    Result exported = run(provider(), "orchestrator", "audit", "export", "--out", "trail.jsonl").ok();
    assertTrue(exported.out().startsWith("exported: "), exported::toString);

    Result verified = run(Map.of(), "orchestrator", "audit", "verify", "trail.jsonl", "--module-key",
        moduleKey.toString()).ok();
    assertTrue(verified.out().startsWith("verified: ") && verified.out().contains("(the pinned key)"),
        verified::toString);
    Result unpinned = run(Map.of(), "orchestrator", "audit", "verify", "trail.jsonl").ok();
    assertTrue(unpinned.out().contains(PublicKeys.fingerprint(KeyFiles.readPublic(moduleKey))), unpinned::toString);

    Result replayed = run(Map.of(), "orchestrator", "audit", "replay", "trail.jsonl").ok();
    Result shown = run(provider(), "vcmadmin", "show", "--json").ok();
    assertEquals(shown.json(), replayed.json(), "replay of the export equals the live VCMs");
  }

  @Test
  void aTamperedExportFailsWithOneErrorLineAndExit1() throws Exception {
    run(provider(), "orchestrator", "audit", "export", "--out", "cut.jsonl").ok();
    List<String> lines = Files.readAllLines(work.resolve("cut.jsonl"));
    Files.write(work.resolve("cut.jsonl"), lines.subList(0, lines.size() - 1));
    Result cut = run(Map.of(), "orchestrator", "audit", "verify", "cut.jsonl");
    assertEquals(1, cut.exit(), cut::toString);
    assertEquals("", cut.out(), cut::toString);
    assertTrue(cut.err().startsWith("ERROR: the export ends after entry seq ") && cut.err().strip().lines().count() == 1,
        cut::toString);

    KeyPair other = PublicKeys.generateEd25519();
    KeyFiles.writePublic(work.resolve("other.pub"), other.getPublic());
    run(provider(), "orchestrator", "audit", "export", "--out", "whole.jsonl").ok();
    Result wrongKey = run(Map.of(), "orchestrator", "audit", "verify", "whole.jsonl", "--module-key", "other.pub");
    assertEquals(1, wrongKey.exit(), wrongKey::toString);
    assertTrue(wrongKey.err().contains("not the pinned"), wrongKey::toString);

    Result missing = run(Map.of(), "orchestrator", "audit", "verify", "nothing-here.jsonl");
    assertEquals(1, missing.exit(), missing::toString);
    assertTrue(missing.err().startsWith("ERROR: nothing-here.jsonl does not exist"), missing::toString);
  }

  @Test
  void hsmadminHistoryShowsTheHsmsOwnEvents() {
    Result history = run(provider(), "hsmadmin", "history", "--json").ok();
    List<String> events = history.json().path("events").findValuesAsText("event");
    assertEquals("IdentityEstablished", events.get(0));
    assertTrue(events.containsAll(List.of("LicenceApplied", "NetworkConfigured", "ResetCompleted", "VcmAdmitted",
        "VcmRemoved")), events::toString);
    Result table = run(provider(), "hsmadmin", "history").ok();
    assertTrue(table.out().startsWith("seq") && table.out().contains("provider:admin"), table::toString);
  }

  private Result run(Map<String, String> env, String... command) {
    return BinCommand.run(work, env, command);
  }

  private Map<String, String> provider() {
    return Map.of("ORCHESTRATOR_URL", daemon.url(), "ORCHESTRATOR_TOKEN_FILE", daemon.tokenFile().toString());
  }
}
