package io.vcmctl.orchestrator;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.orchestrator.cluster.HsmShard;
import io.vcmctl.orchestrator.cluster.VcmHomes;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The HSMs of a cluster: every HSM is reached through Cluster Sharding by its ESN, wherever it
 * runs. The fleet is every HSM that has ever started, read from the shared journal (an HSM
 * persists its identity when it first starts); a VCM's HSM comes from {@link VcmHomes}.
 * Both are cached on this node, since neither ever changes once known.
 */
final class ClusterPlacement implements Placement {

  /** Pekko's persistence ids are the entity type, "|" and the entity id. */
  private static final String HSM_PREFIX = HsmEntity.ENTITY_TYPE + "|";

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final CurrentPersistenceIdsQuery journal;
  private final Duration timeout;
  private volatile List<String> esns = List.of();
  private final Map<UUID, String> homes = new ConcurrentHashMap<>();

  ClusterPlacement(ActorSystem<?> system, String readJournal, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(CurrentPersistenceIdsQuery.class, readJournal);
    this.timeout = timeout;
  }

  @Override
  public List<String> esns() {
    return esns;
  }

  @Override
  public CompletionStage<List<String>> refresh() {
    return journal.currentPersistenceIds()
        .filter(id -> id.startsWith(HSM_PREFIX))
        .map(id -> id.substring(HSM_PREFIX.length()))
        .runWith(Sink.seq(), system)
        .thenApply(found -> {
          List<String> sorted = found.stream().sorted().distinct().toList();
          esns = sorted;
          return sorted;
        });
  }

  @Override
  public RecipientRef<HsmEntity.Command> entity(String esn) {
    return sharding.entityRefFor(HsmShard.KEY, esn);
  }

  @Override
  public CompletionStage<ActorRef<StatsPoller.Command>> poller(String esn) {
    return Asks.<Receptionist.Command, Receptionist.Listing>ask(system, system.receptionist(),
            r -> Receptionist.find(HsmShard.pollerKey(esn), r), timeout, "the receptionist")
        .thenApply(listing -> listing.getServiceInstances(HsmShard.pollerKey(esn)).stream().findFirst()
            .orElseThrow(() -> new Refusal(Code.UNAVAILABLE, "the stats poller of HSM " + esn
                + " is not running yet (its HSM is starting on a node); try again")));
  }

  @Override
  public CompletionStage<Optional<String>> home(UUID vcm) {
    String known = homes.get(vcm);
    if (known != null) {
      return CompletableFuture.completedFuture(Optional.of(known));
    }
    return Asks.<VcmHomes.Command, VcmHomes.Home>ask(system, sharding.entityRefFor(VcmHomes.KEY, vcm.toString()),
            VcmHomes.GetHome::new, timeout, "the VCM directory")
        .thenApply(home -> {
          if (home.esn() != null) {
            homes.put(vcm, home.esn());
          }
          return Optional.ofNullable(home.esn());
        });
  }

  @Override
  public CompletionStage<Void> admitted(UUID vcm, String esn) {
    return Asks.<VcmHomes.Command, org.apache.pekko.Done>ask(system,
            sharding.entityRefFor(VcmHomes.KEY, vcm.toString()), r -> new VcmHomes.RecordHome(esn, r), timeout,
            "the VCM directory")
        .thenAccept(done -> homes.put(vcm, esn));
  }

  @Override
  public boolean growable() {
    return true;
  }

  @Override
  public Optional<String> esnOf(ActorRef<HsmEntity.Command> entity) {
    return HsmShard.esnOf(entity);
  }
}
