package io.vcmctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.feed.LifecycleEvent;
import io.vcmctl.orchestrator.feed.LifecycleFeed;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.SignedRequest;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** The lifecycle feed over the embedded LevelDB journal: ordered, resumable, typed, and the first release's events. */
class LifecycleFeedTest {

  static final Principal ADMIN = Principal.provider("admin");
  static final KeyPair VENDOR = PublicKeys.generateEd25519();

  static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static List<LifecycleEvent> current(Orchestrator o, long offset) {
    return await(LifecycleFeed.create(o.system()).currentFrom(offset).runWith(Sink.seq(), o.system()));
  }

  @Test
  void streamsEveryHsmAndVcmEventInJournalOrderAndResumesAfterAStoredOffset() throws Exception {
    Path dir = TestConfigs.freshDataDirectory("feed").root();
    TestTenant tenant = new TestTenant();
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, VENDOR.getPublic()))) {
      String esn = o.esns().get(0);
      await(o.applyLicence(null, Licence.of(esn, true, SpeedRating.MID, 2, List.of(), Instant.now()).sign(VENDOR),
          ADMIN));
      await(o.setNetwork(null, Network.ipv4("192.168.50.0/24"), ADMIN));
      await(o.reset(null, ADMIN));
      byte[] request = tenant.createRequest(Map.of("name", "alice"), Instant.now());
      UUID vcm = await(o.createVcm(null, request, ProviderChoices.NONE, ADMIN)).view().uuid();
      await(o.startVcm(vcm, null, ADMIN));

      List<LifecycleEvent> all = current(o, LifecycleFeed.BEGINNING);
      assertEquals(List.of("IdentityEstablished", "LicenceApplied", "NetworkConfigured", "ResetBegan",
          "ResetStopsCompleted", "ResetCompleted", "VcmAdmitted", "VcmCreated", "VcmStarted"),
          all.stream().map(LifecycleEvent::type).toList(), "HSM and VCM events, in the order they happened");
      for (int i = 1; i < all.size(); i++) {
        assertTrue(all.get(i).offset() > all.get(i - 1).offset(), "offsets grow: " + all);
      }
      LifecycleEvent created = all.get(7);
      assertEquals(vcm, created.vcm().orElseThrow());
      assertEquals(ADMIN, created.by());
      assertEquals(SignedRequest.parse(request).digest(), created.requestDigest(), "the tenant request that allowed it");
      assertTrue(created.vcmEvent().orElseThrow() instanceof VcmEntity.VcmCreated);
      assertEquals(esn, all.get(0).esn().orElseThrow());
      assertNull(all.get(2).requestDigest(), "networking is set without a signed request");

      long stored = all.get(4).offset();
      assertEquals(all.subList(5, all.size()), current(o, stored), "resumes right after the stored offset");

      // Live: the stream waits for the next event and hands it over once written.
      CompletionStage<LifecycleEvent> next = LifecycleFeed.create(o.system()).from(all.get(all.size() - 1).offset())
          .runWith(Sink.head(), o.system());
      assertFalse(next.toCompletableFuture().isDone());
      await(o.stopVcm(vcm, false, ADMIN));
      LifecycleEvent stopped = await(next);
      assertEquals("VcmStopped", stopped.type());
      assertEquals(vcm, stopped.vcm().orElseThrow());
    }
  }

  @Test
  void aLiveFeedCompletesWhenTheActorSystemStops() {
    Path dir = TestConfigs.freshDataDirectory("feed-stop").root();
    CompletionStage<List<LifecycleEvent>> live;
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, VENDOR.getPublic()))) {
      await(o.info(null));
      CompletableFuture<LifecycleEvent> first = new CompletableFuture<>();
      live = LifecycleFeed.create(o.system()).from(LifecycleFeed.BEGINNING).wireTap(first::complete)
          .runWith(Sink.seq(), o.system());
      await(first);
      assertFalse(live.toCompletableFuture().isDone());
    }
    assertEquals(List.of("IdentityEstablished"), await(live).stream().map(LifecycleEvent::type).toList(),
        "ended before the journal closed, with what it had read");
  }

  @Test
  void theFirstReleasesUntaggedEventsAreReachedOnceByTheMigration() throws Exception {
    Path dir = JournalCompatibilityTest.copyOfTheFixture();
    try (Orchestrator o = Orchestrator.start(OrchestratorConfig.of(dir, VENDOR.getPublic()))) {
      String esn = o.esns().get(0);
      await(o.reset(null, ADMIN));
      LifecycleFeed feed = LifecycleFeed.create(o.system());
      List<LifecycleEvent> before = await(feed.writtenBeforeTagging(esn));
      List<LifecycleEvent> tagged = current(o, LifecycleFeed.BEGINNING);

      Map<UUID, Long> perVcm = before.stream().filter(e -> e.vcm().isPresent())
          .collect(Collectors.groupingBy(e -> e.vcm().get(), Collectors.counting()));
      for (JsonNode history : JournalCompatibilityTest.jsonValues("histories.json")) {
        UUID uuid = UUID.fromString(history.get("uuid").asText());
        assertEquals(history.get("events").size(), perVcm.getOrDefault(uuid, 0L).intValue(),
            "every event of VCM " + uuid + " the first release wrote, deleted ones too");
      }
      assertEquals("IdentityEstablished", before.get(0).type());
      assertTrue(tagged.stream().anyMatch(e -> e.type().equals("ResetCompleted")), "the new reset is in the feed");

      Set<String> seen = new HashSet<>();
      for (LifecycleEvent e : before) {
        assertEquals(0, e.offset());
        assertTrue(seen.add(e.persistenceId() + "#" + e.sequenceNr()), "once: " + e);
      }
      for (LifecycleEvent e : tagged) {
        assertTrue(seen.add(e.persistenceId() + "#" + e.sequenceNr()), "not also in the migration: " + e);
      }
      long hsmEvents = seen.stream().filter(k -> k.startsWith(HsmEntity.persistenceId(esn).id() + "#")).count();
      assertEquals(hsmEvents, tagged.stream().filter(e -> e.esn().isPresent()).mapToLong(LifecycleEvent::sequenceNr)
          .max().orElseThrow(), "the HSM's events 1..n, none missing between the two");
    }
  }
}
