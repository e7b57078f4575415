package io.vcmctl.orchestrator;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.stats.StatsSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The root of an orchestrator process: one HSM entity and one stats poller per ESN. */
final class Guardian {

  interface Command {}

  record GetHsms(ActorRef<Map<String, Hsm>> replyTo) implements Command {}

  /** One running HSM: its entity, its poller and the environment it was started with. */
  record Hsm(String esn, ActorRef<HsmEntity.Command> entity, ActorRef<StatsPoller.Command> poller,
      HsmEnvironment env) {}

  private Guardian() {}

  static Behavior<Command> create(List<String> esns, Function<String, HsmEnvironment> environments,
      StatsSettings stats) {
    return Behaviors.setup(ctx -> {
      Map<String, Hsm> hsms = new LinkedHashMap<>();
      for (String esn : esns) {
        HsmEnvironment env = environments.apply(esn);
        ActorRef<HsmEntity.Command> hsm = ctx.spawn(HsmEntity.create(esn, env), "hsm-" + esn);
        ActorRef<StatsPoller.Command> poller = ctx.spawn(StatsPoller.create(hsm, stats, env.clock()), "stats-" + esn);
        hsms.put(esn, new Hsm(esn, hsm, poller, env));
      }
      Map<String, Hsm> all = Map.copyOf(hsms);
      return Behaviors.receive(Command.class)
          .onMessage(GetHsms.class, get -> {
            get.replyTo().tell(all);
            return Behaviors.same();
          })
          .build();
    });
  }
}
