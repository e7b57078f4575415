package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A call to an HSM or poller that has stopped says so, instead of blaming a timeout that never ran. */
@ExtendWith(LogCapturingExtension.class)
class StoppedActorsTest {

  @Test
  void callsToAStoppedHsmOrPollerSayItIsNotRunning() {
    Daemon daemon = Daemon.start(TestConfigs.freshDataDirectory("stopped").root(), 0, List.of(), null, null,
        new PrintStream(OutputStream.nullOutputStream()));
    try {
      ApiClient api = new ApiClient(daemon.url(), daemon.tokenFile());
      String esn = daemon.orchestrator().esns().get(0);
      api.get("/v1/hsm/info").ok();
      stop(daemon, "hsm-" + esn);
      stop(daemon, "stats-" + esn);

      assertEquals("HSM " + esn + " is not running: it has stopped (the daemon's log says why); restart the"
          + " orchestrator to bring it back", api.get("/v1/hsm/info").refused(503, "UNAVAILABLE").message());
      assertEquals("the stats poller of HSM " + esn + " is not running: it has stopped (the daemon's log says why);"
          + " restart the orchestrator to bring it back",
          api.get("/v1/stats/poller").refused(503, "UNAVAILABLE").message());
    } finally {
      daemon.stop();
    }
  }

  /** Stops one of the guardian's children as a failure to restart would, and waits until it has. */
  private static void stop(Daemon daemon, String name) {
    ActorSystem classic = Adapter.toClassic(daemon.orchestrator().system());
    ActorRef ref = classic.actorSelection("/user/" + name).resolveOne(Duration.ofSeconds(10))
        .toCompletableFuture().join();
    TestProbe<Object> probe = TestProbe.create(daemon.orchestrator().system());
    ref.tell(PoisonPill.getInstance(), ActorRef.noSender());
    probe.expectTerminated(Adapter.toTyped(ref), Duration.ofSeconds(10));
  }
}
