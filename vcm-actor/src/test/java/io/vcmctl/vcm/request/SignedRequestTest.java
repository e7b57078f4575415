package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.createRequest;
import static io.vcmctl.vcm.request.Fixtures.propertiesRequest;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static io.vcmctl.vcm.request.Fixtures.signedJson;
import static io.vcmctl.vcm.request.Fixtures.startRequest;
import static io.vcmctl.vcm.request.Fixtures.text;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.request.RequestException.Problem;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SignedRequestTest {

  private static String startJson() throws RequestException {
    return text(startRequest().payload());
  }

  @Test
  void fileIsTheDocumentedEnvelopeAndReadsBackEqual() throws Exception {
    for (SignedRequest request : List.of(createRequest(), startRequest(), propertiesRequest())) {
      byte[] file = request.toFileBytes();

      assertTrue(text(file).matches("\\{\"format\":\"vcmctl-request/1\","
          + "\"signer\":\"SHA256:[A-Za-z0-9+/]{43}\","
          + "\"payload\":\"[A-Za-z0-9+/]+=*\",\"signature\":\"[A-Za-z0-9+/]+=*\"}\n"), text(file));
      SignedRequest read = SignedRequest.parse(file);
      assertEquals(request, read);
      assertEquals(request.hashCode(), read.hashCode());
      assertEquals(request.parsePayload(), read.parsePayload());
    }
  }

  @Test
  void signerIsTheFingerprintOfTheSigningKeyAndDigestCoversThePayloadBytes() throws Exception {
    SignedRequest request = startRequest();

    assertEquals(PublicKeys.fingerprint(TENANT.getPublic()), request.signer());
    assertEquals(PublicKeys.sha256Hex(request.payload()), request.digest());
    String payloadField = text(request.toFileBytes()).split("\"payload\":\"")[1].split("\"")[0];
    assertArrayEquals(request.payload(), Base64.getDecoder().decode(payloadField));
  }

  @Test
  void equalityFollowsArrayContentsAndAccessorsReturnCopies() throws Exception {
    SignedRequest request = startRequest();
    SignedRequest copy = new SignedRequest(request.payload(), request.signature(), request.signer());
    byte[] changed = request.signature();
    changed[0] ^= 1;

    assertEquals(request, copy);
    assertNotEquals(request, new SignedRequest(request.payload(), changed, request.signer()));
    request.payload()[0] = 'x';
    assertEquals(copy, request);
    assertContains(request.digest(), request.toString());
  }

  @Test
  void refusesAnEmptyFile() {
    assertContains("request file is empty",
        refused(Problem.EMPTY, () -> SignedRequest.parse(new byte[0])));
    refused(Problem.EMPTY, () -> SignedRequest.parse(utf8(" \n\t")));
  }

  @Test
  void refusesAFileOverTheSizeLimitBeforeParsingIt() {
    byte[] oversized = new byte[65537];
    Arrays.fill(oversized, (byte) '{');

    assertEquals("request file is 65537 bytes; the limit is 65536",
        refused(Problem.OVERSIZED, () -> SignedRequest.parse(oversized)));
  }

  @Test
  void refusesAFileCutInHalf() throws Exception {
    byte[] file = createRequest().toFileBytes();

    String message = refused(Problem.TRUNCATED,
        () -> SignedRequest.parse(Arrays.copyOf(file, file.length / 2)));
    assertContains("request file ends early", message);
  }

  @Test
  void refusesAFileCutAnywhere() throws Exception {
    byte[] file = propertiesRequest().toFileBytes();
    // Every cut that leaves the JSON unterminated; the last two bytes are '}' and '\n'.
    for (int length = 1; length < file.length - 2; length++) {
      byte[] cut = Arrays.copyOf(file, length);
      refused(Problem.TRUNCATED, () -> SignedRequest.parse(cut));
    }
  }

  @Test
  void refusesGarbage() {
    byte[] garbage = new byte[300];
    new Random(42).nextBytes(garbage);
    garbage[0] = 'G';

    assertContains("request file is not valid JSON",
        refused(Problem.MALFORMED_JSON, () -> SignedRequest.parse(garbage)));
    refused(Problem.MALFORMED_JSON, () -> SignedRequest.parse(utf8("hello world")));
    refused(Problem.MALFORMED_JSON, () -> SignedRequest.parse(utf8("{\"format\":\"x\"} trailing")));
  }

  @Test
  void refusesJsonThatIsNotARequestEnvelope() throws Exception {
    String file = text(startRequest().toFileBytes());

    for (String notAnEnvelope : List.of(
        "[1,2,3]",
        "\"just a string\"",
        "{\"hello\":\"world\"}",
        file.replace("vcmctl-request/1", "something-else"),
        file.replace("\"signer\":", "\"signed_by\":"),
        file.replace("{\"format\"", "{\"extra\":1,\"format\""),
        file.replaceFirst("\"payload\":\"[^\"]*\"", "\"payload\":42"),
        file.replaceFirst("\"signature\":\"[^\"]*\"", "\"signature\":\"\""),
        file.replaceFirst("\"signature\":\"[^\"]*\"", "\"signature\":\"not*base64\""),
        file.replaceFirst("\"signer\":\"[^\"]*\"", "\"signer\":\"alice\""))) {
      String message = refused(Problem.NOT_AN_ENVELOPE, () -> SignedRequest.parse(utf8(notAnEnvelope)));
      assertContains("request file is not a vcmctl-request/1 file", message);
    }
  }

  @Test
  void refusesANewerEnvelopeFormat() throws Exception {
    String file = text(startRequest().toFileBytes()).replace("vcmctl-request/1", "vcmctl-request/2");

    assertContains("format 'vcmctl-request/2' is not supported",
        refused(Problem.UNSUPPORTED_VERSION, () -> SignedRequest.parse(utf8(file))));
  }

  @Test
  void refusesABase64FieldThatWasCutShort() throws Exception {
    String file = text(startRequest().toFileBytes());
    String cut = file.replaceFirst("(\"payload\":\"[^\"]*)[A-Za-z0-9+/]=*\"", "$1\"");

    assertContains("payload ends early",
        refused(Problem.TRUNCATED, () -> SignedRequest.parse(utf8(cut))));
  }

  @Test
  void refusesAPayloadThatIsNotJson() {
    assertContains("request payload is not valid JSON",
        refused(Problem.MALFORMED_PAYLOAD, () -> signedJson("kind=start").parsePayload()));
    refused(Problem.MALFORMED_PAYLOAD, () -> signedJson("[\"start\"]").parsePayload());
  }

  @Test
  void refusesAPayloadThatWasCutShort() throws Exception {
    String json = startJson();

    assertContains("request payload ends early", refused(Problem.TRUNCATED,
        () -> signedJson(json.substring(0, json.length() / 2)).parsePayload()));
  }

  @Test
  void refusesAPayloadCutAnywhere() throws Exception {
    String json = text(createRequest().payload());
    for (int length = 1; length < json.length(); length++) {
      String cut = json.substring(0, length);
      refused(Problem.TRUNCATED, () -> signedJson(cut).parsePayload());
    }
  }

  @Test
  void refusesANewerPayloadVersion() throws Exception {
    String start = startJson().replace("\"version\":1", "\"version\":2");
    String json = start.substring(0, start.length() - 1) + ",\"new\":0}";

    assertContains("request payload version 2 is not supported",
        refused(Problem.UNSUPPORTED_VERSION, () -> signedJson(json).parsePayload()));
  }

  @Test
  void refusesAPayloadWithAMissingField() throws Exception {
    String json = startJson().replaceFirst(",\"nonce\":\"[^\"]*\"", "");

    assertContains("request payload has no nonce field",
        refused(Problem.MISSING_FIELD, () -> signedJson(json).parsePayload()));
    refused(Problem.MISSING_FIELD,
        () -> signedJson(startJson().replaceFirst("\"vcm\":\"[^\"]*\"", "\"vcm\":null")).parsePayload());
  }

  @Test
  void refusesAPayloadWithAnUnknownField() throws Exception {
    String json = startJson().replace("{\"version\":1", "{\"version\":1,\"admin\":true");

    assertContains("unknown field 'admin'",
        refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json).parsePayload()));
  }

  @Test
  void refusesAPayloadOfAnUnknownKind() throws Exception {
    String json = startJson().replace("\"kind\":\"start\"", "\"kind\":\"delete\"");

    assertContains("unknown request kind 'delete'",
        refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json).parsePayload()));
  }

  @Test
  void refusesAPayloadWithDuplicateFields() throws Exception {
    String json = startJson().replace("{\"version\":1", "{\"version\":1,\"kind\":\"create\"");

    refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json).parsePayload());
  }

  @Test
  void refusesAPayloadWhoseFieldsDoNotFitItsKind() throws Exception {
    String json = startJson();

    refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json.replace("\"kind\":\"start\"",
        "\"kind\":\"create\"")).parsePayload());
    refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json.replaceFirst("\"vcm\":\"[^\"]*\"",
        "\"vcm\":\"not-a-uuid\"")).parsePayload());
    refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json.replace("2025-03-01T13:00:00Z",
        "tomorrow")).parsePayload());
    refused(Problem.MALFORMED_PAYLOAD, () -> signedJson(json.replace("2025-03-01T13:00:00Z",
        "2025-03-01T11:00:00Z")).parsePayload());
    refused(Problem.BAD_VALUE, () -> signedJson(json.replace("\"properties\":{}",
        "\"properties\":{\"autostart\":\"true\"}")).parsePayload());
  }
}
