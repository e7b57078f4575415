package io.vcmctl.vcm;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A device for tests that remembers what it holds (as a real module does, across restarts of the
 * actors that drive it) and fails on demand: the next call of a kind fails with a reason, or
 * hangs until released, and a running VCM can die behind the orchestrator's back.
 */
public final class FaultyRuntime implements VcmRuntime {

  public enum Call { CREATE, START, STOP, DESTROY, MEASURE }

  private final SimulatedRuntime figures;
  private final Map<UUID, DeviceStatus> held = new ConcurrentHashMap<>();
  private final Map<Call, String> failNext = new ConcurrentHashMap<>();
  private final AtomicReference<Call> hangNext = new AtomicReference<>();
  private final AtomicReference<Runnable> release = new AtomicReference<>();

  public FaultyRuntime(SimulatedRuntime figures) {
    this.figures = figures;
  }

  /** The next call of this kind fails with {@code reason}, changing nothing on the device. */
  public FaultyRuntime failNext(Call call, String reason) {
    failNext.put(call, reason);
    return this;
  }

  /** The next call of this kind takes effect only when {@link #release()} is called. */
  public FaultyRuntime hangNext(Call call) {
    hangNext.set(call);
    return this;
  }

  /** Lets a hung call take effect and complete. */
  public void release() {
    Runnable r = release.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  /** The VCM's process ends on its own. */
  public void die(UUID vcm) {
    held.computeIfPresent(vcm, (u, s) -> DeviceStatus.STOPPED);
  }

  public DeviceStatus holds(UUID vcm) {
    return held.getOrDefault(vcm, DeviceStatus.ABSENT);
  }

  @Override
  public String name() {
    return "faulty";
  }

  @Override
  public CompletionStage<Void> create(UUID vcm) {
    return act(Call.CREATE, vcm, DeviceStatus.STOPPED);
  }

  @Override
  public CompletionStage<Void> start(UUID vcm) {
    return act(Call.START, vcm, DeviceStatus.RUNNING);
  }

  @Override
  public CompletionStage<Void> stop(UUID vcm, boolean force) {
    return act(Call.STOP, vcm, DeviceStatus.STOPPED);
  }

  @Override
  public CompletionStage<Void> destroy(UUID vcm) {
    return act(Call.DESTROY, vcm, DeviceStatus.ABSENT);
  }

  @Override
  public CompletionStage<DeviceStatus> status(UUID vcm) {
    return CompletableFuture.completedFuture(holds(vcm));
  }

  @Override
  public CompletionStage<Usage> measure(VcmView vcm) {
    String reason = failNext.remove(Call.MEASURE);
    return reason != null ? CompletableFuture.failedFuture(new IllegalStateException(reason))
        : figures.measure(vcm);
  }

  @Override
  public boolean simulatesTenantData() {
    return true;
  }

  private CompletionStage<Void> act(Call call, UUID vcm, DeviceStatus after) {
    String reason = failNext.remove(call);
    if (reason != null) {
      return CompletableFuture.failedFuture(new IllegalStateException(reason));
    }
    if (hangNext.compareAndSet(call, null)) {
      CompletableFuture<Void> later = new CompletableFuture<>();
      release.set(() -> {
        apply(vcm, after);
        later.complete(null);
      });
      return later;
    }
    apply(vcm, after);
    return CompletableFuture.completedFuture(null);
  }

  private void apply(UUID vcm, DeviceStatus after) {
    if (after == DeviceStatus.ABSENT) {
      held.remove(vcm);
    } else {
      held.put(vcm, after);
    }
  }
}
