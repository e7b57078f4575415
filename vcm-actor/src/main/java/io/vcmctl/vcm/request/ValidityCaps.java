package io.vcmctl.vcm.request;

import java.time.Duration;

/**
 * The longest time a request of each kind may be valid for, from its issued-at to its
 * expires-at: a request that outlives its purpose by years is a standing authorisation that
 * nobody can withdraw, so it is refused however it was signed.
 */
public record ValidityCaps(Duration create, Duration start, Duration properties) {

  /** 30 days for create; 24 hours for start and properties (the reference.conf defaults). */
  public static final ValidityCaps DEFAULT = new ValidityCaps(Duration.ofDays(30), Duration.ofHours(24),
      Duration.ofHours(24));

  public ValidityCaps {
    for (Duration d : new Duration[] {create, start, properties}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("vcmctl.vcm.max-request-validity values must be positive, not " + d);
      }
    }
  }

  public Duration of(RequestKind kind) {
    return switch (kind) {
      case CREATE -> create;
      case START -> start;
      case PROPERTIES -> properties;
    };
  }

  /** A duration as the tenant's --valid-for takes it: {@code 24h}, {@code 90m} or {@code 45s}. */
  static String text(Duration d) {
    long s = d.getSeconds();
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  /** {@link #text}, with the days spelled out when there are several. */
  static String described(Duration d) {
    return d.toDays() >= 2 && d.toHours() % 24 == 0 ? text(d) + " (" + d.toDays() + " days)" : text(d);
  }
}
