package io.vcmctl.vcm.request;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What a tenant or an attacker can hand the product as a file: request files and key files.
 * Every input is accepted or refused with a {@link RequestException} of one line; anything else
 * thrown is a finding. Under {@code mvn test} the committed inputs are replayed; with
 * {@code JAZZER_FUZZ=1} Jazzer generates new ones (docs/reliability.md).
 */
class RequestParsersFuzzTest {

  private static final RequestVerifier VERIFIER = new RequestVerifier();
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  @FuzzTest
  void requestFiles(byte[] file) {
    try {
      SignedRequest request = SignedRequest.parse(file);
      request.parsePayload();
      VERIFIER.verifyCreate(request, NOW);
    } catch (RequestException e) {
      assertOneLine(e.getMessage());
    }
  }

  @FuzzTest
  void encodedPublicKeys(String text) {
    try {
      PublicKeys.decode(text);
    } catch (RequestException e) {
      assertOneLine(e.getMessage());
    }
  }

  @FuzzTest
  void keyFiles(byte[] content) throws IOException {
    Path file = Files.createTempFile("fuzz", ".key");
    try {
      Files.write(file, content);
      try {
        KeyFiles.readPublic(file);
      } catch (RequestException e) {
        assertOneLine(e.getMessage());
      }
      try {
        KeyFiles.readPrivate(file);
      } catch (RequestException e) {
        assertOneLine(e.getMessage());
      }
    } finally {
      Files.delete(file);
    }
  }

  static void assertOneLine(String message) {
    assertFalse(message == null || message.isBlank() || message.contains("\n") || message.contains("\r"),
        () -> "a refusal is one line: " + message);
  }
}
