package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.junit.jupiter.api.Test;

/**
 * After a restart the HSM answers before its last VCM is back: a command on a recovered VCM is
 * served while another VCM's replay is held back, and no HSM-wide rule can be broken in that
 * window; what needs the held-back VCM waits for it.
 */
class HsmRecoveryWindowTest extends HsmTestBase {

  static final Duration QUIET = Duration.ofMillis(500);

  @Override
  Config config() {
    return ConfigFactory.parseString("vcmctl.hsm.vcm-ask-timeout = 3s").withFallback(TestConfigs.inMemory());
  }

  @Test
  void commandsOnRecoveredVcmsGoOnWhileAnotherIsHeldBackAndHsmWideRulesWaitForIt() {
    HsmFixture f = readyHsm(SpeedRating.MID, 2);
    TestTenant owner = new TestTenant();
    UUID served = create(f, "served");
    UUID heldBack = create(f, owner, Map.of("name", "held-back"), ProviderChoices.NONE).view().uuid();
    UUID other = create(f, "other");
    UUID fourth = create(f, "fourth");
    create(f, owner, Map.of("name", "owners-second"), ProviderChoices.NONE);
    start(f, served);
    start(f, heldBack);
    tenantDoes(f, owner, heldBack, VcmEntity.Action.ENROLL);

    // The held-back VCM's journal does not answer its replay until the policy is lifted.
    String held = VcmEntity.persistenceId(heldBack).id();
    journal.failNextNOpsCond((pid, op) -> pid.equals(held) && op instanceof ReadEvents, 1_000_000);
    HsmFixture again = respawn(f);

    HsmInfo info = info(again);
    assertTrue(info.vcmsRecovering() >= 1, "info answers before every VCM is back: " + info);
    assertEquals(VcmStatus.INACTIVE, stop(again, served, false).status(), "a recovered VCM is served");
    assertEquals(VcmStatus.ACTIVE, start(again, other).status(),
        "a start that fits even if the held-back VCM were active goes ahead");

    TestProbe<StatusReply<VcmView>> overLimit = kit.createTestProbe();
    again.hsm.tell(new HsmEntity.StartVcm(fourth, null, ADMIN, overLimit.getRef()));
    // R9 needs every VCM: the tenant may be enrolled to the one held back (it is).
    TestProbe<StatusReply<VcmView>> secondEnrollment = kit.createTestProbe();
    again.hsm.tell(new HsmEntity.TenantAction(other, owner.principal(), VcmEntity.Action.ENROLL,
        secondEnrollment.getRef()));
    TestProbe<StatusReply<List<VcmView>>> listing = kit.createTestProbe();
    again.hsm.tell(new HsmEntity.ListVcms(listing.getRef()));
    overLimit.expectNoMessage(QUIET);
    listing.expectNoMessage(Duration.ZERO);
    secondEnrollment.expectNoMessage(Duration.ZERO);

    journal.resetPolicy();
    Refusal r3 = (Refusal) overLimit.receiveMessage(Duration.ofSeconds(15)).getError();
    assertEquals(Code.ACTIVE_LIMIT_REACHED, r3.code(), "the held-back VCM was active: no third active VCM");
    assertEquals(5, listing.receiveMessage(Duration.ofSeconds(15)).getValue().size());
    HsmInfo after = info(again);
    assertEquals(0, after.vcmsRecovering());
    assertEquals(2, after.vcmsActive(), "held-back and other; the limit held throughout");
    assertEquals(Code.TENANT_ALREADY_ENROLLED,
        ((Refusal) secondEnrollment.receiveMessage(Duration.ofSeconds(15)).getError()).code());
  }
}
