package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.request.Fixtures.HOUR;
import static io.vcmctl.vcm.request.Fixtures.SSHADMIN;
import static io.vcmctl.vcm.request.Fixtures.T0;
import static io.vcmctl.vcm.request.Fixtures.TENANT;
import static io.vcmctl.vcm.request.Fixtures.VCM;
import static io.vcmctl.vcm.request.Fixtures.assertContains;
import static io.vcmctl.vcm.request.Fixtures.createPayload;
import static io.vcmctl.vcm.request.Fixtures.props;
import static io.vcmctl.vcm.request.Fixtures.refused;
import static io.vcmctl.vcm.request.Fixtures.text;
import static io.vcmctl.vcm.request.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.IpAddresses;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestPayloadTest {

  private static RequestPayload propertiesPayload(String... namesAndValues) throws RequestException {
    return RequestPayload.properties(VCM, props(namesAndValues), T0, HOUR);
  }

  @Test
  void capitalisedBooleansAreAcceptedAndWrittenInLowerCase() throws Exception {
    RequestPayload payload = propertiesPayload("autostart", "True", "serial_cardreader", "False");

    assertEquals(Map.of("autostart", "true", "serial_cardreader", "false"), payload.properties());
  }

  @Test
  void propertyNamesWithDashesAreAcceptedAndKeptWithUnderscores() throws Exception {
    RequestPayload payload = propertiesPayload("restrict-startup", "true", "ip-address", "192.0.2.7");

    assertEquals(List.of("restrict_startup", "ip_address"), List.copyOf(payload.properties().keySet()));
    assertTrue(payload.names(VcmProperty.RESTRICT_STARTUP));
    assertEquals(Optional.of("192.0.2.7"), payload.requested(VcmProperty.IP_ADDRESS));
    assertFalse(payload.names(VcmProperty.AUTOSTART));
    assertEquals(Optional.empty(), payload.requested(VcmProperty.AUTOSTART));
  }

  @Test
  void refusesUnknownPropertyAndListsTheKnownOnes() {
    String message = refused(Problem.UNKNOWN_PROPERTY, () -> propertiesPayload("foo", "1"));

    assertEquals("unknown property 'foo'; known: autostart, restrict_startup, serial_cardreader,"
        + " features, name, ip_address, k_tenant_req", message);
  }

  @Test
  void refusesYesAsABoolean() {
    assertEquals("autostart must be true or false, not 'yes'",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("autostart", "yes")));
    refused(Problem.BAD_VALUE, () -> propertiesPayload("restrict_startup", "TRUE"));
  }

  @Test
  void refusesTheSamePropertyNamedTwice() {
    assertContains("restrict_startup is named twice", refused(Problem.BAD_VALUE,
        () -> propertiesPayload("restrict_startup", "true", "restrict-startup", "true")));
  }

  @Test
  void messagesEscapeControlCharactersFromTheRequest() {
    String message = refused(Problem.UNKNOWN_PROPERTY, () -> propertiesPayload("\u001b[2Jx", "1"));

    assertContains("'\\u001b[2Jx'", message);
    assertFalse(message.contains("\u001b"));
  }

  @Test
  void featuresAreSortedAndDeduplicated() throws Exception {
    assertEquals(Optional.of("KeySafe|codesafe|see-v2"),
        propertiesPayload("features", "see-v2|codesafe|KeySafe|codesafe")
            .requested(VcmProperty.FEATURES));
  }

  @Test
  void refusesMalformedFeatureLists() {
    assertContains("it has an empty name",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("features", "a||b")));
    assertContains("it has an empty name",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("features", "")));
    assertContains("'a b' is not a feature name",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("features", "a b|c")));
  }

  @Test
  void nameMustBeOneToSixtyFourPrintableCharacters() throws Exception {
    String longest = "n".repeat(64);
    assertEquals(Optional.of(longest), propertiesPayload("name", longest).requested(VcmProperty.NAME));
    assertEquals(Optional.of("Zahlungen – Süd"),
        propertiesPayload("name", "Zahlungen – Süd").requested(VcmProperty.NAME));

    assertContains("the limit is 64",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("name", "n".repeat(65))));
    assertContains("must not be empty", refused(Problem.BAD_VALUE, () -> propertiesPayload("name", "")));
    assertContains("cannot be printed",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("name", "bell\u0007")));
    assertContains("cannot be printed",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("name", "evil\u202ename")));
  }

  @Test
  void ipAddressMustBeALiteralIpv4OrIpv6Address() throws Exception {
    for (String good : List.of("192.0.2.10", "0.0.0.0", "255.255.255.255", "::1", "::",
        "2001:db8::7", "2001:DB8:0:0:0:0:0:7", "fe80::1:2", "::ffff:192.0.2.1", "1:2:3:4:5:6:7::")) {
      assertEquals(Optional.of(IpAddresses.canonical(good)), propertiesPayload("ip_address", good)
          .requested(VcmProperty.IP_ADDRESS), good);
    }
    assertEquals(Optional.of("2001:db8::7"), propertiesPayload("ip_address", "2001:DB8:0:0:0:0:0:7")
        .requested(VcmProperty.IP_ADDRESS), "one spelling per address, so R7 compares addresses");
    for (String bad : List.of("localhost", "example.com", "256.1.1.1", "010.0.0.1", "1.2.3",
        "1.2.3.4.5", "1.2.3.4 ", "", "1::2::3", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "12345::", "fe80::1%eth0", "::1.2.3.4:5", "[::1]", "١٩٢.0.2.1")) {
      assertContains("is not an IPv4 or IPv6 address",
          refused(Problem.BAD_VALUE, () -> propertiesPayload("ip_address", bad)));
    }
  }

  @Test
  void kTenantReqMustBeAPublicKeyAndIsKeptCanonical() throws Exception {
    String key = PublicKeys.encode(Fixtures.STRANGER.getPublic());
    assertEquals(Optional.of(key),
        propertiesPayload("k-tenant-req", " " + key + "\n").requested(VcmProperty.K_TENANT_REQ));

    assertContains("k_tenant_req: public key 'AAAA' is not",
        refused(Problem.BAD_KEY, () -> propertiesPayload("k_tenant_req", "AAAA")));
  }

  @Test
  void createRequestCannotAskForIpAddressOrKTenantReq() {
    assertEquals("a create request cannot ask for ip_address; it may name autostart,"
        + " restrict_startup, serial_cardreader, features, name",
        refused(Problem.BAD_VALUE, () -> createPayload(props("ip_address", "192.0.2.1"))));
    refused(Problem.BAD_VALUE, () -> createPayload(
        props("k_tenant_req", PublicKeys.encode(TENANT.getPublic()))));
  }

  @Test
  void refusesValuesLongerThan4096Characters() {
    assertContains("is 4097 characters long; the limit is 4096",
        refused(Problem.BAD_VALUE, () -> propertiesPayload("features", "a".repeat(4097))));
  }

  @Test
  void propertiesRequestMustNameAProperty() {
    assertContains("at least one property",
        refused(Problem.BAD_VALUE, () -> RequestPayload.properties(VCM, Map.of(), T0, HOUR)));
  }

  @Test
  void createRequestMustCarryUsableKeys() {
    assertContains("sshadmin_key:", refused(Problem.BAD_KEY, () -> RequestPayload.create("junk",
        PublicKeys.encode(TENANT.getPublic()), Map.of(), T0, HOUR)));
    assertContains("request_key:", refused(Problem.BAD_KEY, () -> RequestPayload.create(
        PublicKeys.encode(SSHADMIN.getPublic()), null, Map.of(), T0, HOUR)));
  }

  @Test
  void validityMustBePositive() {
    refused(Problem.BAD_VALUE, () -> RequestPayload.start(VCM, T0, Duration.ZERO));
    refused(Problem.BAD_VALUE, () -> RequestPayload.start(VCM, T0, Duration.ofSeconds(-1)));
  }

  @Test
  void jsonHasTheDocumentedFieldsInAFixedOrder() throws Exception {
    RequestPayload payload = propertiesPayload("name", "x", "autostart", "True");

    String json = text(payload.toJsonBytes());

    assertEquals("{\"version\":1,\"kind\":\"properties\",\"vcm\":\"" + VCM + "\","
        + "\"sshadmin_key\":null,\"request_key\":null,"
        + "\"properties\":{\"name\":\"x\",\"autostart\":\"true\"},"
        + "\"issued_at\":\"2025-03-01T12:00:00Z\",\"expires_at\":\"2025-03-01T13:00:00Z\","
        + "\"nonce\":\"" + payload.nonce() + "\"}", json);
  }

  @Test
  void everyKindReadsBackToAnEqualPayloadAndTheSameBytes() throws Exception {
    for (RequestPayload payload : List.of(createPayload(props("features", "b|a")),
        RequestPayload.start(VCM, T0, HOUR), propertiesPayload("autostart", "false"))) {
      byte[] json = payload.toJsonBytes();
      RequestPayload read = RequestPayload.parse(json);
      assertEquals(payload, read);
      assertArrayEquals(json, read.toJsonBytes());
    }
  }

  @Test
  void createPayloadNamesNoVcmAndCarriesBothKeys() throws Exception {
    RequestPayload payload = createPayload(props());

    assertEquals(RequestKind.CREATE, payload.kind());
    assertNull(payload.vcm());
    assertEquals(PublicKeys.encode(SSHADMIN.getPublic()), payload.sshadminKey());
    assertEquals(PublicKeys.encode(TENANT.getPublic()), payload.requestKey());
    assertEquals(T0.plus(HOUR), payload.expiresAt());
  }

  @Test
  void everyPayloadHasItsOwnSixteenByteNonce() throws Exception {
    RequestPayload one = RequestPayload.start(VCM, T0, HOUR);
    RequestPayload two = RequestPayload.start(VCM, T0, HOUR);

    assertNotEquals(one.nonce(), two.nonce());
    assertTrue(one.nonce().matches("[A-Za-z0-9_-]{22}"), one.nonce());
  }

  @Test
  void payloadFilesMayUseJsonBooleansForBooleanProperties() throws Exception {
    String json = text(propertiesPayload("autostart", "false").toJsonBytes())
        .replace("\"autostart\":\"false\"", "\"autostart\":true");

    assertEquals(Optional.of("true"),
        RequestPayload.parse(utf8(json)).requested(VcmProperty.AUTOSTART));
    String notBoolean = json.replace("\"autostart\":true", "\"name\":true");
    assertContains("name must be a string",
        refused(Problem.BAD_VALUE, () -> RequestPayload.parse(utf8(notBoolean))));
  }

  @Test
  void parsingAppliesThePropertyRules() throws Exception {
    String json = text(propertiesPayload("autostart", "false").toJsonBytes());

    refused(Problem.BAD_VALUE, () -> RequestPayload.parse(
        utf8(json.replace("\"autostart\":\"false\"", "\"autostart\":\"yes\""))));
    refused(Problem.UNKNOWN_PROPERTY, () -> RequestPayload.parse(
        utf8(json.replace("\"autostart\":\"false\"", "\"colour\":\"blue\""))));
  }
}
