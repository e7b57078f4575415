package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestInspector;
import io.vcmctl.vcm.request.RequestPayload;

/** {@code hsmadmin vcm inspect-request --json}: the facts the text shows, under snake_case names. */
final class Inspections {

  private static final String VALIDITY = "validity: ";

  private Inspections() {}

  static ObjectNode json(RequestInspector.Inspection inspection) {
    RequestPayload payload = inspection.payload();
    ObjectNode o = Json.object();
    o.put("kind", payload.kind().toString());
    o.put("vcm", payload.vcm() == null ? null : payload.vcm().toString());
    ObjectNode properties = o.putObject("properties");
    payload.properties().forEach(properties::put);
    o.put("issued_at", payload.issuedAt().toString());
    o.put("expires_at", payload.expiresAt().toString());
    o.put("nonce", payload.nonce());
    o.put("digest", inspection.digest());
    o.put("signer", inspection.signer());
    o.put("sshadmin_key", payload.sshadminKey() == null ? null : PublicKeys.fingerprint(payload.sshadminKey()));
    o.put("request_key", payload.requestKey() == null ? null : PublicKeys.fingerprint(payload.requestKey()));
    o.put("signature", !inspection.signatureChecked() ? "not checked" : inspection.signatureValid() ? "valid"
        : "invalid");
    o.put("problem", inspection.problem());
    o.put("module_time", inspection.moduleNow().toString());
    // The text's own judgement of the validity window, so that both say the same.
    inspection.render().lines().filter(l -> l.startsWith(VALIDITY)).findFirst()
        .ifPresent(l -> o.put("validity", l.substring(VALIDITY.length())));
    return o;
  }
}
