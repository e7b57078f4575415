package io.vcmctl.orchestrator.access;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An operator's role, after the HSM vendors' separation of duties: {@code admin} may do
 * everything; {@code operator} runs VCMs (lifecycle and reads) but not the HSM itself
 * (licences, networking, reset, clock) nor the operators; {@code auditor} only reads, reads
 * histories and exports the audit trail.
 */
public enum Role {
  ADMIN(EnumSet.allOf(Permission.class)),
  OPERATOR(EnumSet.of(Permission.READ, Permission.HISTORY, Permission.VCM_LIFECYCLE)),
  AUDITOR(EnumSet.of(Permission.READ, Permission.HISTORY, Permission.AUDIT_EXPORT));

  private final Set<Permission> granted;

  Role(Set<Permission> granted) {
    this.granted = granted;
  }

  public boolean allows(Permission permission) {
    return granted.contains(permission);
  }

  /** {@code admin}, {@code operator}, {@code auditor}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The roles that may do this, as a refusal names them: {@code operator or admin}. */
  public static String needed(Permission permission) {
    return Arrays.stream(values()).filter(r -> r.allows(permission)).map(Role::label).sorted()
        .collect(Collectors.joining(" or "));
  }

  /** @throws IllegalArgumentException not one of the three, with a line naming them */
  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.label().equals(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException("no role " + io.vcmctl.vcm.SafeText.quote(text)
        + "; the roles are admin, operator and auditor");
  }
}
