package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.audit.AuditVerifier;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A LevelDB journal written by the first release (kept under src/test/resources/journal-v0,
 * with what its commands showed at the time) replays with today's code: every VCM, the HSM's
 * facts and every VCM's history come back as they were, and the HSM takes new commands.
 *
 * <p>The fixture holds: a licence, networking and a reset, a clock setting; alice active,
 * enrolled, Security World loaded, audit log on; bob restrict-startup, started with a start
 * request; carol force-stopped; dave renamed, then deleted; erin stopped for the disk limit.
 */
class JournalCompatibilityTest {

  static final Path FIXTURE = fixture("/journal-v0");

  /**
   * Written by the release that stored chained VCM events through Jackson (before their binary
   * form): the README's quick start run by {@code AuditRuns.quickStart}, then alice's tenant
   * actions, a data write and a stop and start; with HSM and VCM snapshots. Next to it, what
   * that release showed and exported. Its module key was made for the fixture and signs nothing
   * else; the vendor key of its licence was not kept, so that licence no longer counts.
   */
  static final Path JACKSON_CHAINED = fixture("/journal-v1");

  static Path fixture(String resource) {
    try {
      return Path.of(JournalCompatibilityTest.class.getResource(resource).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(String file) throws IOException {
    return JsonViews.MAPPER.readTree(FIXTURE.resolve(file).toFile());
  }

  static List<JsonNode> jsonValues(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(FIXTURE.resolve(file))) {
      JsonViews.MAPPER.readerFor(JsonNode.class).<JsonNode>readValues(in).forEachRemaining(out::add);
    }
    return out;
  }

  static Path copyOfTheFixture() throws IOException {
    return copy(FIXTURE.resolve("first-release"));
  }

  static Path copy(Path from) throws IOException {
    Path dir = TestConfigs.freshDataDirectory("journal-copy").root();
    try (Stream<Path> files = Files.walk(from)) {
      files.forEach(p -> {
        try {
          Path to = dir.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(to);
          } else {
            Files.copy(p, to);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return dir;
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void aJournalOfTheFirstReleaseReplaysAsItWasAndTakesNewCommands() throws IOException {
    Path dir = copyOfTheFixture();
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, PublicKeys.generateEd25519().getPublic()))) {
      assertEquals(json("show.json"), JsonViews.vcms(await(o.vcms(null))), "every VCM as it was");

      ObjectNode info = JsonViews.info(await(o.info(null)));
      ObjectNode expected = (ObjectNode) json("info.json");
      info.remove("module_time");
      expected.remove("module_time");
      assertEquals(0, info.remove("vcms_recovering").asInt(), "every VCM is back (vcms() waited for all)");
      assertEquals(0, info.remove("unlicensed_features_in_use").size(), "every VCM's features are licensed");
      assertEquals(expected, info, "the HSM's licence, networking, counts and identity as they were");

      for (JsonNode history : jsonValues("histories.json")) {
        UUID uuid = UUID.fromString(history.get("uuid").asText());
        JsonNode replayed = JsonViews.history(uuid, await(o.history(uuid)));
        assertEquals(history.get("events").size(), replayed.get("events").size(), uuid.toString());
        for (int i = 0; i < history.get("events").size(); i++) {
          for (String field : List.of("seq", "at", "event", "by", "request_digest")) {
            assertEquals(history.get("events").get(i).get(field).asText(), replayed.get("events").get(i).get(field).asText(),
                uuid + " event " + (i + 1) + " " + field);
          }
        }
      }

      HsmEntity.ResetOutcome reset = await(o.reset(null, Principal.provider("admin")));
      UUID alice = UUID.fromString(json("show.json").get("vcms").get(0).get("uuid").asText());
      assertTrue(reset.stopped().contains(alice) && reset.started().contains(alice),
          "the recovered HSM resets: alice (autostart) is stopped and started again");
    }
  }

  @Test
  void aJournalOfChainedEventsStoredByJacksonReplaysExportsAsItDidAndGoesOnInBinary() throws Exception {
    Path dir = copy(JACKSON_CHAINED.resolve("jackson-chained"));
    List<String> before = Files.readAllLines(JACKSON_CHAINED.resolve("export.jsonl"));
    JsonNode shown = JsonViews.MAPPER.readTree(JACKSON_CHAINED.resolve("show.json").toFile());
    JsonNode info = JsonViews.MAPPER.readTree(JACKSON_CHAINED.resolve("info.json").toFile());
    OrchestratorConfig config = OrchestratorConfig.of(dir, PublicKeys.generateEd25519().getPublic());
    String esn = info.get("esn").asText();
    PublicKey moduleKey = AuditTrailTest.moduleKey(dir, esn);
    List<String> afterCommands;
    ObjectNode vcmsAfterCommands;
    try (Orchestrator o = Orchestrator.start(config)) {
      assertEquals(shown, JsonViews.vcms(await(o.vcms(null))), "every VCM as it was");
      ObjectNode replayedInfo = JsonViews.info(await(o.info(null)));
      for (String field : List.of("esn", "vcms_created", "vcms_active", "network", "module_key_fingerprint")) {
        assertEquals(info.get(field), replayedInfo.get(field), field);
      }

      List<String> export = AuditRuns.export(o);
      AuditRuns.verify(export, moduleKey);
      List<String> stored = before.subList(0, before.size() - 1);
      assertTrue(export.containsAll(stored), "every entry exports exactly as that release exported it");

      UUID alice = UUID.fromString(shown.get("vcms").get(0).get("uuid").asText());
      await(o.stopVcm(alice, false, Principal.provider("admin")));
      await(o.startVcm(alice, null, Principal.provider("admin")));
      afterCommands = AuditRuns.export(o);
      AuditVerifier.Verified verified = AuditRuns.verify(afterCommands, moduleKey);
      assertTrue(verified.entries() >= export.size() - 2 + 2, "the chains go on in binary after the Jackson entries");
      vcmsAfterCommands = JsonViews.vcms(await(o.vcms(null)));
    }
    try (Orchestrator o = Orchestrator.start(config)) {
      assertEquals(vcmsAfterCommands, JsonViews.vcms(await(o.vcms(null))), "both forms replay after a restart");
      List<String> again = AuditRuns.export(o);
      AuditRuns.verify(again, moduleKey);
      assertTrue(again.containsAll(afterCommands.subList(0, afterCommands.size() - 1)),
          "entries of both forms export as they did before the restart");
    }
  }
}
