package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.TestTenant;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The replay windows and the checks of a signed tenant call, on a clock the test moves. */
class TenantAuthTest {

  private static final String PATH = "/v1/tenant/vcms/123e4567-e89b-12d3-a456-426614174000/enroll";
  private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

  private final MovableClock clock = new MovableClock(Instant.parse("2030-01-31T12:00:00Z"));
  private final TenantAuth auth = new TenantAuth(Duration.ofMinutes(5), 2, clock);
  private final TestTenant tenant = new TestTenant();

  @Test
  void noncesAreRememberedUntilTheirCallIsStaleAndNeverBeyondTheBound() {
    Map<String, String> first = sign(clock.instant());
    assertEquals(tenant.principal(), accept("POST", first));
    refused(ApiError.REPLAYED_CALL, 401, () -> accept("POST", first));
    accept("POST", sign(clock.instant()));
    Map<String, String> third = sign(clock.instant());
    refused("UNAVAILABLE", 503, () -> accept("POST", third));

    clock.now = clock.now.plus(Duration.ofMinutes(5)).plusSeconds(1);
    refused(ApiError.STALE_CALL, 401, () -> accept("POST", first));
    accept("POST", sign(clock.instant()));
    accept("POST", sign(clock.instant().minus(Duration.ofMinutes(4))));
  }

  @Test
  void oneKeyFillingItsWindowLeavesOtherKeysAlone() {
    accept("POST", sign(clock.instant()));
    accept("POST", sign(clock.instant()));
    refused("UNAVAILABLE", 503, () -> accept("POST", sign(clock.instant())));

    TestTenant other = new TestTenant();
    Map<String, String> headers = new HashMap<>(TenantCall.sign(other.sshadmin, "POST", PATH, BODY, clock.instant()));
    TenantAuth.Signed call = auth.verify("POST", PATH, name -> Optional.ofNullable(headers.get(name)), BODY);
    auth.accept(call);
    assertEquals(other.principal(), call.tenant());
    refused(ApiError.REPLAYED_CALL, 401, () -> auth.accept(call));
  }

  @Test
  void aCallSignedBeforeTheDaemonStartedIsRefusedAsAPossibleReplay() {
    Map<String, String> saved = sign(clock.instant());
    accept("POST", saved);
    clock.now = clock.now.plusSeconds(30);
    TenantAuth restarted = new TenantAuth(Duration.ofMinutes(5), 2, clock);
    ApiError e = assertThrows(ApiError.class,
        () -> restarted.verify("POST", PATH, name -> Optional.ofNullable(saved.get(name)), BODY));
    assertEquals(ApiError.REPLAYED_CALL, e.code(), e.getMessage());
    Map<String, String> fresh = sign(clock.instant());
    restarted.accept(restarted.verify("POST", PATH, name -> Optional.ofNullable(fresh.get(name)), BODY));
  }

  @Test
  void verifyingACallRemembersNothing() {
    Map<String, String> headers = sign(clock.instant());
    for (int i = 0; i < 10; i++) {
      verify("POST", sign(clock.instant()));
      verify("POST", headers);
    }
    // The bound of two is untouched, and the verified call was never spent.
    accept("POST", headers);
    accept("POST", sign(clock.instant()));
  }

  @Test
  void everyPartOfTheCallIsChecked() {
    refused(ApiError.BAD_SIGNATURE, 401, () -> verify("PUT", sign(clock.instant())));
    Map<String, String> nonce = sign(clock.instant());
    nonce.put(TenantCall.NONCE, "short");
    refused(ApiError.UNAUTHORIZED, 401, () -> verify("POST", nonce));
    Map<String, String> timestamp = sign(clock.instant());
    timestamp.put(TenantCall.TIMESTAMP, "noon");
    refused(ApiError.UNAUTHORIZED, 401, () -> verify("POST", timestamp));
    Map<String, String> signature = sign(clock.instant());
    signature.put(TenantCall.SIGNATURE, "%%%");
    refused(ApiError.BAD_SIGNATURE, 401, () -> verify("POST", signature));
    Map<String, String> missing = sign(clock.instant());
    missing.remove(TenantCall.NONCE);
    refused(ApiError.UNAUTHORIZED, 401, () -> verify("POST", missing));
    // None of these refusals spent a nonce.
    accept("POST", sign(clock.instant()));
    accept("POST", sign(clock.instant()));
  }

  private Map<String, String> sign(Instant at) {
    return new HashMap<>(TenantCall.sign(tenant.sshadmin, "POST", PATH, BODY, at));
  }

  private Principal verify(String method, Map<String, String> headers) {
    return auth.verify(method, PATH, name -> Optional.ofNullable(headers.get(name)), BODY).tenant();
  }

  private Principal accept(String method, Map<String, String> headers) {
    TenantAuth.Signed call = auth.verify(method, PATH, name -> Optional.ofNullable(headers.get(name)), BODY);
    auth.accept(call);
    return call.tenant();
  }

  private static void refused(String code, int status, Executable call) {
    ApiError e = assertThrows(ApiError.class, call);
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(status, e.status());
  }

  private static final class MovableClock extends Clock {
    Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
