package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.SimulatedRuntime;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmSettings;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/** An HSM under test: its vendor, clock, environment, and typed helpers to drive it. */
public final class HsmFixture {

  public static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  public static final Principal ADMIN = Principal.provider("admin");
  public static final KeyPair VENDOR = PublicKeys.generateEd25519();

  public final ActorTestKit kit;
  public final String esn;
  public final ModuleClock clock = ModuleClock.create(Clock.fixed(T0, ZoneOffset.UTC));
  public final HsmEnvironment env;
  public ActorRef<HsmEntity.Command> hsm;

  public HsmFixture(ActorTestKit kit, String esn, Path keyDirectory) {
    this(kit, esn, keyDirectory, SimulatedRuntime.fromConfig(kit.system().settings().config()));
  }

  public HsmFixture(ActorTestKit kit, String esn, Path keyDirectory, VcmRuntime runtime) {
    this.kit = kit;
    this.esn = esn;
    Config c = kit.system().settings().config();
    this.env = new HsmEnvironment(clock, runtime, HsmSettings.fromConfig(c), VcmSettings.fromConfig(c),
        keyDirectory, VENDOR.getPublic());
  }

  public HsmFixture spawn() {
    hsm = kit.spawn(HsmEntity.create(esn, env));
    return this;
  }

  /** Spawned as the orchestrator does: restarted with backoff when it fails. */
  public HsmFixture spawnSupervised() {
    hsm = kit.spawn(Supervision.restarting(HsmEntity.create(esn, env)));
    return this;
  }

  /** Sends a command and returns the successful reply value, failing the test on a refusal. */
  public <T> T ok(Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    StatusReply<T> reply = ask(command);
    assertTrue(reply.isSuccess(), () -> "expected success, got " + reply);
    return reply.getValue();
  }

  public <T> StatusReply<T> ask(Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    TestProbe<StatusReply<T>> probe = kit.createTestProbe();
    hsm.tell(command.apply(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(15));
  }

  public byte[] licence(boolean multiTenant, SpeedRating speed, int maxActive) {
    return Licence.of(esn, multiTenant, speed, maxActive, List.of(), T0).sign(VENDOR);
  }

  /** Multi-tenant licence, IPv4 networking in effect: ready to create VCMs. */
  public HsmFixture ready(SpeedRating speed, int maxActive) {
    ok((ActorRef<StatusReply<HsmInfo>> r) -> new HsmEntity.ApplyLicence(licence(true, speed, maxActive), ADMIN, r));
    ok((ActorRef<StatusReply<HsmInfo>> r) -> new HsmEntity.SetNetwork(Network.ipv4("10.20.0.0/16"), ADMIN, r));
    ok((ActorRef<StatusReply<HsmEntity.ResetOutcome>> r) -> new HsmEntity.Reset(ADMIN, r));
    return this;
  }
}
