package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.RequestException.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A request file: the exact payload bytes, a signature over them, and a hint naming the
 * signing key. The payload is kept as bytes, not as an object, because the signature covers
 * the bytes; {@link #parsePayload()} parses them only when asked.
 *
 * <p>The file is JSON: {@code {"format":"vcmctl-request/1","signer":"SHA256:...",
 * "payload":"<base64>","signature":"<base64>"}}.
 *
 * @param payload the signed payload JSON, exactly as signed
 * @param signature Ed25519 (or DER ECDSA P-256) signature over {@code payload}
 * @param signer fingerprint of the signing public key; only a hint, used to tell a request
 *     signed by the wrong key from one altered after signing
 */
public record SignedRequest(byte[] payload, byte[] signature, String signer) {

  public static final String FORMAT = "vcmctl-request/1";
  public static final int MAX_FILE_BYTES = 64 * 1024;

  private static final String FORMAT_FAMILY = "vcmctl-request/";
  private static final List<String> FIELDS = List.of("format", "signer", "payload", "signature");
  private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");
  private static final Pattern BASE64_ALPHABET = Pattern.compile("[A-Za-z0-9+/]*");

  public SignedRequest {
    payload = payload.clone();
    signature = signature.clone();
    Objects.requireNonNull(signer, "signer");
  }

  /** Signs the payload's JSON bytes; the signer hint is the key pair's public key fingerprint. */
  public static SignedRequest sign(RequestPayload payload, KeyPair keys) {
    byte[] bytes = payload.toJsonBytes();
    return new SignedRequest(bytes, PublicKeys.sign(keys.getPrivate(), bytes),
        PublicKeys.fingerprint(keys.getPublic()));
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * Parses the payload bytes (a record cannot have both this and the byte accessor named
   * {@code payload}). Nothing in the result is to be trusted before the signature is verified.
   */
  public RequestPayload parsePayload() throws RequestException {
    return RequestPayload.parse(payload);
  }

  /** SHA-256 hex of the payload bytes: names this request in the journal and in replies. */
  public String digest() {
    return PublicKeys.sha256Hex(payload);
  }

  /** The request file: one line of compact JSON and a newline. */
  public byte[] toFileBytes() {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("signer", signer);
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    root.put("signature", Base64.getEncoder().encodeToString(signature));
    byte[] json = Json.bytes(root);
    byte[] file = Arrays.copyOf(json, json.length + 1);
    file[json.length] = '\n';
    return file;
  }

  /** Reads a request file; each way a file can be unusable has its own {@link Problem}. */
  public static SignedRequest parse(byte[] fileBytes) throws RequestException {
    if (fileBytes == null || fileBytes.length == 0) {
      throw new RequestException(Problem.EMPTY,
          "request file is empty (0 bytes); ask the tenant to send the request file again");
    }
    // Checked before parsing, so an oversized file costs nothing.
    if (fileBytes.length > MAX_FILE_BYTES) {
      throw new RequestException(Problem.OVERSIZED, "request file is " + fileBytes.length
          + " bytes; the limit is " + MAX_FILE_BYTES);
    }
    if (new String(fileBytes, StandardCharsets.ISO_8859_1).isBlank()) {
      throw new RequestException(Problem.EMPTY,
          "request file holds only white space; ask the tenant to send the request file again");
    }
    JsonNode root = Json.parse(fileBytes, Problem.MALFORMED_JSON, "request file");
    if (!root.isObject()) {
      throw notAnEnvelope("it is JSON " + root.getNodeType() + ", not an object");
    }
    String format = text(root, "format");
    if (!FORMAT.equals(format)) {
      if (format.startsWith(FORMAT_FAMILY)) {
        throw new RequestException(Problem.UNSUPPORTED_VERSION, "request file format "
            + quote(format) + " is not supported (this orchestrator reads " + FORMAT
            + "); ask the tenant for a request made by a matching hsmadmin");
      }
      throw notAnEnvelope("its format is " + quote(format) + ", not " + FORMAT);
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw notAnEnvelope("it has an unknown field " + quote(name));
      }
    }
    String signer = text(root, "signer");
    if (!FINGERPRINT.matcher(signer).matches()) {
      throw notAnEnvelope("its signer " + quote(signer) + " is not a SHA256: key fingerprint");
    }
    return new SignedRequest(base64(root, "payload"), base64(root, "signature"), signer);
  }

  private static String text(JsonNode root, String field) throws RequestException {
    JsonNode node = root.get(field);
    if (node == null) {
      throw notAnEnvelope("it has no " + field + " field");
    }
    if (!node.isTextual()) {
      throw notAnEnvelope("its " + field + " is " + node.getNodeType() + ", not a string");
    }
    return node.textValue();
  }

  /**
   * Decodes a base64 field. Text of the right alphabet whose length is not a whole number of
   * base64 units was cut short; anything else is not base64 at all.
   */
  private static byte[] base64(JsonNode root, String field) throws RequestException {
    String text = text(root, field);
    if (text.isEmpty()) {
      throw notAnEnvelope("its " + field + " is empty");
    }
    if (text.length() % 4 != 0) {
      if (BASE64_ALPHABET.matcher(text).matches()) {
        throw new RequestException(Problem.TRUNCATED, "request file's " + field
            + " ends early (its base64 is cut short); copy the whole file again");
      }
      throw notAnEnvelope("its " + field + " is not base64");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw notAnEnvelope(
          "its " + field + " is not base64 (" + RequestException.oneLine(e.getMessage()) + ")");
    }
  }

  private static RequestException notAnEnvelope(String why) {
    return new RequestException(Problem.NOT_AN_ENVELOPE, "request file is not a " + FORMAT
        + " request: " + why + "; it should be a file written by hsmadmin vcm");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignedRequest that && Arrays.equals(payload, that.payload)
        && Arrays.equals(signature, that.signature) && signer.equals(that.signer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(payload), Arrays.hashCode(signature), signer);
  }

  @Override
  public String toString() {
    return "SignedRequest[signer=" + signer + ", payload=" + payload.length
        + " bytes sha256 " + digest() + ", signature=" + Base64.getEncoder().encodeToString(signature)
        + "]";
  }
}
