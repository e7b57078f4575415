package io.vcmctl.orchestrator;

import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.stats.StatsPoller;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;

/** The HSMs of one process, spawned by its {@link Guardian}; a VCM is found by asking them. */
final class LocalPlacement implements Placement {

  private final Map<String, Guardian.Hsm> hsms;
  private final List<String> esns;

  LocalPlacement(Map<String, Guardian.Hsm> hsms, List<String> esns) {
    this.hsms = hsms;
    this.esns = esns;
  }

  @Override
  public List<String> esns() {
    return esns;
  }

  @Override
  public CompletionStage<List<String>> refresh() {
    return CompletableFuture.completedFuture(esns);
  }

  @Override
  public RecipientRef<HsmEntity.Command> entity(String esn) {
    return hsms.get(esn).entity();
  }

  @Override
  public CompletionStage<ActorRef<StatsPoller.Command>> poller(String esn) {
    return CompletableFuture.completedFuture(hsms.get(esn).poller());
  }

  @Override
  public CompletionStage<Optional<String>> home(UUID vcm) {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  @Override
  public CompletionStage<Void> admitted(UUID vcm, String esn) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean growable() {
    return false;
  }

  @Override
  public Optional<String> esnOf(ActorRef<HsmEntity.Command> entity) {
    return hsms.values().stream().filter(h -> h.entity().equals(entity)).map(Guardian.Hsm::esn).findFirst();
  }
}
