package io.vcmctl.hsm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.request.Json;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestException.Problem;
import io.vcmctl.vcm.request.SignedDocument;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A feature licence for one HSM, signed by the vendor. Verified against the trusted vendor
 * key before anything in it is used.
 *
 * @param speed the speed rating it grants, or {@code null} when it grants none
 * @param maxActiveVcms the licensed number of concurrently active VCMs, or 0 when it sets none
 */
public record Licence(String id, String esn, boolean multiTenant, SpeedRating speed, int maxActiveVcms,
    List<String> features, Instant issuedAt) implements CborSerializable {

  public static final String FORMAT = "vcmctl-licence/1";
  public static final int MAX_ACTIVE_LIMIT = Licensing.HIGHER_MAX_CREATABLE;
  private static final Set<String> FIELDS = Set.of("version", "id", "esn", "multi_tenant", "speed",
      "max_active_vcms", "features", "issued_at");

  public Licence {
    features = List.copyOf(features);
    if (maxActiveVcms < 0 || maxActiveVcms > MAX_ACTIVE_LIMIT) {
      throw new IllegalArgumentException("max active VCMs must be between 1 and " + MAX_ACTIVE_LIMIT);
    }
    if (multiTenant && maxActiveVcms == 0) {
      throw new IllegalArgumentException("a multi-tenant licence must name its max active VCMs (--max-active N)");
    }
  }

  /** A new licence with a random id, issued now. */
  public static Licence of(String esn, boolean multiTenant, SpeedRating speed, int maxActive, List<String> features,
      Instant now) {
    byte[] id = new byte[9];
    new java.security.SecureRandom().nextBytes(id);
    return new Licence(Base64.getUrlEncoder().withoutPadding().encodeToString(id), esn, multiTenant, speed,
        maxActive, features, now);
  }

  /** The licence file, signed with the vendor's key. */
  public byte[] sign(KeyPair vendor) {
    ObjectNode p = Json.object();
    p.put("version", 1);
    p.put("id", id);
    p.put("esn", esn);
    p.put("multi_tenant", multiTenant);
    p.put("speed", speed == null ? null : speed.label());
    p.put("max_active_vcms", maxActiveVcms);
    ArrayNode f = p.putArray("features");
    features.forEach(f::add);
    p.put("issued_at", issuedAt.toString());
    return SignedDocument.sign(FORMAT, Json.bytes(p), vendor).toFileBytes();
  }

  /** Reads a licence file and checks that the vendor signed it for this HSM. */
  public static Licence verify(byte[] file, PublicKey vendorKey, String esn) throws RequestException {
    SignedDocument document = SignedDocument.parse(file, FORMAT, "licence file", "orchestrator licence issue");
    document.verify(vendorKey, "the trusted vendor key", "licence", "the vendor");
    Licence licence = parsePayload(document.payload());
    if (!licence.esn().equals(esn)) {
      throw new RequestException(Problem.BAD_VALUE, "licence is for HSM " + licence.esn() + ", not this HSM "
          + esn + "; apply it to that HSM, or ask the vendor for one for " + esn);
    }
    return licence;
  }

  private static Licence parsePayload(byte[] bytes) throws RequestException {
    JsonNode p = Json.parse(bytes, Problem.MALFORMED_PAYLOAD, "licence payload");
    if (!p.isObject()) {
      throw bad("it is not a JSON object");
    }
    for (Iterator<String> names = p.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw bad("it has an unknown field '" + name + "'");
      }
    }
    if (!p.path("version").isInt() || p.get("version").intValue() != 1) {
      throw new RequestException(Problem.UNSUPPORTED_VERSION, "licence payload version is not 1");
    }
    String id = text(p, "id");
    String esn = text(p, "esn");
    if (!p.path("multi_tenant").isBoolean()) {
      throw bad("multi_tenant must be true or false");
    }
    SpeedRating speed = null;
    if (!p.path("speed").isNull()) {
      speed = SpeedRating.parse(text(p, "speed")).orElseThrow(() -> bad("speed must be base, mid or high"));
    }
    if (!p.path("max_active_vcms").isInt()) {
      throw bad("max_active_vcms must be a whole number");
    }
    if (!p.path("features").isArray()) {
      throw bad("features must be a list of names");
    }
    List<String> features = new ArrayList<>();
    for (JsonNode f : p.get("features")) {
      if (!f.isTextual()) {
        throw bad("features must be a list of names");
      }
      features.add(f.textValue());
    }
    try {
      if (!features.isEmpty()) {
        VcmProperties.splitFeatures(String.join("|", features));
      }
      return new Licence(id, esn, p.get("multi_tenant").booleanValue(), speed, p.get("max_active_vcms").intValue(),
          features, Instant.parse(text(p, "issued_at")));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw bad(e.getMessage());
    }
  }

  private static String text(JsonNode p, String field) throws RequestException {
    JsonNode n = p.get(field);
    if (n == null || !n.isTextual() || n.textValue().isBlank()) {
      throw new RequestException(Problem.MISSING_FIELD, "licence payload has no " + field);
    }
    return n.textValue();
  }

  private static RequestException bad(String why) {
    return new RequestException(Problem.MALFORMED_PAYLOAD, "licence payload is not valid: " + why);
  }
}
