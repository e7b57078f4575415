package io.vcmctl.hsm;

import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmView;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The HSM's VCM children, spawned on first use and named by uuid. Each is supervised (a child
 * that throws is restarted with backoff and recovers from its own journal; meanwhile commands
 * to it wait or time out as UNAVAILABLE) and watched (one that stops is spawned again on its
 * next use).
 */
final class VcmChildren {

  private final ActorContext<HsmEntity.Command> context;
  private final HsmEnvironment env;
  private final Function<UUID, HsmEntity.Command> terminated;
  private final ActorRef<VcmView> observer;
  private final Map<UUID, ActorRef<VcmEntity.Command>> refs = new HashMap<>();

  /**
   * @param terminated the message the HSM gets when a child stops by itself
   * @param changed the message the HSM gets when a child changes by itself (settling to its device)
   */
  VcmChildren(ActorContext<HsmEntity.Command> context, HsmEnvironment env, Function<UUID, HsmEntity.Command> terminated,
      Function<VcmView, HsmEntity.Command> changed) {
    this.context = context;
    this.env = env;
    this.terminated = terminated;
    this.observer = context.messageAdapter(VcmView.class, changed::apply);
  }

  ActorRef<VcmEntity.Command> of(UUID vcm) {
    return refs.computeIfAbsent(vcm, u -> {
      ActorRef<VcmEntity.Command> child = context.spawn(
          Supervision.restarting(VcmEntity.create(u, env.clock(), env.runtime(), env.vcmSettings(), observer)),
          u.toString());
      context.watchWith(child, terminated.apply(u));
      return child;
    });
  }

  /** The children of these VCMs, in the order given. */
  Map<UUID, ActorRef<VcmEntity.Command>> of(Collection<UUID> vcms) {
    Map<UUID, ActorRef<VcmEntity.Command>> out = new LinkedHashMap<>();
    vcms.forEach(u -> out.put(u, of(u)));
    return out;
  }

  /** Stops a child on purpose (its VCM is gone); it is not spawned again. */
  void stop(UUID vcm) {
    ActorRef<VcmEntity.Command> child = refs.remove(vcm);
    if (child != null) {
      context.unwatch(child);
      context.stop(child);
    }
  }

  /** A child stopped by itself; its next use spawns it again. */
  void terminated(UUID vcm) {
    refs.remove(vcm);
  }

  /** The actor restarted, which stopped every child. */
  void clear() {
    refs.clear();
  }
}
