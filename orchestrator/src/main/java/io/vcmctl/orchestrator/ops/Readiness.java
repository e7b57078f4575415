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
 */
public final class Readiness {

  public static final String HSM_RECOVERED = "hsm-recovered";
  public static final String STATS_FRESH = "stats-fresh";

  private final Orchestrator orchestrator;
  private final Metrics metrics;
  private final OpsSettings settings;
  private final Clock clock;

  public Readiness(Orchestrator orchestrator, Metrics metrics, OpsSettings settings, Clock clock) {
    this.orchestrator = orchestrator;
    this.metrics = metrics;
    this.settings = settings;
    this.clock = clock;
  }

  /** The name of the first failing check, or empty when ready. */
  public CompletionStage<Optional<String>> failingCheck() {
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (String esn : orchestrator.esns()) {
      answers.add(orchestrator.info(esn).thenApply(info -> true).toCompletableFuture()
          .completeOnTimeout(false, settings.hsmTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(failure -> false));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(x -> {
      if (!answers.stream().allMatch(CompletableFuture::join)) {
        return Optional.of(HSM_RECOVERED);
      }
      Instant now = clock.instant();
      Duration staleAfter = settings.staleAfter();
      boolean fresh = orchestrator.esns().stream().allMatch(esn -> metrics.lastCycle(esn)
          .map(at -> Duration.between(at, now).compareTo(staleAfter) <= 0).orElse(false));
      return fresh ? Optional.empty() : Optional.of(STATS_FRESH);
    });
  }
}
