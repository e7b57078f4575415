package io.vcmctl.hsm;

import java.util.Locale;
import java.util.Optional;

/** The HSM's speed rating; it decides how many VCMs a multi-tenant licence can create. */
public enum SpeedRating {
  BASE, MID, HIGH;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SpeedRating> parse(String text) {
    for (SpeedRating s : values()) {
      if (s.label().equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
