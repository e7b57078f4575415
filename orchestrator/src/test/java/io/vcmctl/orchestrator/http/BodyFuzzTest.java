package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * HTTP JSON bodies as any client may send them: each is read or refused with a one-line
 * {@link ApiError} (a 400); anything else thrown would be a 500 and is a finding
 * (docs/reliability.md).
 */
class BodyFuzzTest {

  private static final List<String> FIELDS = List.of("request", "force", "module_time", "bytes", "name");

  @FuzzTest
  void jsonBodies(byte[] bytes) {
    try {
      Body body = Body.parse(bytes, FIELDS);
      body.text("name");
      body.bool("force");
      body.base64("request");
      if (body.has("bytes")) {
        body.requiredWhole("bytes");
      }
    } catch (ApiError e) {
      assertFalse(e.getMessage() == null || e.getMessage().contains("\n"), () -> "one line: " + e.getMessage());
    }
  }
}
