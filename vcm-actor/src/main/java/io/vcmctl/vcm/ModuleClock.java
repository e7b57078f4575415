package io.vcmctl.vcm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HSM's module clock: a base clock plus an offset that {@code hsmadmin settime} adjusts.
 * Request validity and event times are judged by it, never by the host clock directly. One
 * instance is shared by an HSM and its VCMs, so the offset is held atomically.
 */
public final class ModuleClock {

  /** How far the module clock may be set from the host clock, either way: a century of 36,525 days. */
  public static final Duration MAX_OFFSET = Duration.ofDays(36_525);

  private final Clock base;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  private ModuleClock(Clock base) {
    this.base = base;
  }

  public static ModuleClock system() {
    return new ModuleClock(Clock.systemUTC());
  }

  /** A module clock over any base clock; tests pass a fixed or hand-advanced one. */
  public static ModuleClock create(Clock base) {
    return new ModuleClock(base);
  }

  public Instant now() {
    return base.instant().plus(offset.get());
  }

  public Duration offset() {
    return offset.get();
  }

  /**
   * @throws IllegalArgumentException for an offset beyond {@link #MAX_OFFSET}, which could make
   *     the clock unreadable
   */
  public void setOffset(Duration newOffset) {
    if (!isSane(newOffset)) {
      throw new IllegalArgumentException("a module clock offset of " + newOffset + " is beyond " + MAX_OFFSET);
    }
    offset.set(newOffset);
  }

  public static boolean isSane(Duration offset) {
    return offset.abs().compareTo(MAX_OFFSET) <= 0;
  }

  /** The offset that makes the module clock read {@code moduleTime} now; check it with {@link #isSane}. */
  public Duration offsetFor(Instant moduleTime) {
    return Duration.between(base.instant(), moduleTime);
  }
}
