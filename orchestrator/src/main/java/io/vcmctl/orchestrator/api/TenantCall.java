package io.vcmctl.orchestrator.api;

import io.vcmctl.vcm.request.PublicKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How a tenant signs an HTTP call with its sshadmin key (see docs/api.md): the signature
 * covers the method, the path, a timestamp, a nonce and the body's digest, so a call can be
 * neither altered, replayed, nor moved to another VCM.
 */
public final class TenantCall {

  public static final String KEY = "X-Vcm-Tenant-Key";
  public static final String TIMESTAMP = "X-Vcm-Timestamp";
  public static final String NONCE = "X-Vcm-Nonce";
  public static final String SIGNATURE = "X-Vcm-Signature";

  private static final SecureRandom RANDOM = new SecureRandom();

  private TenantCall() {}

  /** The exact bytes a tenant signs. */
  public static byte[] canonical(String method, String path, String timestamp, String nonce, byte[] body) {
    String text = "vcmctl-tenant-call/1\n" + method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n"
        + PublicKeys.sha256Hex(body);
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The four headers for a call, signed now with the tenant's sshadmin key pair. */
  public static Map<String, String> sign(KeyPair sshadmin, String method, String path, byte[] body, Instant now) {
    return sign(PublicKeys.encode(sshadmin.getPublic()), data -> PublicKeys.sign(sshadmin.getPrivate(), data), method,
        path, body, now);
  }

  /**
   * The same, signed by {@code signer} with the private half of {@code publicKey} (base64
   * SubjectPublicKeyInfo), for a caller that holds its key in another provider.
   */
  public static Map<String, String> sign(String publicKey, UnaryOperator<byte[]> signer, String method, String path,
      byte[] body, Instant now) {
    byte[] n = new byte[16];
    RANDOM.nextBytes(n);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(n);
    String timestamp = now.toString();
    byte[] signature = signer.apply(canonical(method, path, timestamp, nonce, body));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(KEY, publicKey);
    headers.put(TIMESTAMP, timestamp);
    headers.put(NONCE, nonce);
    headers.put(SIGNATURE, Base64.getEncoder().encodeToString(signature));
    return headers;
  }
}
