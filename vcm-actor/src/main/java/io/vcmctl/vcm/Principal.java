package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;

/**
 * Who caused an event: the provider's administrator, a tenant (by the fingerprint of its
 * sshadmin key), or the system itself (the stats poller, recovery).
 */
public record Principal(Kind kind, String id) implements CborSerializable {

  public enum Kind { PROVIDER, TENANT, SYSTEM }

  public static Principal provider(String id) {
    return new Principal(Kind.PROVIDER, id);
  }

  public static Principal tenant(String fingerprint) {
    return new Principal(Kind.TENANT, fingerprint);
  }

  public static Principal system(String component) {
    return new Principal(Kind.SYSTEM, component);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
  }
}
