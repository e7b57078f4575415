package com.example.controlplane;

import static com.example.controlplane.ControlPlane.OPERATOR;
import static com.example.controlplane.ControlPlane.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.orchestrator.feed.LifecycleEvent;
import io.vcmctl.orchestrator.feed.LifecycleFeed;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** The example as its users would run it: a scripted session, a restart in the middle of the feed, both APIs. */
class ControlPlaneTest {

  final KeyPair vendor = PublicKeys.generateEd25519();
  final ControlPlane.DemoTenant alice = new ControlPlane.DemoTenant();
  final ControlPlane.DemoTenant bob = new ControlPlane.DemoTenant();

  static Path home(String name) throws Exception {
    Files.createDirectories(Path.of("target"));
    return Files.createTempDirectory(Path.of("target"), name);
  }

  /** Licence for two active VCMs, networking, a reset; alice gets two VCMs and bob one, none started. */
  List<UUID> prepare(Orchestrator o) throws Exception {
    String esn = o.esns().get(0);
    await(o.applyLicence(esn, Licence.of(esn, true, SpeedRating.MID, 2, List.of(), Instant.now()).sign(vendor),
        OPERATOR));
    await(o.setNetwork(esn, Network.ipv4("10.0.0.0/24"), OPERATOR));
    await(o.reset(esn, OPERATOR));
    UUID a1 = await(o.createVcm(esn, alice.createRequest("a1"), ProviderChoices.NONE, OPERATOR)).view().uuid();
    UUID a2 = await(o.createVcm(esn, alice.createRequest("a2"), ProviderChoices.NONE, OPERATOR)).view().uuid();
    UUID b1 = await(o.createVcm(esn, bob.createRequest("b1"), ProviderChoices.NONE, OPERATOR)).view().uuid();
    return List.of(a1, a2, b1);
  }

  static List<LifecycleEvent> everything(ControlPlane plane) {
    var system = plane.orchestrator().system();
    return await(LifecycleFeed.create(system).currentFrom(LifecycleFeed.BEGINNING).runWith(Sink.seq(), system));
  }

  static ActiveVcmsPerTenant replayed(List<LifecycleEvent> events) {
    ActiveVcmsPerTenant model = ActiveVcmsPerTenant.inMemory();
    events.forEach(model::apply);
    return model;
  }

  static Refusal refusal(CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    Throwable cause = e.getCause() instanceof CompletionException inner ? inner.getCause() : e.getCause();
    return assertInstanceOf(Refusal.class, cause);
  }

  @Test
  void theReadModelShowsEachTenantsActiveVcmsAfterAScriptedSession() throws Exception {
    try (ControlPlane plane = ControlPlane.start(home("session"), vendor.getPublic())) {
      plane.follow();
      Orchestrator o = plane.orchestrator();
      List<UUID> vcms = prepare(o);
      await(o.startVcm(vcms.get(0), null, OPERATOR));
      await(o.startVcm(vcms.get(2), null, OPERATOR));
      await(plane.stopByMessage(vcms.get(2), OPERATOR));
      await(o.startVcm(vcms.get(1), null, OPERATOR));
      await(o.deleteVcm(vcms.get(2), false, OPERATOR));
      await(plane.caughtUp());

      assertEquals(Map.of(alice.fingerprint(), Set.of(vcms.get(0), vcms.get(1))), plane.readModel().activeByTenant(),
          "alice's two VCMs are active; bob's was stopped by message, then deleted");
      assertEquals(everything(plane).size(), plane.readModel().applied(), "every event of the feed, once");
    }
  }

  @Test
  void aRestartInTheMiddleOfTheFeedMissesAndRepeatsNothing() throws Exception {
    Path home = home("restart");
    List<UUID> vcms;
    try (ControlPlane plane = ControlPlane.start(home, vendor.getPublic())) {
      vcms = prepare(plane.orchestrator());
      await(plane.orchestrator().startVcm(vcms.get(0), null, OPERATOR));
      await(plane.orchestrator().startVcm(vcms.get(2), null, OPERATOR));
      await(plane.follow(9));
      assertEquals(9, plane.readModel().applied());
      assertTrue(everything(plane).size() > 9, "the control plane stops with events still to read");
    }
    try (ControlPlane plane = ControlPlane.start(home, vendor.getPublic())) {
      assertEquals(9, plane.readModel().applied(), "the read model comes back from its file");
      plane.follow();
      await(plane.stopByMessage(vcms.get(0), OPERATOR));
      await(plane.caughtUp());

      List<LifecycleEvent> all = everything(plane);
      assertEquals(all.size(), plane.readModel().applied(), "each event applied exactly once across the restart");
      assertEquals(all.get(all.size() - 1).offset(), plane.readModel().offset());
      assertEquals(replayed(all).activeByTenant(), plane.readModel().activeByTenant(),
          "the same as a read model built in one go");
      assertEquals(Map.of(bob.fingerprint(), Set.of(vcms.get(2))), plane.readModel().activeByTenant());
    }
  }

  @Test
  void theFacadeAndTheMessageApiRefuseTheSameWay() throws Exception {
    try (ControlPlane plane = ControlPlane.start(home("refusals"), vendor.getPublic())) {
      Orchestrator o = plane.orchestrator();
      List<UUID> vcms = prepare(o);
      await(o.startVcm(vcms.get(0), null, OPERATOR));
      await(o.startVcm(vcms.get(1), null, OPERATOR));
      Principal by = OPERATOR;

      // R3: a third VCM does not start beyond the licensed two.
      UUID third = vcms.get(2);
      assertSame(refusal(o.startVcm(third, null, by)),
          refusal(plane.<VcmView>askHsm(r -> new HsmEntity.StartVcm(third, null, by, r))));
      // R6: only a stopped VCM can be deleted.
      UUID running = vcms.get(0);
      assertSame(refusal(o.deleteVcm(running, true, by)),
          refusal(plane.<VcmView>askHsm(r -> new HsmEntity.DeleteVcm(running, true, by, r))));
      // An unknown VCM.
      UUID unknown = UUID.randomUUID();
      assertSame(refusal(o.stopVcm(unknown, false, by)),
          refusal(plane.<VcmView>askHsm(r -> new HsmEntity.StopVcm(unknown, false, by, r))));
    }
  }

  static void assertSame(Refusal facade, Refusal message) {
    assertEquals(facade.code(), message.code());
    assertEquals(facade.getMessage(), message.getMessage());
    assertTrue(!facade.getMessage().contains("\n"), facade.getMessage());
  }
}
