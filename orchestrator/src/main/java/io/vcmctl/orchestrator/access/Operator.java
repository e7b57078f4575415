package io.vcmctl.orchestrator.access;

import io.vcmctl.vcm.Principal;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A named operator: its role and the salted SHA-256 hash of its token (never the token).
 * A revoked operator stays listed, so that its name in the history keeps meaning one person.
 */
public record Operator(String name, Role role, byte[] salt, byte[] hash, Instant createdAt, Instant revokedAt) {

  /** Lower-case letters, digits, {@code -} and {@code _}, starting with a letter, at most 32. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  public boolean active() {
    return revokedAt == null;
  }

  /** Who this operator is in events and logs: {@code provider:alice}. */
  public Principal principal() {
    return Principal.provider(name);
  }

  Operator revoked(Instant at) {
    return new Operator(name, role, salt, hash, createdAt, at);
  }

  @Override
  public String toString() {
    return "Operator[" + name + ", " + role.label() + (active() ? "" : ", revoked") + "]";
  }

  /** @throws IllegalArgumentException a name that is not one, with the rule */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("operator name " + io.vcmctl.vcm.SafeText.quote(String.valueOf(name))
          + " is not one; use lower-case letters, digits, - and _, starting with a letter (at most 32)");
    }
    return name;
  }
}
