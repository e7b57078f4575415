package io.vcmctl.orchestrator;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.stats.StatsPoller;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * Where the HSMs of an orchestrator run and how the facade reaches one: this process's own
 * ({@link LocalPlacement}) or the shards of a cluster ({@link ClusterPlacement}).
 */
interface Placement {

  /** The ESNs known now, in the order they were first run. */
  List<String> esns();

  /** The ESNs after looking again (a cluster's registry may have grown on another node). */
  CompletionStage<List<String>> refresh();

  /** The HSM {@code esn}, which is one of {@link #esns()}. */
  RecipientRef<HsmEntity.Command> entity(String esn);

  CompletionStage<ActorRef<StatsPoller.Command>> poller(String esn);

  /** The ESN of the HSM that holds {@code vcm} when a directory knows it; empty otherwise. */
  CompletionStage<Optional<String>> home(UUID vcm);

  /** Records that {@code vcm} is on HSM {@code esn}, once it has been admitted there. */
  CompletionStage<Void> admitted(UUID vcm, String esn);

  /** Whether an HSM can join while this runs (a cluster's fleet can grow; one process's HSMs are fixed). */
  boolean growable();

  /** The ESN of the HSM whose entity this is, such as the one a stats poller's event names. */
  Optional<String> esnOf(ActorRef<HsmEntity.Command> entity);
}
