package io.vcmctl.vcm.request;

import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * What {@code hsmadmin vcm inspect-request FILE} shows: the payload, and whether the
 * signature verifies and the request is valid now. Unlike {@link RequestVerifier} it reports
 * a bad signature or validity instead of refusing, so the operator can see what is wrong.
 */
public final class RequestInspector {

  /** The clock requests are judged by when the HSM's is at hand. */
  public static final String MODULE_TIME = "module time";

  private RequestInspector() {}

  /**
   * The result of inspecting a request file.
   *
   * @param payload what the request asks for (not trusted unless {@code signatureValid})
   * @param signatureValid whether the signature was checked and verifies
   * @param signer the signer fingerprint the file claims
   * @param digest SHA-256 hex of the payload bytes
   * @param problem why the request would be refused (signature first, then validity); null if
   *     nothing found
   * @param signatureChecked whether there was a key to check the signature against
   * @param moduleNow the time validity was judged at
   * @param clock the clock that gave {@code moduleNow}, such as "module time" or "this host's clock"
   */
  public record Inspection(RequestPayload payload, boolean signatureValid, String signer,
      String digest, String problem, boolean signatureChecked, Instant moduleNow, String clock) {

    public Inspection {
      Objects.requireNonNull(payload, "payload");
      Objects.requireNonNull(signer, "signer");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(moduleNow, "moduleNow");
      Objects.requireNonNull(clock, "clock");
    }

    /** Human-readable lines, one fact per line. */
    public String render() {
      StringJoiner out = new StringJoiner("\n", "", "\n");
      out.add("kind: " + payload.kind());
      out.add("vcm: " + (payload.vcm() == null ? "(new VCM)" : payload.vcm()));
      if (payload.properties().isEmpty()) {
        out.add("properties: (none)");
      } else {
        out.add("properties:");
        for (Map.Entry<String, String> property : payload.properties().entrySet()) {
          out.add("  " + property.getKey() + ": " + shown(property.getKey(), property.getValue()));
        }
      }
      out.add("issued at: " + payload.issuedAt());
      out.add("expires at: " + payload.expiresAt());
      out.add("nonce: " + payload.nonce());
      out.add("digest: " + digest);
      out.add("signer: " + signer);
      if (payload.sshadminKey() != null) {
        out.add("sshadmin key: " + PublicKeys.fingerprint(payload.sshadminKey()));
      }
      if (payload.requestKey() != null) {
        out.add("request key: " + PublicKeys.fingerprint(payload.requestKey()));
      }
      if (!signatureChecked) {
        out.add("signature: not checked (needs the VCM's k_tenant_req)");
      } else if (signatureValid) {
        out.add("signature: valid");
      } else {
        out.add("signature: INVALID (" + problem + ")");
      }
      out.add("validity: " + validity());
      return out.toString();
    }

    private String validity() {
      try {
        new RequestVerifier().checkValidity(payload, moduleNow, clock);
        return "ok (" + clock + " is now " + moduleNow + ")";
      } catch (RequestException e) {
        String what = switch (e.problem()) {
          case EXPIRED -> "expired";
          case VALIDITY_TOO_LONG -> "valid for too long";
          default -> "not yet valid";
        };
        return what + ": " + e.getMessage();
      }
    }

    /** A key is long and means nothing to read; its fingerprint is what people compare. */
    private static String shown(String name, String value) {
      return VcmProperty.K_TENANT_REQ.key().equals(name)
          ? "public key " + PublicKeys.fingerprint(value)
          : value;
    }
  }

  /**
   * Inspects a request file without the VCM's key: a create request is checked against the
   * request key it carries, other kinds are not checked.
   */
  public static Inspection inspect(byte[] fileBytes, Instant moduleNow) throws RequestException {
    return inspect(fileBytes, null, moduleNow);
  }

  /**
   * Inspects a request file, checking a start or properties request against {@code currentKey}
   * (the VCM's current {@code k_tenant_req}) when given.
   *
   * @throws RequestException if the file or its payload cannot be read at all
   */
  public static Inspection inspect(byte[] fileBytes, PublicKey currentKey, Instant moduleNow)
      throws RequestException {
    return inspect(fileBytes, currentKey, moduleNow, MODULE_TIME);
  }

  /** As {@link #inspect(byte[], PublicKey, Instant)}, validity judged by the clock {@code clock} names. */
  public static Inspection inspect(byte[] fileBytes, PublicKey currentKey, Instant now, String clock)
      throws RequestException {
    Instant moduleNow = Objects.requireNonNull(now, "now");
    SignedRequest request = SignedRequest.parse(fileBytes);
    RequestPayload payload = request.parsePayload();
    PublicKey key = payload.kind() == RequestKind.CREATE
        ? PublicKeys.decode(payload.requestKey())
        : currentKey;
    boolean checked = key != null;
    String problem = null;
    if (checked) {
      try {
        request.verifySignedBy(key, payload.kind() == RequestKind.CREATE ? "the request key it carries"
            : "the VCM's current k_tenant_req");
      } catch (RequestException e) {
        problem = e.getMessage();
      }
    }
    boolean signatureValid = checked && problem == null;
    if (problem == null) {
      try {
        new RequestVerifier().checkValidity(payload, moduleNow, clock);
      } catch (RequestException e) {
        problem = e.getMessage();
      }
    }
    return new Inspection(payload, signatureValid, request.signer(), request.digest(), problem,
        checked, moduleNow, clock);
  }
}
