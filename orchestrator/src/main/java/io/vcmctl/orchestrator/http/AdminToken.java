package io.vcmctl.orchestrator.http;

import io.vcmctl.persistence.DataDirectory;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
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

  /**
   * The token that every node of a cluster shares: the one in {@code file}, or a new one written
   * there (owner-only) when there is none. Two nodes starting at once agree: the file is created
   * exclusively, and the one that loses reads the winner's.
   *
   * @throws IllegalStateException one line when the file cannot be read or written, or does not hold a token
   */
  public static AdminToken shared(Path file) {
    for (int attempt = 0; attempt < 2; attempt++) {
      if (Files.exists(file)) {
        byte[] content;
        try {
          content = Files.readAllBytes(file);
        } catch (IOException e) {
          throw new IllegalStateException("cannot read the admin token file " + file + ": " + e.getMessage(), e);
        }
        String text = new String(content, StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-f]{64}")) {
          throw new IllegalStateException(file + " does not hold an admin token (64 hex digits); remove it and a"
              + " node writes a new one at start");
        }
        return new AdminToken(text.getBytes(StandardCharsets.US_ASCII));
      }
      AdminToken fresh = generate();
      try {
        DataDirectory.writeOwnerOnly(file, fresh.token.clone(), false);
        return fresh;
      } catch (FileAlreadyExistsException e) {
        // Another node wrote it first: read theirs.
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the admin token file " + file + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalStateException("cannot read the admin token file " + file);
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
