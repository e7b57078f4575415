package io.vcmctl.vcm.request;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

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
  public static final int MAX_FILE_BYTES = SignedDocument.MAX_FILE_BYTES;

  public SignedRequest {
    payload = payload.clone();
    signature = signature.clone();
    Objects.requireNonNull(signer, "signer");
  }

  /** Signs the payload's JSON bytes; the signer hint is the key pair's public key fingerprint. */
  public static SignedRequest sign(RequestPayload payload, KeyPair keys) {
    return of(SignedDocument.sign(FORMAT, payload.toJsonBytes(), keys));
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
    return document().toFileBytes();
  }

  /** Reads a request file; each way a file can be unusable has its own {@link Problem}. */
  public static SignedRequest parse(byte[] fileBytes) throws RequestException {
    return of(SignedDocument.parse(fileBytes, FORMAT, "request file", "hsmadmin vcm"));
  }

  /** Checks that {@code key} signed this request; {@code whose} names the key in messages. */
  void verifySignedBy(PublicKey key, String whose) throws RequestException {
    document().verify(key, whose, "request", "the tenant");
  }

  private SignedDocument document() {
    return new SignedDocument(FORMAT, payload, signature, signer);
  }

  private static SignedRequest of(SignedDocument document) {
    return new SignedRequest(document.payload(), document.signature(), document.signer());
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
