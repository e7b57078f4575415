package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmFixture.ADMIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SimulatedRuntime;
import io.vcmctl.vcm.Usage;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** The HSM supervises its VCM children: one that fails is restarted from its journal and serves again. */
class HsmSupervisionTest extends HsmTestBase {

  @Override
  Config config() {
    return ConfigFactory.parseString("vcmctl.hsm.vcm-ask-timeout = 1s").withFallback(TestConfigs.inMemory());
  }

  /** A driver with a bug: its start throws instead of failing its outcome, before the VCM records anything. */
  static final class ThrowingOnStart implements VcmRuntime {
    final SimulatedRuntime simulated;
    final AtomicBoolean throwNext = new AtomicBoolean();

    ThrowingOnStart(SimulatedRuntime simulated) {
      this.simulated = simulated;
    }

    @Override
    public String name() {
      return "throwing";
    }

    @Override
    public CompletionStage<Void> create(UUID vcm) {
      return simulated.create(vcm);
    }

    @Override
    public CompletionStage<Void> start(UUID vcm) {
      if (throwNext.getAndSet(false)) {
        throw new IllegalStateException("the driver failed");
      }
      return simulated.start(vcm);
    }

    @Override
    public CompletionStage<Void> stop(UUID vcm, boolean force) {
      return simulated.stop(vcm, force);
    }

    @Override
    public CompletionStage<Void> destroy(UUID vcm) {
      return simulated.destroy(vcm);
    }

    @Override
    public CompletionStage<DeviceStatus> status(UUID vcm) {
      return simulated.status(vcm);
    }

    @Override
    public CompletionStage<Usage> measure(VcmView vcm) {
      return simulated.measure(vcm);
    }
  }

  @Test
  void aVcmWhoseRuntimeThrowsIsRestartedFromItsJournalAndServesTheNextCommand() {
    ThrowingOnStart runtime = new ThrowingOnStart(SimulatedRuntime.fromConfig(kit.system().settings().config()));
    String esn = newEsn();
    HsmFixture f = new HsmFixture(kit, esn, keys.resolve(esn), runtime).spawn().ready(SpeedRating.MID, 5);
    UUID vcm = create(f, "fragile");

    runtime.throwNext.set(true);
    StatusReply<VcmView> reply = LoggingTestKit.warn("the driver failed").expect(kit.system(),
        () -> f.ask(r -> new HsmEntity.StartVcm(vcm, null, ADMIN, r)));
    Refusal refusal = (Refusal) reply.getError();
    assertEquals(Refusal.Code.UNAVAILABLE, refusal.code(), "a clear refusal, not a hang");
    assertTrue(refusal.getMessage().contains("try again"), refusal.getMessage());

    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(VcmStatus.ACTIVE, start(f, vcm).status(), "the restarted VCM serves the next command");
      return null;
    });
    assertEquals(VcmStatus.INACTIVE, stop(f, vcm, false).status());
  }
}
