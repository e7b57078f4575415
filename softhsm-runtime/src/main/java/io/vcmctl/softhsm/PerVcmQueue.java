package io.vcmctl.softhsm;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs device calls on threads of its own: the calls for one VCM one after another, in the
 * order they were made (a stop never overtakes the start before it), and the calls for
 * different VCMs side by side. No thread waits for another VCM's turn.
 */
final class PerVcmQueue {

  /** A device call; it may block on files and processes. */
  interface Call<T> {
    T run() throws Exception;
  }

  private final ThreadPoolExecutor pool;
  private final Map<UUID, CompletableFuture<Void>> lastCall = new ConcurrentHashMap<>();

  PerVcmQueue(int threads, String name) {
    AtomicInteger count = new AtomicInteger();
    pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code call} once every earlier call for {@code vcm} has finished. The result fails
   * with the call's exception, turned into one line by {@link SoftHsmException#of}.
   */
  <T> CompletableFuture<T> submit(UUID vcm, String action, Call<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (pool.isShutdown()) {
      result.completeExceptionally(closed());
      return result;
    }
    // The next call waits for this one to have run, whatever a caller does to the result.
    CompletableFuture<Void> ran = new CompletableFuture<>();
    CompletableFuture<Void> before = lastCall.put(vcm, ran);
    Runnable dispatch = () -> {
      try {
        pool.execute(() -> {
          runInto(call, action, vcm, result);
          lastCall.remove(vcm, ran);
          ran.complete(null);
        });
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(closed());
        lastCall.remove(vcm, ran);
        ran.complete(null);
      }
    };
    if (before == null) {
      dispatch.run();
    } else {
      before.whenComplete((ignored, failure) -> dispatch.run());
    }
    return result;
  }

  private static <T> void runInto(Call<T> call, String action, UUID vcm, CompletableFuture<T> result) {
    try {
      result.complete(call.run());
    } catch (Throwable e) {
      // Errors too: a caller must never wait for an outcome that cannot come.
      result.completeExceptionally(SoftHsmException.of(action, vcm, e));
    }
  }

  /**
   * Takes no more calls, lets the ones running or waiting for a thread finish for up to
   * {@code patience}, then interrupts them. A call still waiting for an earlier call of its
   * VCM fails as closed.
   */
  void close(Duration patience) {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static SoftHsmException closed() {
    return new SoftHsmException("the softhsm runtime is closed: no more device calls are taken");
  }
}
