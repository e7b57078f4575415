package io.vcmctl.orchestrator;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.hsm.Supervision;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.stats.StatsSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The root of an orchestrator process: one HSM entity and one stats poller per ESN, each
 * restarted with backoff when it fails (an HSM recovers from its journal; a poller starts its
 * cycles again, so R11 stays enforced), and watched.
 */
final class Guardian {

  interface Command {}

  record GetHsms(ActorRef<Map<String, Hsm>> replyTo) implements Command {}

  private record Stopped(String what) implements Command {}

  /** One running HSM: its entity, its poller and the environment it was started with. */
  record Hsm(String esn, ActorRef<HsmEntity.Command> entity, ActorRef<StatsPoller.Command> poller,
      HsmEnvironment env) {}

  private Guardian() {}

  static Behavior<Command> create(List<String> esns, Function<String, HsmEnvironment> environments,
      StatsSettings stats) {
    return Behaviors.setup(ctx -> {
      // Log lines name this class, not the framework class that may have asked for the logger first.
      ctx.setLoggerName(Guardian.class);
      Map<String, Hsm> hsms = new LinkedHashMap<>();
      for (String esn : esns) {
        Hsm hsm = spawn(ctx, esn, environments.apply(esn), stats);
        ctx.watchWith(hsm.entity(), new Stopped("HSM " + esn));
        ctx.watchWith(hsm.poller(), new Stopped("the stats poller of HSM " + esn));
        hsms.put(esn, hsm);
      }
      Map<String, Hsm> all = Map.copyOf(hsms);
      return Behaviors.receive(Command.class)
          .onMessage(GetHsms.class, get -> {
            get.replyTo().tell(all);
            return Behaviors.same();
          })
          .onMessage(Stopped.class, stopped -> {
            // Restarts are unlimited, so this is a stop on purpose or a failure to start at all.
            ctx.getLog().error("{} stopped; restart the orchestrator to bring it back", stopped.what());
            return Behaviors.same();
          })
          .build();
    });
  }

  /** One HSM entity and its stats poller as children of {@code parent}, each restarted with backoff. */
  static Hsm spawn(ActorContext<?> parent, String esn, HsmEnvironment env, StatsSettings stats) {
    ActorRef<HsmEntity.Command> hsm = parent.spawn(Supervision.restarting(HsmEntity.create(esn, env)), "hsm-" + esn);
    ActorRef<StatsPoller.Command> poller = parent.spawn(
        Supervision.restarting(StatsPoller.create(hsm, stats, env.clock())), "stats-" + esn);
    return new Hsm(esn, hsm, poller, env);
  }
}
