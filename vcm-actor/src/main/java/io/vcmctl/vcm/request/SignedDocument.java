package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.SafeText.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A signed file of the product: tenant requests, licences and tenant configuration files
 * share one envelope, {@code {"format":"<kind>/<version>","signer":"SHA256:...",
 * "payload":"<base64>","signature":"<base64>"}}. The payload is kept as the exact bytes that
 * were signed; nothing in it is trusted before {@link #verify} passes.
 *
 * @param format the envelope's format, e.g. {@code vcmctl-licence/1}
 * @param signer fingerprint of the signing key; only a hint, used to tell "signed by the wrong
 *     key" from "altered after signing"
 */
public record SignedDocument(String format, byte[] payload, byte[] signature, String signer) {

  public static final int MAX_FILE_BYTES = 64 * 1024;

  private static final List<String> FIELDS = List.of("format", "signer", "payload", "signature");
  private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");
  private static final Pattern BASE64_ALPHABET = Pattern.compile("[A-Za-z0-9+/]*");

  public SignedDocument {
    Objects.requireNonNull(format, "format");
    payload = payload.clone();
    signature = signature.clone();
    Objects.requireNonNull(signer, "signer");
  }

  public static SignedDocument sign(String format, byte[] payload, KeyPair keys) {
    return new SignedDocument(format, payload, PublicKeys.sign(keys.getPrivate(), payload),
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

  /** SHA-256 hex of the payload bytes. */
  public String digest() {
    return PublicKeys.sha256Hex(payload);
  }

  /**
   * Checks that {@code expected} signed exactly these payload bytes: WRONG_KEY when the signer
   * hint names another key (no point verifying), else BAD_SIGNATURE when the signature does
   * not verify: the hint matched, so the bytes were changed.
   *
   * @param whose names the expected key in messages ("the trusted vendor key")
   * @param what names the document ("request", "licence")
   * @param sender who can fix it ("the tenant", "the vendor")
   */
  public void verify(PublicKey expected, String whose, String what, String sender) throws RequestException {
    String expectedFingerprint = PublicKeys.fingerprint(expected);
    if (!expectedFingerprint.equals(signer)) {
      throw new RequestException(Problem.WRONG_KEY, what + " is signed by " + signer + ", not by "
          + whose + " " + expectedFingerprint + "; ask " + sender + " to sign it with that key");
    }
    if (!PublicKeys.verify(expected, payload, signature)) {
      throw new RequestException(Problem.BAD_SIGNATURE, "signature does not verify: the " + what
          + " was altered after signing; ask " + sender + " to send it again");
    }
  }

  /** One line of compact JSON and a newline. */
  public byte[] toFileBytes() {
    ObjectNode root = Json.object();
    root.put("format", format);
    root.put("signer", signer);
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    root.put("signature", Base64.getEncoder().encodeToString(signature));
    byte[] json = Json.bytes(root);
    byte[] file = Arrays.copyOf(json, json.length + 1);
    file[json.length] = '\n';
    return file;
  }

  /**
   * Reads a signed file of the given format; each way a file can be unusable has its own
   * {@link Problem}.
   *
   * @param what names the file in messages ("request file", "licence file")
   * @param maker what makes such files, for the fix in messages
   */
  public static SignedDocument parse(byte[] fileBytes, String format, String what, String maker)
      throws RequestException {
    if (fileBytes == null || fileBytes.length == 0) {
      throw new RequestException(Problem.EMPTY, what + " is empty (0 bytes); send the file again");
    }
    // Checked before parsing, so an oversized file costs nothing.
    if (fileBytes.length > MAX_FILE_BYTES) {
      throw new RequestException(Problem.OVERSIZED, what + " is " + fileBytes.length
          + " bytes; the limit is " + MAX_FILE_BYTES);
    }
    if (new String(fileBytes, StandardCharsets.ISO_8859_1).isBlank()) {
      throw new RequestException(Problem.EMPTY, what + " holds only white space; send the file again");
    }
    JsonNode root = Json.parse(fileBytes, Problem.MALFORMED_JSON, what);
    if (!root.isObject()) {
      throw notAnEnvelope(what, format, maker, "it is JSON " + root.getNodeType() + ", not an object");
    }
    String actual = text(root, "format", what, format, maker);
    if (!format.equals(actual)) {
      String family = format.substring(0, format.lastIndexOf('/') + 1);
      if (actual.startsWith(family)) {
        throw new RequestException(Problem.UNSUPPORTED_VERSION, what + " format " + quote(actual)
            + " is not supported (this orchestrator reads " + format + "); make it again with a matching " + maker);
      }
      throw notAnEnvelope(what, format, maker, "its format is " + quote(actual) + ", not " + format);
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw notAnEnvelope(what, format, maker, "it has an unknown field " + quote(name));
      }
    }
    String signer = text(root, "signer", what, format, maker);
    if (!FINGERPRINT.matcher(signer).matches()) {
      throw notAnEnvelope(what, format, maker, "its signer " + quote(signer) + " is not a SHA256: key fingerprint");
    }
    return new SignedDocument(format, base64(root, "payload", what, format, maker),
        base64(root, "signature", what, format, maker), signer);
  }

  private static String text(JsonNode root, String field, String what, String format, String maker)
      throws RequestException {
    JsonNode node = root.get(field);
    if (node == null) {
      throw notAnEnvelope(what, format, maker, "it has no " + field + " field");
    }
    if (!node.isTextual()) {
      throw notAnEnvelope(what, format, maker, "its " + field + " is " + node.getNodeType() + ", not a string");
    }
    return node.textValue();
  }

  /**
   * Decodes a base64 field. Text of the right alphabet whose length is not a whole number of
   * base64 units was cut short; anything else is not base64 at all.
   */
  private static byte[] base64(JsonNode root, String field, String what, String format, String maker)
      throws RequestException {
    String text = text(root, field, what, format, maker);
    if (text.isEmpty()) {
      throw notAnEnvelope(what, format, maker, "its " + field + " is empty");
    }
    if (text.length() % 4 != 0) {
      if (BASE64_ALPHABET.matcher(text).matches()) {
        throw new RequestException(Problem.TRUNCATED, what + "'s " + field
            + " ends early (its base64 is cut short); copy the whole file again");
      }
      throw notAnEnvelope(what, format, maker, "its " + field + " is not base64");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw notAnEnvelope(what, format, maker, "its " + field + " is not base64 ("
          + io.vcmctl.vcm.SafeText.oneLine(e.getMessage()) + ")");
    }
  }

  private static RequestException notAnEnvelope(String what, String format, String maker, String why) {
    return new RequestException(Problem.NOT_AN_ENVELOPE, what + " is not a " + format + " file: " + why
        + "; it should be a file written by " + maker);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignedDocument that && format.equals(that.format)
        && Arrays.equals(payload, that.payload) && Arrays.equals(signature, that.signature)
        && signer.equals(that.signer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(format, Arrays.hashCode(payload), Arrays.hashCode(signature), signer);
  }

  @Override
  public String toString() {
    return "SignedDocument[" + format + ", signer=" + signer + ", payload=" + payload.length
        + " bytes sha256 " + digest() + "]";
  }
}
