package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps commands off a nearly full disk. The LevelDB journal writes through memory-mapped files,
 * and a write into a mapping the filesystem cannot back kills the whole process (SIGBUS) instead
 * of failing the write; so a command that would record something is refused while the data
 * directory's filesystem has less than {@code vcmctl.orchestrator.disk-min-free} available.
 */
final class DiskReserve {

  private final Path dir;
  private final long minFree;

  private DiskReserve(Path dir, long minFree) {
    this.dir = dir;
    this.minFree = minFree;
  }

  static DiskReserve create(Path dir, Config orchestrator) {
    return new DiskReserve(dir, orchestrator.getBytes("disk-min-free"));
  }

  /** The refusal of a command that writes, when the disk is below the reserve. */
  Optional<Refusal> check() {
    long free;
    try {
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return Optional.of(new Refusal(Code.UNAVAILABLE, "cannot tell the free space of the disk of the data directory "
          + dir + " (" + e.getMessage() + "); check that it is mounted, then retry"));
    }
    if (free >= minFree) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Code.UNAVAILABLE, "the disk of the data directory " + dir + " is full: "
        + mib(free) + " free, below the " + mib(minFree) + " the journal keeps in reserve"
        + " (vcmctl.orchestrator.disk-min-free); nothing was changed: free space on that disk, then retry"));
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
