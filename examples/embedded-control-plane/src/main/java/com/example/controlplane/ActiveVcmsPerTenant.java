package com.example.controlplane;

import io.vcmctl.orchestrator.feed.LifecycleEvent;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A read model kept from the lifecycle feed: which VCMs of each tenant are active. It is saved
 * to one file after every event together with the feed offset of that event, in one atomic
 * rename, so that after a crash or a restart it resumes exactly after the last event it saved:
 * nothing missed, nothing counted twice.
 */
public final class ActiveVcmsPerTenant {

  private final Path file;
  private final Map<UUID, String> tenantOf = new TreeMap<>();
  private final Set<UUID> active = new TreeSet<>();
  private long offset;
  private long applied;
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(long offset, CompletableFuture<Void> reached) {}

  private ActiveVcmsPerTenant(Path file) {
    this.file = file;
  }

  /** The model saved in {@code file}, or an empty one at the feed's beginning. */
  public static ActiveVcmsPerTenant load(Path file) {
    ActiveVcmsPerTenant model = new ActiveVcmsPerTenant(file);
    if (!Files.exists(file)) {
      return model;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        switch (f[0]) {
          case "offset" -> model.offset = Long.parseLong(f[1]);
          case "applied" -> model.applied = Long.parseLong(f[1]);
          case "vcm" -> {
            UUID uuid = UUID.fromString(f[1]);
            model.tenantOf.put(uuid, f[2]);
            if (f[3].equals("active")) {
              model.active.add(uuid);
            }
          }
          default -> throw new IllegalStateException(file + " is not a read model file: " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return model;
  }

  /** An empty model kept in memory only, to compare against. */
  public static ActiveVcmsPerTenant inMemory() {
    return new ActiveVcmsPerTenant(null);
  }

  /** The offset of the last event applied: where the feed resumes. */
  public synchronized long offset() {
    return offset;
  }

  /** How many events this model has applied since it was first made, across restarts. */
  public synchronized long applied() {
    return applied;
  }

  /** Tenant (sshadmin key fingerprint) to its active VCMs; tenants with none are left out. */
  public synchronized Map<String, Set<UUID>> activeByTenant() {
    Map<String, Set<UUID>> out = new TreeMap<>();
    for (UUID uuid : active) {
      out.computeIfAbsent(tenantOf.get(uuid), t -> new TreeSet<>()).add(uuid);
    }
    return out;
  }

  /** Completes once the model has applied the event at {@code target}. */
  public synchronized CompletionStage<Void> reached(long target) {
    CompletableFuture<Void> reached = new CompletableFuture<>();
    if (offset >= target) {
      reached.complete(null);
    } else {
      waiters.add(new Waiter(target, reached));
    }
    return reached;
  }

  /** Applies the next event of the feed and saves the model with its offset. */
  public synchronized void apply(LifecycleEvent event) {
    if (event.offset() <= offset) {
      throw new IllegalStateException("event at offset " + event.offset() + " was already applied (model at "
          + offset + ")");
    }
    event.vcmEvent().ifPresent(this::apply);
    offset = event.offset();
    applied++;
    save();
    waiters.removeIf(w -> {
      if (offset >= w.offset()) {
        w.reached().complete(null);
        return true;
      }
      return false;
    });
  }

  private void apply(VcmEntity.Event e) {
    if (e instanceof VcmEntity.VcmCreated created) {
      tenantOf.put(created.vcm(), PublicKeys.fingerprint(created.sshadminKey()));
    } else if (e instanceof VcmEntity.VcmStarted) {
      active.add(e.vcm());
    } else if (e instanceof VcmEntity.VcmSettled settled) {
      if (settled.to() == VcmStatus.ACTIVE) {
        active.add(e.vcm());
      } else {
        active.remove(e.vcm());
      }
    } else if (e instanceof VcmEntity.VcmStopped || e instanceof VcmEntity.VcmStoppedForReset
        || e instanceof VcmEntity.VcmStoppedForDiskLimit) {
      active.remove(e.vcm());
    } else if (e instanceof VcmEntity.VcmDeleted) {
      active.remove(e.vcm());
      tenantOf.remove(e.vcm());
    }
  }

  private void save() {
    if (file == null) {
      return;
    }
    StringBuilder text = new StringBuilder("offset " + offset + "\napplied " + applied + "\n");
    tenantOf.forEach((uuid, tenant) -> text.append("vcm ").append(uuid).append(' ').append(tenant).append(' ')
        .append(active.contains(uuid) ? "active" : "inactive").append('\n'));
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the read model in " + file + ": " + e.getMessage(), e);
    }
  }
}
