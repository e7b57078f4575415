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

  public void setOffset(Duration newOffset) {
    offset.set(newOffset);
  }

  /** Sets the offset so that the module clock reads {@code moduleTime} now. */
  public Duration offsetFor(Instant moduleTime) {
    return Duration.between(base.instant(), moduleTime);
  }
}
