package io.vcmctl.hsm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.Json;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestException.Problem;
import io.vcmctl.vcm.request.SignedDocument;
import java.security.KeyPair;
import java.time.Instant;
import java.util.UUID;

/**
 * The tenant configuration file that {@code vcmadmin create} writes and the tenant enrolls
 * with: which VCM, at which address, on which HSM, and the module's public key, signed by
 * the module key so the tenant can check it came from that module.
 */
public record TenantConfig(UUID vcm, String ipAddress, String esn, String moduleKey, Instant issuedAt) {

  public static final String FORMAT = "vcmctl-tenant-config/1";

  public static byte[] issue(VcmView view, String esn, KeyPair moduleKey, Instant now) {
    ObjectNode p = Json.object();
    p.put("version", 1);
    p.put("vcm", view.uuid().toString());
    p.put("ip_address", view.properties().ipAddress());
    p.put("esn", esn);
    p.put("module_key", PublicKeys.encode(moduleKey.getPublic()));
    p.put("issued_at", now.toString());
    return SignedDocument.sign(FORMAT, Json.bytes(p), moduleKey).toFileBytes();
  }

  /** Reads a configuration file and checks it is signed by the module key it names. */
  public static TenantConfig read(byte[] file) throws RequestException {
    SignedDocument document = SignedDocument.parse(file, FORMAT, "configuration file", "vcmadmin create");
    JsonNode p = Json.parse(document.payload(), Problem.MALFORMED_PAYLOAD, "configuration payload");
    try {
      TenantConfig config = new TenantConfig(UUID.fromString(p.path("vcm").asText()), p.path("ip_address").asText(),
          p.path("esn").asText(), p.path("module_key").asText(), Instant.parse(p.path("issued_at").asText()));
      document.verify(PublicKeys.decode(config.moduleKey()), "the module key it names", "configuration file",
          "the provider");
      return config;
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new RequestException(Problem.MALFORMED_PAYLOAD, "configuration file is not valid: " + e.getMessage());
    }
  }
}
