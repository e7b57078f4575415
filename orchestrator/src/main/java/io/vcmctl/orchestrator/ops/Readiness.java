package io.vcmctl.orchestrator.ops;

import io.vcmctl.orchestrator.Orchestrator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /readyz}: ready when every HSM has recovered (answers in time) and each stats
 * poller has completed a cycle within two delays. Only a check's name is told, never an ESN.
 * Freshness is asked of the pollers themselves: their first cycle runs as the daemon starts,
 * possibly before anything listening for cycles has subscribed.
 */
public final class Readiness {

  public static final String HSM_RECOVERED = "hsm-recovered";
  public static final String STATS_FRESH = "stats-fresh";

  private final Orchestrator orchestrator;
  private final OpsSettings settings;
  private final Clock clock;

  public Readiness(Orchestrator orchestrator, OpsSettings settings, Clock clock) {
    this.orchestrator = orchestrator;
    this.settings = settings;
    this.clock = clock;
  }

  /** The name of the first failing check, or empty when ready. */
  public CompletionStage<Optional<String>> failingCheck() {
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    List<CompletableFuture<Boolean>> fresh = new ArrayList<>();
    for (String esn : orchestrator.esns()) {
      answers.add(inTime(orchestrator.info(esn).thenApply(info -> true)));
      fresh.add(inTime(orchestrator.pollerStatus(esn).thenApply(status -> fresh(status.lastCompletedOnHost()))));
    }
    List<CompletableFuture<Boolean>> all = new ArrayList<>(answers);
    all.addAll(fresh);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(x -> {
      if (!answers.stream().allMatch(CompletableFuture::join)) {
        return Optional.of(HSM_RECOVERED);
      }
      return fresh.stream().allMatch(CompletableFuture::join) ? Optional.empty() : Optional.of(STATS_FRESH);
    });
  }

  private boolean fresh(Instant lastCycle) {
    return lastCycle != null && Duration.between(lastCycle, clock.instant()).compareTo(settings.staleAfter()) <= 0;
  }

  private CompletableFuture<Boolean> inTime(CompletionStage<Boolean> check) {
    return check.toCompletableFuture()
        .completeOnTimeout(false, settings.hsmTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> false);
  }
}
