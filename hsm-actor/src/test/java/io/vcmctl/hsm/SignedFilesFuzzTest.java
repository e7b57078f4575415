package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vcmctl.vcm.request.RequestException;

/**
 * Licence files and tenant configuration files, as an attacker may write them: each is accepted
 * or refused with one line; anything else thrown is a finding (docs/reliability.md).
 */
class SignedFilesFuzzTest {

  @FuzzTest
  void licences(byte[] file) {
    try {
      Licence.verify(file, HsmFixture.VENDOR.getPublic(), "5E4D-03E0-D947");
    } catch (RequestException e) {
      assertOneLine(e.getMessage());
    }
  }

  @FuzzTest
  void tenantConfigurationFiles(byte[] file) {
    try {
      TenantConfig.read(file);
    } catch (RequestException e) {
      assertOneLine(e.getMessage());
    }
  }

  static void assertOneLine(String message) {
    assertFalse(message == null || message.isBlank() || message.contains("\n") || message.contains("\r"),
        () -> "a refusal is one line: " + message);
  }
}
