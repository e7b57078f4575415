package io.vcmctl.orchestrator.cluster;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.hsm.Supervision;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.stats.StatsSettings;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One HSM of the fleet as a Cluster Sharding entity keyed by its ESN: the HSM entity (with its
 * VCM children) and its stats poller live together on whichever node holds the shard, so the
 * polling, and R11 with it, moves with the HSM. The entity forwards every command to the HSM;
 * the poller is found through the receptionist under {@link #pollerKey(String)}.
 *
 * <p>The HSM entities are remembered: after a node is lost, the ones it held start again on the
 * others at once rather than at their next command, so no HSM goes unpolled.
 */
public final class HsmShard {

  public static final EntityTypeKey<HsmEntity.Command> KEY = EntityTypeKey.create(HsmEntity.Command.class, "hsm");
  private static final String HSM_CHILD = "hsm";
  private static final Logger LOG = LoggerFactory.getLogger(HsmShard.class);

  private HsmShard() {}

  /** The receptionist key of the stats poller of HSM {@code esn}, wherever it runs. */
  public static ServiceKey<StatsPoller.Command> pollerKey(String esn) {
    return ServiceKey.create(StatsPoller.Command.class, "stats-" + esn);
  }

  /** Starts sharding of the HSMs on this node; {@code environments} makes what each HSM runs with. */
  public static void init(ActorSystem<?> system, Function<String, HsmEnvironment> environments,
      StatsSettings stats) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(),
            environments.apply(ctx.getEntityId()), stats))
        .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  static Behavior<HsmEntity.Command> create(String esn, HsmEnvironment env, StatsSettings stats) {
    return Behaviors.setup(ctx -> {
      // Says where each HSM runs now: after a node is lost, the log of the node that took it over.
      LOG.info("HSM {} runs on this node ({})", esn, Cluster.get(ctx.getSystem()).selfMember().address());
      ActorRef<HsmEntity.Command> hsm = ctx.spawn(Supervision.restarting(HsmEntity.create(esn, env)), HSM_CHILD);
      ActorRef<StatsPoller.Command> poller = ctx.spawn(
          Supervision.restarting(StatsPoller.create(hsm, stats, env.clock())), "stats");
      ctx.getSystem().receptionist().tell(Receptionist.register(pollerKey(esn), poller));
      // Restarts are unlimited, so a stopped HSM failed to start at all: stopping the entity lets
      // sharding start it again.
      ctx.watch(hsm);
      return Behaviors.receive(HsmEntity.Command.class)
          .onMessage(HsmEntity.Command.class, command -> {
            hsm.tell(command);
            return Behaviors.same();
          })
          .onSignal(Terminated.class, t -> Behaviors.stopped())
          .build();
    });
  }

  /** The ESN of the HSM whose entity this is, for an HSM started by {@link #init}. */
  public static Optional<String> esnOf(ActorRef<HsmEntity.Command> entity) {
    var path = entity.path();
    // /system/sharding/hsm/SHARD/ESN/hsm
    return path.name().equals(HSM_CHILD) && path.parent().parent().parent().name().equals(KEY.name())
        ? Optional.of(path.parent().name()) : Optional.empty();
  }
}
