package io.vcmctl.orchestrator.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Operator tokens: 256 random bits as 64 hex digits. Being random, they need no slow hash;
 * a per-operator salt keeps two stores' hashes of one token apart.
 */
public final class Tokens {

  private static final Pattern SHAPE = Pattern.compile("[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  public static String generate() {
    return HexFormat.of().formatHex(random(32));
  }

  static byte[] salt() {
    return random(16);
  }

  /** Whether a text has a token's shape (this says nothing about which token it is). */
  public static boolean wellFormed(String token) {
    return token != null && SHAPE.matcher(token).matches();
  }

  static byte[] hash(byte[] salt, String token) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      return sha.digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Constant time in the hash: {@link MessageDigest#isEqual} looks at every byte. */
  static boolean matches(Operator operator, String token) {
    return MessageDigest.isEqual(operator.hash(), hash(operator.salt(), token));
  }

  private static byte[] random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b;
  }
}
