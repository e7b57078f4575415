package io.vcmctl.orchestrator.http;

import io.vcmctl.persistence.DataDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The provider's bearer token: 256 random bits, new at every start, handed to the operator
 * only through an owner-only file. Never logged, never printed.
 */
public final class AdminToken {

  private static final String BEARER = "Bearer ";

  private final byte[] token;

  private AdminToken(byte[] token) {
    this.token = token;
  }

  public static AdminToken generate() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new AdminToken(HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes the token (64 hex digits, no newline) owner-only (0600), replacing an earlier one. */
  public void writeTo(Path file) {
    DataDirectory.writeOwnerOnly(file, token.clone());
  }

  /** Whether an {@code Authorization} header value carries this token; constant time in the token. */
  public boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    byte[] offered = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(token, offered);
  }

  @Override
  public String toString() {
    return "AdminToken[redacted]";
  }
}
