package io.vcmctl.vcm;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The properties of a VCM that a tenant request can name. */
public enum VcmProperty {
  AUTOSTART("autostart", true),
  RESTRICT_STARTUP("restrict_startup", true),
  SERIAL_CARDREADER("serial_cardreader", true),
  FEATURES("features", false),
  NAME("name", false),
  IP_ADDRESS("ip_address", false),
  K_TENANT_REQ("k_tenant_req", false);

  private final String key;
  private final boolean bool;

  VcmProperty(String key, boolean bool) {
    this.key = key;
    this.bool = bool;
  }

  /** The canonical name, with underscores. */
  public String key() {
    return key;
  }

  public boolean isBoolean() {
    return bool;
  }

  /** Looks a property up by name; {@code -} and {@code _} are interchangeable. */
  public static Optional<VcmProperty> fromName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String normalized = name.trim().replace('-', '_').toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(p -> p.key.equals(normalized)).findFirst();
  }

  /**
   * Parses a boolean the way the operator guide allows: {@code true}, {@code false},
   * {@code True} or {@code False}; anything else is empty.
   */
  public static Optional<Boolean> parseBoolean(String value) {
    if (value == null) {
      return Optional.empty();
    }
    switch (value) {
      case "true":
      case "True":
        return Optional.of(Boolean.TRUE);
      case "false":
      case "False":
        return Optional.of(Boolean.FALSE);
      default:
        return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return key;
  }
}
