package io.vcmctl.bench;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps one command in flight per worker (a worker is one VCM or one counter), each worker
 * issuing its next command when the previous one is answered, until every worker has sent
 * its quota. Latency is from the call to the answer, so it includes queueing behind the
 * other workers' commands.
 */
final class Driver {

  /** The {@code nth} command (from 0) of {@code worker}. */
  interface Op {
    CompletionStage<?> issue(int worker, int nth);
  }

  record Result(long elapsedNanos, long[] sortedLatencyNanos) {
    double perSecond() {
      return sortedLatencyNanos.length * 1e9 / elapsedNanos;
    }

    double percentileMillis(double q) {
      return Samples.percentile(sortedLatencyNanos, q) / 1e6;
    }
  }

  private final int perWorker;
  private final Op op;
  private final long[] latencies;
  private final int[] sent;
  private final AtomicInteger done = new AtomicInteger();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();

  private Driver(int workers, int perWorker, Op op) {
    this.perWorker = perWorker;
    this.op = op;
    this.latencies = new long[workers * perWorker];
    this.sent = new int[workers];
  }

  static Result run(int workers, int perWorker, Op op) {
    Driver d = new Driver(workers, perWorker, op);
    long t0 = System.nanoTime();
    for (int w = 0; w < workers; w++) {
      d.next(w);
    }
    d.finished.join();
    long elapsed = System.nanoTime() - t0;
    Arrays.sort(d.latencies);
    return new Result(elapsed, d.latencies);
  }

  // Each worker's chain is sequential, so sent[worker] is never touched by two threads at once.
  private void next(int worker) {
    if (sent[worker] == perWorker) {
      return;
    }
    long start = System.nanoTime();
    // With an explicit executor, not whenComplete: the stages of Pekko's javadsl ask are Scala's
    // CompletableFuture, whose plain callbacks always run asynchronously on the default
    // executor, a new thread per callback where the common pool has one thread (2 cores). The
    // harness must not add that cost to either side; it runs where the answer arrives.
    op.issue(worker, sent[worker]++).whenCompleteAsync((reply, failure) -> {
      if (failure != null) {
        finished.completeExceptionally(failure);
        return;
      }
      int i = done.getAndIncrement();
      latencies[i] = System.nanoTime() - start;
      if (i + 1 == latencies.length) {
        finished.complete(null);
      } else {
        next(worker);
      }
    }, Runnable::run);
  }
}
