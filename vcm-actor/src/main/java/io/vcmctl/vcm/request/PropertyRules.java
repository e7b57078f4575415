package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.SafeText.quote;

import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What a request may say about properties, and the one canonical spelling of each value. */
final class PropertyRules {

  private static final int VALUE_LIMIT = 4096;

  // ip_address is the provider's to assign, and k_tenant_req of a new VCM is the create
  // request's own signing key, so a create request may not name either.
  private static final Set<VcmProperty> CREATE_MAY_NAME = EnumSet.of(VcmProperty.AUTOSTART,
      VcmProperty.RESTRICT_STARTUP, VcmProperty.SERIAL_CARDREADER, VcmProperty.FEATURES,
      VcmProperty.NAME);

  private PropertyRules() {}

  static VcmProperty property(String name) throws RequestException {
    return VcmProperty.fromName(name).orElseThrow(() -> new RequestException(
        Problem.UNKNOWN_PROPERTY, "unknown property " + quote(name) + "; known: " + names(
            EnumSet.allOf(VcmProperty.class))));
  }

  /**
   * Checks the properties a request of {@code kind} names and returns them with canonical
   * names and values, in the given order.
   */
  static Map<String, String> canonicalize(Map<String, String> properties, RequestKind kind)
      throws RequestException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      VcmProperty property = property(entry.getKey());
      if (out.containsKey(property.key())) {
        throw new RequestException(Problem.BAD_VALUE, "property " + property
            + " is named twice (once as " + quote(entry.getKey()) + "); name it once");
      }
      if (kind == RequestKind.CREATE && !CREATE_MAY_NAME.contains(property)) {
        throw new RequestException(Problem.BAD_VALUE, "a create request cannot ask for " + property
            + "; it may name " + names(CREATE_MAY_NAME));
      }
      out.put(property.key(), value(property, entry.getValue()));
    }
    if (kind == RequestKind.START && !out.isEmpty()) {
      throw new RequestException(Problem.BAD_VALUE,
          "a start request names no properties, but this one names " + String.join(", ", out.keySet()));
    }
    if (kind == RequestKind.PROPERTIES && out.isEmpty()) {
      throw new RequestException(Problem.BAD_VALUE,
          "a properties request must name at least one property");
    }
    return Collections.unmodifiableMap(out);
  }

  /** The canonical form of a value for {@code property}, or BAD_VALUE / BAD_KEY. */
  private static String value(VcmProperty property, String value) throws RequestException {
    if (value == null) {
      throw new RequestException(Problem.BAD_VALUE, "no value given for " + property);
    }
    if (value.length() > VALUE_LIMIT) {
      throw new RequestException(Problem.BAD_VALUE, "the value of " + property + " is "
          + value.length() + " characters long; the limit is " + VALUE_LIMIT);
    }
    if (property == VcmProperty.K_TENANT_REQ) {
      return canonicalKey(property.key(), value);
    }
    try {
      return VcmProperties.canonical(property, value);
    } catch (IllegalArgumentException e) {
      throw new RequestException(Problem.BAD_VALUE, e.getMessage());
    }
  }

  /** A public key in the one encoding that {@link PublicKeys#encode} writes. */
  static String canonicalKey(String field, String encoded) throws RequestException {
    try {
      return PublicKeys.encode(PublicKeys.decode(encoded));
    } catch (RequestException e) {
      throw new RequestException(Problem.BAD_KEY, field + ": " + e.getMessage(), e);
    }
  }

  private static String names(Set<VcmProperty> properties) {
    return properties.stream().map(VcmProperty::key).collect(Collectors.joining(", "));
  }
}
