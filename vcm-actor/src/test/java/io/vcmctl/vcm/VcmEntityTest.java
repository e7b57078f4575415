package io.vcmctl.vcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmEntity.Command;
import io.vcmctl.vcm.VcmEntity.Event;
import io.vcmctl.vcm.VcmEntity.State;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VcmEntityTest {

  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final Principal ADMIN = Principal.provider("admin");

  final ActorTestKit testKit = ActorTestKit.create(TestConfigs.inMemory());
  final ModuleClock clock = ModuleClock.create(Clock.fixed(T0, ZoneOffset.UTC));
  final VcmSettings settings = VcmSettings.fromConfig(testKit.system().settings().config());
  final SimulatedRuntime runtime = SimulatedRuntime.fromConfig(testKit.system().settings().config());

  TestTenant tenant;
  UUID uuid;
  /** The one event a command persisted, as the VCM emitted it (the journal holds it in its chain entry). */
  static <T> T persisted(CommandResultWithReply<?, ?, ?, ?> result, Class<T> type) {
    Object stored = ((java.util.List<?>) result.events()).get(0);
    return type.cast(stored instanceof ChainedEvent c ? c.event() : stored);
  }

  EventSourcedBehaviorTestKit<Command, Event, State> vcm;

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshVcm() {
    clock.setOffset(Duration.ZERO);
    tenant = new TestTenant();
    uuid = UUID.randomUUID();
    vcm = EventSourcedBehaviorTestKit.create(testKit.system(), VcmEntity.create(uuid, clock, runtime, settings));
  }

  // ---- helpers ------------------------------------------------------------------------

  VcmView create(boolean autostart, boolean restrictStartup) {
    Map<String, String> asked = Map.of("autostart", String.valueOf(autostart),
        "restrict_startup", String.valueOf(restrictStartup));
    var result = vcm.<StatusReply<VcmEntity.CreateResult>>runCommand(r -> new VcmEntity.Create(
        verified(tenant.createRequest(asked, T0)), tenant.properties(autostart, restrictStartup, "10.0.0.2"), ADMIN, r));
    return result.reply().getValue().view();
  }

  /** The HSM verifies a create request once and hands the VCM the result. */
  static VerifiedRequest verified(byte[] createRequest) {
    try {
      return new RequestVerifier().verifyCreate(SignedRequest.parse(createRequest), T0);
    } catch (RequestException e) {
      throw new AssertionError(e);
    }
  }

  VcmView active() {
    create(false, false);
    return ok(run(r -> new VcmEntity.Start(null, ADMIN, r)));
  }

  VcmView enrolledActive() {
    active();
    return tenantDoes(Action.ENROLL);
  }

  VcmView tenantDoes(Action action) {
    return ok(run(r -> new VcmEntity.TenantAction(tenant.principal(), action, r)));
  }

  static VcmView ok(CommandResultWithReply<Command, Event, State, StatusReply<VcmView>> result) {
    assertTrue(result.reply().isSuccess(), () -> "expected success, got " + result.reply());
    return result.reply().getValue();
  }

  CommandResultWithReply<Command, Event, State, StatusReply<VcmView>> run(
      Function<ActorRef<StatusReply<VcmView>>, Command> command) {
    return vcm.<StatusReply<VcmView>>runCommand(command::apply);
  }

  Refusal refused(Refusal.Code code, Function<ActorRef<StatusReply<VcmView>>, Command> command) {
    return refusedWith(code, command);
  }

  Refusal refusedCreate(Refusal.Code code, Function<ActorRef<StatusReply<VcmEntity.CreateResult>>, Command> command) {
    return refusedWith(code, command);
  }

  /** A refusal names its code, persists nothing and leaves the state exactly as it was (R12). */
  <R> Refusal refusedWith(Refusal.Code code, Function<ActorRef<StatusReply<R>>, Command> command) {
    State before = vcm.getState();
    CommandResultWithReply<Command, Event, State, StatusReply<R>> result = vcm.<StatusReply<R>>runCommand(command::apply);
    assertTrue(result.reply().isError(), () -> "expected refusal " + code + ", got " + result.reply());
    Refusal refusal = assertInstanceOf(Refusal.class, result.reply().getError());
    assertEquals(code, refusal.code(), refusal.getMessage());
    assertTrue(result.hasNoEvents(), "a refusal persists nothing");
    assertEquals(before, result.state(), "a refusal changes nothing");
    assertFalse(refusal.getMessage().contains("\n"), "one line");
    return refusal;
  }

  // ---- create -------------------------------------------------------------------------

  @Test
  void createRecordsPropertiesTenantAndRequestDigest() throws Exception {
    byte[] request = tenant.createRequest(Map.of("autostart", "true", "name", "payments"), T0);
    var result = vcm.<StatusReply<VcmEntity.CreateResult>>runCommand(r -> new VcmEntity.Create(
        verified(request), tenant.properties(false, false, "10.0.0.2"), ADMIN, r));

    VcmEntity.CreateResult created = result.reply().getValue();
    assertEquals(VcmStatus.INACTIVE, created.view().status());
    assertEquals(tenant.fingerprint(), created.view().tenant());
    VcmEntity.VcmCreated event = persisted(result, VcmEntity.VcmCreated.class);
    assertEquals(T0, event.meta().at());
    assertEquals(ADMIN, event.meta().by());
    assertEquals(io.vcmctl.vcm.request.SignedRequest.parse(request).digest(), event.meta().requestDigest());
    // The provider chose otherwise for autostart and name: both differences are reported.
    assertEquals(2, created.differences().size(), created.differences().toString());
  }

  @Test
  void refusesCreateWithAutostartAndRestrictStartupBothTrue() {
    Map<String, String> asked = Map.of("autostart", "true", "restrict_startup", "true");
    Refusal r = refusedCreate(Refusal.Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE, reply -> new VcmEntity.Create(
        verified(tenant.createRequest(asked, T0)), tenant.properties(true, true, "10.0.0.2"), ADMIN, reply));
    assertTrue(r.getMessage().startsWith("R1:"));
  }

  @Test
  void refusesCreateThatDropsTheTenantsRestrictStartup() {
    byte[] request = tenant.createRequest(Map.of("restrict_startup", "true"), T0);
    Refusal r = refusedCreate(Refusal.Code.INVALID_ARGUMENT, reply -> new VcmEntity.Create(
        verified(request), tenant.properties(false, false, "10.0.0.2"), ADMIN, reply));
    assertTrue(r.getMessage().contains("restrict_startup is the tenant's choice"), r.getMessage());
  }

  @Test
  void refusesCreateWhoseRequestKeyIsNotTheSigner() {
    VcmProperties others = new TestTenant().properties(false, false, "10.0.0.2");
    Refusal r = refusedCreate(Refusal.Code.INVALID_ARGUMENT, reply -> new VcmEntity.Create(
        verified(tenant.createRequest(Map.of(), T0)), others, ADMIN, reply));
    assertTrue(r.getMessage().contains("k_tenant_req"), r.getMessage());
  }

  @Test
  void refusesCommandsToAVcmThatWasNeverCreated() {
    refused(Refusal.Code.NOT_FOUND, r -> new VcmEntity.Start(null, ADMIN, r));
    refused(Refusal.Code.NOT_FOUND, r -> new VcmEntity.GetView(r));
  }

  @Test
  void refusesASecondCreate() {
    create(false, false);
    refusedCreate(Refusal.Code.ALREADY_EXISTS, r -> new VcmEntity.Create(
        verified(tenant.createRequest(Map.of(), T0)), tenant.properties(false, false, "10.0.0.2"), ADMIN, r));
  }

  // ---- R4 start -----------------------------------------------------------------------

  @Nested
  class StartRules {
    @Test
    void startsAnUnrestrictedVcmWithoutARequest() {
      create(false, false);
      var result = run(r -> new VcmEntity.Start(null, ADMIN, r));
      assertEquals(VcmStatus.ACTIVE, ok(result).status());
      assertNull(persisted(result, VcmEntity.VcmStarted.class).meta().requestDigest());
    }

    @Test
    void refusesToStartARestrictedVcmWithoutAStartRequest() {
      create(false, true);
      Refusal r = refused(Refusal.Code.START_REQUEST_REQUIRED, reply -> new VcmEntity.Start(null, ADMIN, reply));
      assertTrue(r.getMessage().startsWith("R4:"));
    }

    @Test
    void startsARestrictedVcmWithAValidStartRequestAndRecordsItsDigest() {
      create(false, true);
      byte[] request = tenant.startRequest(uuid, T0, Duration.ofMinutes(10));
      var result = run(r -> new VcmEntity.Start(request, ADMIN, r));
      assertEquals(VcmStatus.ACTIVE, ok(result).status());
      assertTrue(persisted(result, VcmEntity.VcmStarted.class).meta().requestDigest().matches("[0-9a-f]{64}"));
    }

    @Test
    void refusesAnExpiredStartRequestByModuleTime() {
      create(false, true);
      byte[] request = tenant.startRequest(uuid, T0, Duration.ofMinutes(10));
      clock.setOffset(Duration.ofMinutes(11));
      Refusal r = refused(Refusal.Code.INVALID_REQUEST, reply -> new VcmEntity.Start(request, ADMIN, reply));
      assertTrue(r.getMessage().contains("module time"), r.getMessage());
    }

    @Test
    void refusesAStartRequestForAnotherVcm() {
      create(false, true);
      byte[] request = tenant.startRequest(UUID.randomUUID(), T0, Duration.ofMinutes(10));
      refused(Refusal.Code.INVALID_REQUEST, reply -> new VcmEntity.Start(request, ADMIN, reply));
    }

    @Test
    void refusesAStartRequestSignedByAnotherKey() {
      create(false, true);
      TestTenant other = new TestTenant();
      byte[] request = other.startRequest(uuid, T0, Duration.ofMinutes(10));
      refused(Refusal.Code.INVALID_REQUEST, reply -> new VcmEntity.Start(request, ADMIN, reply));
    }

    @Test
    void refusesAPropertiesRequestInPlaceOfAStartRequest() {
      create(false, true);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("name", "x"), T0);
      refused(Refusal.Code.INVALID_REQUEST, reply -> new VcmEntity.Start(request, ADMIN, reply));
    }

    @Test
    void refusesToStartAnActiveVcm() {
      active();
      refused(Refusal.Code.ALREADY_ACTIVE, r -> new VcmEntity.Start(null, ADMIN, r));
    }
  }

  // ---- R5 / R10 stop --------------------------------------------------------------------

  @Nested
  class StopRules {
    @Test
    void refusesToStopAVcmInUseWithoutForce() {
      enrolledActive();
      Refusal r = refused(Refusal.Code.VCM_IN_USE, reply -> new VcmEntity.Stop(false, ADMIN, reply));
      assertTrue(r.getMessage().startsWith("R5:"));
    }

    @Test
    void stopsAnEnrolledVcmInMaintenanceModeWithoutForce() {
      enrolledActive();
      tenantDoes(Action.MODE_MAINTENANCE);
      VcmView stopped = ok(run(r -> new VcmEntity.Stop(false, ADMIN, r)));
      assertEquals(VcmStatus.INACTIVE, stopped.status());
      assertFalse(stopped.facts().hardserverRestartRequired());
    }

    @Test
    void forcedStopOfAVcmInUseRequiresAHardserverRestart() {
      enrolledActive();
      VcmView stopped = ok(run(r -> new VcmEntity.Stop(true, ADMIN, r)));
      assertTrue(stopped.facts().hardserverRestartRequired());
      ok(run(r -> new VcmEntity.Start(null, ADMIN, r)));
      VcmView reenrolled = tenantDoes(Action.ENROLL);
      assertFalse(reenrolled.facts().hardserverRestartRequired(), "re-enrollment clears it");
    }

    @Test
    void stopAndStartKeepEnrollmentAndSecurityWorld() {
      enrolledActive();
      tenantDoes(Action.LOAD_WORLD);
      for (boolean force : new boolean[] {true, false}) {
        tenantDoes(Action.MODE_MAINTENANCE);
        ok(run(r -> new VcmEntity.Stop(force, ADMIN, r)));
        VcmView restarted = ok(run(r -> new VcmEntity.Start(null, ADMIN, r)));
        assertEquals(tenant.fingerprint(), restarted.facts().enrolledBy());
        assertTrue(restarted.facts().securityWorldLoaded());
      }
    }

    @Test
    void refusesToStopAnInactiveVcm() {
      create(false, false);
      refused(Refusal.Code.NOT_ACTIVE, r -> new VcmEntity.Stop(false, ADMIN, r));
    }
  }

  // ---- R6 delete ------------------------------------------------------------------------

  @Nested
  class DeleteRules {
    @Test
    void refusesToDeleteAnActiveVcmEvenWithForce() {
      active();
      Refusal r = refused(Refusal.Code.DELETE_WHILE_ACTIVE, reply -> new VcmEntity.Delete(true, ADMIN, reply));
      assertTrue(r.getMessage().startsWith("R6:"));
    }

    @Test
    void refusesToDeleteWithAnAuditLogThatIsOnUnlessForced() {
      enrolledActive();
      tenantDoes(Action.AUDIT_ON);
      tenantDoes(Action.MODE_MAINTENANCE);
      ok(run(r -> new VcmEntity.Stop(false, ADMIN, r)));
      refused(Refusal.Code.AUDIT_LOG_NOT_FINALIZED, reply -> new VcmEntity.Delete(false, ADMIN, reply));
      VcmView deleted = ok(run(r -> new VcmEntity.Delete(true, ADMIN, r)));
      assertEquals(VcmStatus.DELETED, deleted.status());
    }

    @Test
    void deletesAVcmWhoseAuditLogIsFinalized() {
      enrolledActive();
      tenantDoes(Action.AUDIT_ON);
      tenantDoes(Action.AUDIT_FINALIZE);
      tenantDoes(Action.MODE_MAINTENANCE);
      ok(run(r -> new VcmEntity.Stop(false, ADMIN, r)));
      assertEquals(VcmStatus.DELETED, ok(run(r -> new VcmEntity.Delete(false, ADMIN, r))).status());
    }

    @Test
    void aDeletedVcmRefusesEverythingButKeepsItsHistory() {
      create(false, false);
      ok(run(r -> new VcmEntity.Delete(false, ADMIN, r)));
      refused(Refusal.Code.DELETED, r -> new VcmEntity.Start(null, ADMIN, r));
      assertEquals(VcmStatus.DELETED, ok(run(VcmEntity.GetView::new)).status());
      vcm.restart();
      assertInstanceOf(VcmEntity.Deleted.class, vcm.getState());
    }
  }

  // ---- R7 / R8 properties ---------------------------------------------------------------

  @Nested
  class PropertyRules {
    @Test
    void refusesToModifyAnActiveVcm() {
      active();
      byte[] request = tenant.propertiesRequest(uuid, Map.of("name", "new"), T0);
      Refusal r = refused(Refusal.Code.MODIFY_WHILE_ACTIVE, reply -> new VcmEntity.SetProperty(request, "name", "new", ADMIN, reply));
      assertTrue(r.getMessage().startsWith("R7:"));
    }

    @Test
    void setsOnePropertyAtATimeReusingTheSameRequest() {
      create(false, false);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("name", "My_new_VCM1", "autostart", "True"), T0);
      ok(run(r -> new VcmEntity.SetProperty(request, "name", "My_new_VCM1", ADMIN, r)));
      var result = run(r -> new VcmEntity.SetProperty(request, "autostart", "true", ADMIN, r));
      VcmView view = ok(result);
      assertEquals("My_new_VCM1", view.properties().name());
      assertTrue(view.properties().autostart());
      assertEquals("autostart", persisted(result, VcmEntity.PropertyChanged.class).property());
    }

    @Test
    void acceptsPropertyNamesWithDashes() {
      create(false, false);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("serial-cardreader", "True"), T0);
      assertTrue(ok(run(r -> new VcmEntity.SetProperty(request, "serial-cardreader", "True", ADMIN, r)))
          .properties().serialCardreader());
    }

    @Test
    void refusesAValueOtherThanTheRequestedOneWithTheExactMessage() {
      create(false, false);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("restrict_startup", "true"), T0);
      Refusal r = refused(Refusal.Code.PROPERTY_MISMATCH,
          reply -> new VcmEntity.SetProperty(request, "restrict_startup", "False", ADMIN, reply));
      assertEquals("orchestrator setproperties: Invalid property value: restrict_startup mismatch", r.getMessage());
    }

    @Test
    void refusesAPropertyTheRequestDoesNotName() {
      create(false, false);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("name", "x"), T0);
      refused(Refusal.Code.PROPERTY_NOT_REQUESTED, reply -> new VcmEntity.SetProperty(request, "autostart", "true", ADMIN, reply));
    }

    @Test
    void refusesABadBooleanValueAndAnUnknownProperty() {
      create(false, false);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("autostart", "true"), T0);
      refused(Refusal.Code.INVALID_ARGUMENT, reply -> new VcmEntity.SetProperty(request, "autostart", "yes", ADMIN, reply));
      refused(Refusal.Code.INVALID_ARGUMENT, reply -> new VcmEntity.SetProperty(request, "colour", "red", ADMIN, reply));
    }

    @Test
    void refusesToSetAutostartWhileRestrictStartupIsTrue() {
      create(false, true);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("autostart", "true"), T0);
      refused(Refusal.Code.AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE,
          reply -> new VcmEntity.SetProperty(request, "autostart", "true", ADMIN, reply));
    }

    @Test
    void refusesAnExpiredPropertiesRequest() {
      create(false, false);
      byte[] request = tenant.propertiesRequest(uuid, Map.of("name", "x"), T0);
      clock.setOffset(Duration.ofHours(2));
      refused(Refusal.Code.INVALID_REQUEST, reply -> new VcmEntity.SetProperty(request, "name", "x", ADMIN, reply));
    }

    @Test
    void acceptsANewRequestKeyOnlyFromARequestSignedByTheCurrentOne() {
      create(false, false);
      KeyPair next = PublicKeys.generateEd25519();
      String nextKey = PublicKeys.encode(next.getPublic());
      byte[] selfSigned = tenant.propertiesRequest(uuid, Map.of("k_tenant_req", nextKey), T0, next);
      Refusal r = refused(Refusal.Code.INVALID_REQUEST,
          reply -> new VcmEntity.SetProperty(selfSigned, "k_tenant_req", nextKey, ADMIN, reply));
      assertTrue(r.getMessage().contains("k_tenant_req"), r.getMessage());

      byte[] byCurrent = tenant.propertiesRequest(uuid, Map.of("k_tenant_req", nextKey), T0);
      assertEquals(nextKey, ok(run(reply -> new VcmEntity.SetProperty(byCurrent, "k_tenant_req", nextKey, ADMIN, reply)))
          .properties().kTenantReq());

      // From now on the old key's requests are refused and the new key's accepted.
      byte[] byOld = tenant.propertiesRequest(uuid, Map.of("name", "x"), T0);
      refused(Refusal.Code.INVALID_REQUEST, reply -> new VcmEntity.SetProperty(byOld, "name", "x", ADMIN, reply));
      byte[] byNew = tenant.propertiesRequest(uuid, Map.of("name", "x"), T0, next);
      ok(run(reply -> new VcmEntity.SetProperty(byNew, "name", "x", ADMIN, reply)));
    }
  }

  // ---- tenant actions, R9 (per VCM), R11 -------------------------------------------------

  @Nested
  class TenantRules {
    @Test
    void refusesToEnrollAnInactiveVcm() {
      create(false, false);
      refused(Refusal.Code.NOT_ACTIVE, r -> new VcmEntity.TenantAction(tenant.principal(), Action.ENROLL, r));
    }

    @Test
    void refusesAnotherTenantActingOnTheVcm() {
      active();
      TestTenant intruder = new TestTenant();
      refused(Refusal.Code.NOT_YOUR_VCM, r -> new VcmEntity.TenantAction(intruder.principal(), Action.ENROLL, r));
      refused(Refusal.Code.NOT_YOUR_VCM, r -> new VcmEntity.TenantAction(ADMIN, Action.ENROLL, r));
    }

    @Test
    void refusesInVcmActionsBeforeEnrollment() {
      active();
      refused(Refusal.Code.NOT_ENROLLED, r -> new VcmEntity.TenantAction(tenant.principal(), Action.LOAD_WORLD, r));
    }

    @Test
    void refusesDataWritesOfNoOrHugeSize() {
      enrolledActive();
      refused(Refusal.Code.INVALID_ARGUMENT, r -> new VcmEntity.WriteData(tenant.principal(), 0, r));
      refused(Refusal.Code.INVALID_ARGUMENT, r -> new VcmEntity.WriteData(tenant.principal(), Long.MAX_VALUE, r));
    }

    @Test
    void diskUseCountsWhenInactiveAndMemoryOnlyWhenActive() {
      enrolledActive();
      ok(run(r -> new VcmEntity.WriteData(tenant.principal(), 1000, r)));
      tenantDoes(Action.MODE_MAINTENANCE);
      var active = vcm.<StatusReply<VcmEntity.Measurement>>runCommand(VcmEntity.MeasureUsage::new).reply().getValue();
      assertTrue(active.usage().memoryBytes() > 0);
      ok(run(r -> new VcmEntity.Stop(false, ADMIN, r)));
      var inactive = vcm.<StatusReply<VcmEntity.Measurement>>runCommand(VcmEntity.MeasureUsage::new).reply().getValue();
      assertEquals(0, inactive.usage().memoryBytes());
      assertEquals(1000, inactive.usage().diskBytes());
    }

    @Test
    void aVcmStoppedForTheDiskLimitCanOnlyBeDeleted() {
      enrolledActive();
      long limit = 16L * 1024 * 1024;
      refused(Refusal.Code.INVALID_ARGUMENT, r -> new VcmEntity.StopForDiskLimit(limit, limit, Principal.system("stats-poller"), r));
      var result = run(r -> new VcmEntity.StopForDiskLimit(limit + 1, limit, Principal.system("stats-poller"), r));
      assertEquals(VcmStatus.DISK_LIMIT_STOPPED, ok(result).status());
      assertEquals(limit + 1, persisted(result, VcmEntity.VcmStoppedForDiskLimit.class).measuredBytes());

      Refusal start = refused(Refusal.Code.DISK_LIMIT_STOPPED, r -> new VcmEntity.Start(null, ADMIN, r));
      assertTrue(start.getMessage().startsWith("R11:") && start.getMessage().contains("delete"), start.getMessage());
      byte[] request = tenant.propertiesRequest(uuid, Map.of("name", "x"), T0);
      refused(Refusal.Code.DISK_LIMIT_STOPPED, r -> new VcmEntity.SetProperty(request, "name", "x", ADMIN, r));
      assertEquals(VcmStatus.DELETED, ok(run(r -> new VcmEntity.Delete(false, ADMIN, r))).status());
    }
  }

  @Test
  void tenantCallsThatChangeNothingRecordNothing() {
    enrolledActive();
    tenantDoes(Action.LOAD_WORLD);
    for (Action repeated : new Action[] {Action.ENROLL, Action.LOAD_WORLD, Action.MODE_OPERATIONAL}) {
      var result = run(r -> new VcmEntity.TenantAction(tenant.principal(), repeated, r));
      assertTrue(result.hasNoEvents(), repeated + " again records nothing");
      assertTrue(ok(result).unchanged() != null, repeated + " again says that nothing changed");
    }
  }

  @Test
  void recoversTheSameStateFromItsEventsAndSnapshots() {
    enrolledActive();
    tenantDoes(Action.LOAD_WORLD);
    tenantDoes(Action.AUDIT_ON);
    State before = vcm.getState();
    vcm.restart();
    assertEquals(before, vcm.getState());
  }
}
