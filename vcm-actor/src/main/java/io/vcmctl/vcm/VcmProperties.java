package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A VCM's properties, in canonical form: features sorted and unique, booleans as booleans.
 *
 * @param kTenantReq the tenant's request-signing public key (encoded SubjectPublicKeyInfo)
 */
public record VcmProperties(
    boolean autostart,
    boolean restrictStartup,
    boolean serialCardreader,
    List<String> features,
    String name,
    String ipAddress,
    String kTenantReq)
    implements CborSerializable {

  private static final Pattern FEATURE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_NAME = 64;

  public VcmProperties {
    features = List.copyOf(features);
  }

  /** R1: autostart and restrict_startup are mutually exclusive. */
  public boolean violatesStartupExclusion() {
    return autostart && restrictStartup;
  }

  /** The canonical text of one property, as a request carries it. */
  public String get(VcmProperty property) {
    switch (property) {
      case AUTOSTART: return Boolean.toString(autostart);
      case RESTRICT_STARTUP: return Boolean.toString(restrictStartup);
      case SERIAL_CARDREADER: return Boolean.toString(serialCardreader);
      case FEATURES: return String.join("|", features);
      case NAME: return name;
      case IP_ADDRESS: return ipAddress;
      case K_TENANT_REQ: return kTenantReq;
      default: throw new IllegalArgumentException(property.key());
    }
  }

  /** A copy with one property set from its canonical text (see {@link #canonical}). */
  public VcmProperties with(VcmProperty property, String value) {
    switch (property) {
      case AUTOSTART:
        return new VcmProperties(Boolean.parseBoolean(value), restrictStartup, serialCardreader, features, name, ipAddress, kTenantReq);
      case RESTRICT_STARTUP:
        return new VcmProperties(autostart, Boolean.parseBoolean(value), serialCardreader, features, name, ipAddress, kTenantReq);
      case SERIAL_CARDREADER:
        return new VcmProperties(autostart, restrictStartup, Boolean.parseBoolean(value), features, name, ipAddress, kTenantReq);
      case FEATURES:
        return new VcmProperties(autostart, restrictStartup, serialCardreader, splitFeatures(value), name, ipAddress, kTenantReq);
      case NAME:
        return new VcmProperties(autostart, restrictStartup, serialCardreader, features, value, ipAddress, kTenantReq);
      case IP_ADDRESS:
        return new VcmProperties(autostart, restrictStartup, serialCardreader, features, name, value, kTenantReq);
      case K_TENANT_REQ:
        return new VcmProperties(autostart, restrictStartup, serialCardreader, features, name, ipAddress, value);
      default:
        throw new IllegalArgumentException(property.key());
    }
  }

  /**
   * Checks a raw value for a property and returns its canonical text; booleans become
   * {@code true}/{@code false}, features are sorted and de-duplicated.
   *
   * @throws IllegalArgumentException with a one-line message when the value is not valid
   */
  public static String canonical(VcmProperty property, String raw) {
    if (raw == null) {
      throw new IllegalArgumentException(property.key() + " needs a value");
    }
    if (property.isBoolean()) {
      return VcmProperty.parseBoolean(raw)
          .map(String::valueOf)
          .orElseThrow(() -> new IllegalArgumentException(
              property.key() + " must be true or false, not " + SafeText.quote(raw)));
    }
    switch (property) {
      case FEATURES:
        return String.join("|", splitFeatures(raw));
      case NAME:
        if (raw.isBlank()) {
          throw new IllegalArgumentException("name must not be empty");
        }
        int length = raw.codePointCount(0, raw.length());
        if (length > MAX_NAME) {
          throw new IllegalArgumentException("name is " + length + " characters long; the limit is " + MAX_NAME);
        }
        if (!raw.codePoints().allMatch(VcmProperties::printable)) {
          throw new IllegalArgumentException("name has characters that cannot be printed; use printable text");
        }
        return raw;
      case IP_ADDRESS:
        return IpAddresses.canonical(raw);
      case K_TENANT_REQ:
        try {
          return PublicKeys.encode(PublicKeys.decode(raw));
        } catch (RequestException e) {
          throw new IllegalArgumentException("k_tenant_req: " + e.getMessage());
        }
      default:
        throw new IllegalArgumentException(property.key());
    }
  }

  /** Features joined by {@code |}, sorted and unique. */
  public static List<String> splitFeatures(String joined) {
    TreeSet<String> names = new TreeSet<>();
    for (String name : joined.split("\\|", -1)) {
      if (!FEATURE.matcher(name).matches()) {
        throw new IllegalArgumentException("features " + SafeText.quote(joined) + " is not valid: "
            + (name.isEmpty() ? "it has an empty name" : SafeText.quote(name) + " is not a feature name")
            + "; give names of letters, digits, _ and -, joined by |");
      }
      names.add(name);
    }
    return List.copyOf(names);
  }

  /** Bidi overrides, control and unassigned characters could disguise a name in listings. */
  private static boolean printable(int codePoint) {
    switch (Character.getType(codePoint)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return false;
      default:
        return true;
    }
  }

  @Override
  public String toString() {
    return String.join(", ", Arrays.stream(VcmProperty.values())
        .filter(p -> p != VcmProperty.K_TENANT_REQ)
        .map(p -> p.key() + "=" + get(p)).toList());
  }
}
