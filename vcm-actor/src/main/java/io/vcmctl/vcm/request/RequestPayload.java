package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.SafeText.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a tenant asks for: the part of a request file that is signed. {@link #toJsonBytes()}
 * gives the exact bytes to sign; {@link #parse} reads them back, refusing anything that the
 * factories here would not have made.
 *
 * @param version format version, {@value #VERSION}
 * @param kind what the request asks for
 * @param vcm the VCM it is for; null for a create request
 * @param sshadminKey the tenant's sshadmin public key ({@link PublicKeys#encode} form); create only
 * @param requestKey the tenant's request-signing public key, which signs this create request
 *     and becomes the VCM's {@code k_tenant_req}; create only
 * @param properties canonical property names to canonical values, in request order
 * @param issuedAt module time from which the request is valid
 * @param expiresAt module time after which the request is refused
 * @param nonce 16 random bytes, base64url, so that no two requests are alike
 */
public record RequestPayload(int version, RequestKind kind, UUID vcm, String sshadminKey,
    String requestKey, Map<String, String> properties, Instant issuedAt, Instant expiresAt,
    String nonce) {

  public static final int VERSION = 1;

  private static final int NONCE_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<String> FIELDS = List.of("version", "kind", "vcm", "sshadmin_key",
      "request_key", "properties", "issued_at", "expires_at", "nonce");
  // Unpadded base64url of exactly NONCE_BYTES bytes.
  private static final Pattern NONCE_TEXT = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final Pattern UUID_TEXT = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  public RequestPayload {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(nonce, "nonce");
    properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /** A request for a new VCM, signed by {@code requestKey}'s private half. */
  public static RequestPayload create(String sshadminKey, String requestKey,
      Map<String, String> properties, Instant issuedAt, Duration validFor) throws RequestException {
    return new RequestPayload(VERSION, RequestKind.CREATE, null,
        PropertyRules.canonicalKey("sshadmin_key", sshadminKey),
        PropertyRules.canonicalKey("request_key", requestKey),
        PropertyRules.canonicalize(properties, RequestKind.CREATE), issuedAt,
        expiry(issuedAt, validFor), newNonce());
  }

  /** A request to start a {@code restrict_startup} VCM. */
  public static RequestPayload start(UUID vcm, Instant issuedAt, Duration validFor)
      throws RequestException {
    return new RequestPayload(VERSION, RequestKind.START, Objects.requireNonNull(vcm, "vcm"), null,
        null, Map.of(), issuedAt, expiry(issuedAt, validFor), newNonce());
  }

  /** A request to set the named properties of a VCM to exactly these values. */
  public static RequestPayload properties(UUID vcm, Map<String, String> properties,
      Instant issuedAt, Duration validFor) throws RequestException {
    return new RequestPayload(VERSION, RequestKind.PROPERTIES, Objects.requireNonNull(vcm, "vcm"),
        null, null, PropertyRules.canonicalize(properties, RequestKind.PROPERTIES), issuedAt,
        expiry(issuedAt, validFor), newNonce());
  }

  /** Whether the request names {@code property}. */
  public boolean names(VcmProperty property) {
    return properties.containsKey(property.key());
  }

  /** The canonical value the request asks for {@code property}, if it names it. */
  public Optional<String> requested(VcmProperty property) {
    return Optional.ofNullable(properties.get(property.key()));
  }

  /** Compact JSON with every field present (null where unused) in a fixed order: the signed bytes. */
  public byte[] toJsonBytes() {
    ObjectNode root = Json.object();
    root.put("version", version);
    root.put("kind", kind.wireName());
    root.put("vcm", vcm == null ? null : vcm.toString());
    root.put("sshadmin_key", sshadminKey);
    root.put("request_key", requestKey);
    ObjectNode props = root.putObject("properties");
    properties.forEach(props::put);
    root.put("issued_at", issuedAt.toString());
    root.put("expires_at", expiresAt.toString());
    root.put("nonce", nonce);
    return Json.bytes(root);
  }

  /** Reads payload bytes strictly: every field, nothing more, each valid for the kind. */
  public static RequestPayload parse(byte[] json) throws RequestException {
    JsonNode root = Json.parse(json, Problem.MALFORMED_PAYLOAD, "request payload");
    if (!root.isObject()) {
      throw malformed("request payload is not a JSON object");
    }
    // The version comes first: a newer payload may well have fields this one does not know.
    JsonNode version = root.get("version");
    if (version == null || version.isNull()) {
      throw missing("version");
    }
    if (!version.isInt()) {
      throw malformed("request payload version must be a whole number, not " + quote(version.toString()));
    }
    if (version.intValue() != VERSION) {
      throw new RequestException(Problem.UNSUPPORTED_VERSION, "request payload version "
          + version.intValue() + " is not supported (this orchestrator reads version " + VERSION
          + "); ask the tenant for a request made by a matching hsmadmin");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw malformed("request payload has an unknown field " + quote(name));
      }
    }
    for (String field : FIELDS) {
      if (!root.has(field)) {
        throw missing(field);
      }
    }
    String kindText = text(root, "kind");
    RequestKind kind = RequestKind.fromWireName(kindText).orElseThrow(() -> malformed(
        "unknown request kind " + quote(kindText) + "; known: create, start, properties"));
    boolean create = kind == RequestKind.CREATE;
    UUID vcm = create ? absent(root, "vcm", kind) : uuid(text(root, "vcm"));
    String sshadminKey = create
        ? PropertyRules.canonicalKey("sshadmin_key", text(root, "sshadmin_key"))
        : absent(root, "sshadmin_key", kind);
    String requestKey = create
        ? PropertyRules.canonicalKey("request_key", text(root, "request_key"))
        : absent(root, "request_key", kind);
    Map<String, String> properties = PropertyRules.canonicalize(propertiesField(root), kind);
    Instant issuedAt = instant(root, "issued_at");
    Instant expiresAt = instant(root, "expires_at");
    if (!expiresAt.isAfter(issuedAt)) {
      throw malformed("request payload expires_at " + expiresAt + " is not after issued_at " + issuedAt);
    }
    return new RequestPayload(VERSION, kind, vcm, sshadminKey, requestKey, properties, issuedAt,
        expiresAt, nonce(text(root, "nonce")));
  }

  private static Instant expiry(Instant issuedAt, Duration validFor) throws RequestException {
    Objects.requireNonNull(issuedAt, "issuedAt");
    if (validFor == null || validFor.isNegative() || validFor.isZero()) {
      throw new RequestException(Problem.BAD_VALUE,
          "a request must be valid for a positive time, not " + validFor);
    }
    try {
      return issuedAt.plus(validFor);
    } catch (DateTimeException | ArithmeticException e) {
      throw new RequestException(Problem.BAD_VALUE, "a request cannot be valid for " + validFor, e);
    }
  }

  private static String newNonce() {
    byte[] bytes = new byte[NONCE_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A field that must hold a string. */
  private static String text(JsonNode root, String field) throws RequestException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw missing(field);
    }
    if (!node.isTextual()) {
      throw malformed("request payload field " + field + " must be a string, not " + node.getNodeType());
    }
    return node.textValue();
  }

  /** A field that must be null for this kind; returns that null. */
  private static <T> T absent(JsonNode root, String field, RequestKind kind) throws RequestException {
    if (!root.get(field).isNull()) {
      throw malformed("a " + kind + " request must not have " + field + ", but this one has");
    }
    return null;
  }

  private static UUID uuid(String text) throws RequestException {
    if (!UUID_TEXT.matcher(text).matches()) {
      throw malformed("request payload vcm " + quote(text) + " is not a VCM UUID");
    }
    return UUID.fromString(text);
  }

  private static Map<String, String> propertiesField(JsonNode root) throws RequestException {
    JsonNode node = root.get("properties");
    if (node == null || node.isNull()) {
      throw missing("properties");
    }
    if (!node.isObject()) {
      throw malformed("request payload properties must be a JSON object, not " + node.getNodeType());
    }
    Map<String, String> raw = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      VcmProperty property = PropertyRules.property(entry.getKey());
      JsonNode value = entry.getValue();
      if (value.isTextual()) {
        raw.put(entry.getKey(), value.textValue());
      } else if (value.isBoolean() && property.isBoolean()) {
        raw.put(entry.getKey(), String.valueOf(value.booleanValue()));
      } else {
        throw new RequestException(Problem.BAD_VALUE, property + " must be "
            + (property.isBoolean() ? "true or false" : "a string") + ", not " + value.getNodeType());
      }
    }
    return raw;
  }

  private static Instant instant(JsonNode root, String field) throws RequestException {
    String text = text(root, field);
    try {
      return Instant.parse(text);
    } catch (DateTimeException e) {
      throw malformed("request payload " + field + " " + quote(text)
          + " is not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
    }
  }

  private static String nonce(String text) throws RequestException {
    if (!NONCE_TEXT.matcher(text).matches()) {
      throw malformed("request payload nonce " + quote(text) + " is not " + NONCE_BYTES
          + " bytes of unpadded base64url");
    }
    return text;
  }

  private static RequestException malformed(String message) {
    return new RequestException(Problem.MALFORMED_PAYLOAD, message);
  }

  private static RequestException missing(String field) {
    return new RequestException(Problem.MISSING_FIELD, "request payload has no " + field
        + " field; the request is incomplete, ask the tenant to make it again");
  }
}
