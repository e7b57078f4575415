package io.vcmctl.hsm;

import io.vcmctl.hsm.HsmEntity.Command;
import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.VcmView;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * The HSM's side of its VCMs: the children, the mirror of their state with what commands in
 * flight hold ({@link Fleet}), their last measured figures, and the plumbing that keeps the
 * mirror true: forwarding a command with its holds, fanning out, re-reading one VCM, and
 * settling what a VCM says of itself into membership.
 */
final class Roster {

  /** What a member's answer about itself means for the membership. */
  enum Settlement {
    /** Nothing to record: the view went into the mirror, or the VCM stays to be asked again. */
    KEPT,
    /** It was deleted but its removal was not recorded yet. */
    REMOVED,
    /** It does not exist: its create was never persisted. */
    NEVER_CREATED
  }

  final Fleet fleet = new Fleet();
  final StatsStore stats = new StatsStore();
  private final ActorContext<Command> context;
  private final VcmChildren children;
  private final Duration timeout;
  private final BiFunction<UUID, FanOut.Outcome<VcmView>, Command> refreshed;
  private final BiFunction<UUID, FanOut.Outcome<VcmView>, Command> recovered;
  private final int parallelism;
  private final Deque<UUID> toRecover = new ArrayDeque<>();
  private int recovering;

  /**
   * @param terminated the message the HSM gets when a child stops by itself
   * @param refreshed the message the HSM gets with a re-read VCM's answer
   * @param recovered the message the HSM gets with a VCM's first answer after a restart
   */
  Roster(ActorContext<Command> context, HsmEnvironment env, Function<UUID, Command> terminated,
      BiFunction<UUID, FanOut.Outcome<VcmView>, Command> refreshed,
      BiFunction<UUID, FanOut.Outcome<VcmView>, Command> recovered) {
    this.context = context;
    this.children = new VcmChildren(context, env, terminated,
        view -> refreshed.apply(view.uuid(), FanOut.Outcome.of(view, null)));
    this.timeout = env.settings().vcmAskTimeout();
    this.refreshed = refreshed;
    this.recovered = recovered;
    this.parallelism = env.settings().recoveryParallelism();
  }

  /** After the HSM restarted: its children were stopped, and everything it knew is stale. */
  void restarted() {
    fleet.clear();
    children.clear();
    toRecover.clear();
    recovering = 0;
  }

  /**
   * Brings every member back from its journal, a bounded number at a time; the HSM gets each
   * one's first answer as it comes, so commands that need only recovered VCMs go on meanwhile.
   */
  void recoverAll(Collection<UUID> members) {
    fleet.recovering(members);
    toRecover.addAll(members);
    askNext();
  }

  /** One member has answered; the next one is asked. */
  void recoveredOne(UUID vcm) {
    fleet.recovered(vcm);
    recovering--;
    askNext();
  }

  boolean recoveryDone() {
    return toRecover.isEmpty() && recovering == 0;
  }

  private void askNext() {
    while (recovering < parallelism && !toRecover.isEmpty()) {
      UUID vcm = toRecover.poll();
      recovering++;
      // Its journal may be long, and others replay at the same time: more patience than a command gets.
      DispatcherAsks.<Command, VcmEntity.Command, VcmView>askWithStatus(context, children.of(vcm),
          timeout.multipliedBy(6), VcmEntity.GetView::new,
          (view, failure) -> recovered.apply(vcm, FanOut.Outcome.of(view, failure)));
    }
  }

  /** One command to each of these VCMs, in a short-lived child. */
  <R> void fanOut(Collection<UUID> vcms, Class<R> type, Function<ActorRef<StatusReply<R>>, VcmEntity.Command> command,
      Function<Map<UUID, FanOut.Outcome<R>>, Command> done) {
    context.spawnAnonymous(FanOut.create(children.of(vcms), type, command, timeout, context.getSelf(), done));
  }

  /** One command to one VCM; its answer, refusal or silence comes back as {@code answer}. */
  <R> void ask(UUID vcm, Class<R> type, Function<ActorRef<StatusReply<R>>, VcmEntity.Command> command,
      BiFunction<R, Throwable, Command> answer) {
    DispatcherAsks.askWithStatus(context, children.of(vcm), timeout, command, answer);
  }

  /** A query a known VCM answers to the client itself; an unknown one is refused. */
  <R> void tell(UUID vcm, VcmEntity.Command query, ActorRef<StatusReply<R>> client) {
    if (fleet.knows(vcm)) {
      children.of(vcm).tell(query);
    } else {
      client.tell(StatusReply.error(unknown(vcm)));
    }
  }

  /** A command to a known VCM, holding {@code hold} until it answers. */
  void forward(Reservations.Hold hold, Function<ActorRef<StatusReply<VcmView>>, VcmEntity.Command> command,
      BiFunction<VcmView, Throwable, Command> answer) {
    fleet.reserved().hold(hold);
    ask(hold.vcm(), VcmView.class, command, answer);
  }

  /** Asks a VCM for its state again after an answer was lost; no answer leaves the mirror as it is. */
  void refresh(UUID vcm) {
    ask(vcm, VcmView.class, VcmEntity.GetView::new, (view, failure) -> refreshed.apply(vcm, FanOut.Outcome.of(view, failure)));
  }

  /**
   * Decided one way for the census at recovery and for every later re-read: a view goes into
   * the mirror, a deleted one or "not found" is a membership change to record, silence leaves
   * the VCM to be asked again on use.
   */
  Settlement settle(Running s, UUID vcm, FanOut.Outcome<VcmView> outcome) {
    if (!s.members().containsKey(vcm) || fleet.reserved().isCreating(vcm)) {
      return Settlement.KEPT;
    }
    if (outcome.value() != null) {
      if (outcome.value().status() == VcmStatus.DELETED) {
        forget(vcm);
        return Settlement.REMOVED;
      }
      fleet.observe(outcome.value());
      return Settlement.KEPT;
    }
    if (fleet.knows(vcm)) {
      return Settlement.KEPT;
    }
    if (outcome.refusal() != null && outcome.refusal().code() == Code.NOT_FOUND) {
      forget(vcm);
      return Settlement.NEVER_CREATED;
    }
    context.getLog().warn("VCM {} did not answer ({}); it is kept and asked again on use", vcm, outcome.problem());
    fleet.markUnanswered(vcm);
    return Settlement.KEPT;
  }

  /** A child stopped by itself: a member is spawned again from its journal and re-read. */
  void terminated(Running s, UUID vcm) {
    children.terminated(vcm);
    if (s.members().containsKey(vcm)) {
      context.getLog().warn("VCM {} stopped after failing; it is started again from its journal", vcm);
      refresh(vcm);
    }
  }

  /** The VCM is gone for good. */
  void forget(UUID vcm) {
    children.stop(vcm);
    fleet.forget(vcm);
    stats.forget(vcm);
  }

  /** The refusal for a VCM the mirror lacks; one that has not answered since recovery is asked again. */
  Refusal unknown(UUID vcm) {
    if (fleet.isUnanswered(vcm)) {
      refresh(vcm);
    }
    return HsmRules.unknownVcm(fleet, vcm);
  }

  List<VcmView> inOrder(Running s) {
    return fleet.inOrder(s.members().keySet());
  }

  Map<UUID, ActorRef<VcmEntity.Command>> refs(Running s) {
    return Map.copyOf(children.of(inOrder(s).stream().map(VcmView::uuid).toList()));
  }
}
