package io.vcmctl.orchestrator.http;

import com.typesafe.config.Config;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SafeText;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Authenticates a tenant's signed HTTP call ({@link TenantCall}): the signature by the key it
 * names, freshness against this host's clock, and a nonce never seen within the freshness
 * window. The nonces of fresh calls are all that has to be remembered: a call older than the
 * window is refused as stale anyway.
 */
public final class TenantAuth {

  // 16 random bytes, base64url without padding.
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final List<String> HEADERS =
      List.of(TenantCall.KEY, TenantCall.TIMESTAMP, TenantCall.NONCE, TenantCall.SIGNATURE);

  private final Duration maxAge;
  private final int maxNonces;
  private final Clock clock;

  private record Seen(String nonce, Instant forgetAt) {}

  private final Set<String> seen = new HashSet<>();
  private final PriorityQueue<Seen> byExpiry = new PriorityQueue<>(Comparator.comparing(Seen::forgetAt));

  public TenantAuth(Duration maxAge, int maxNonces, Clock clock) {
    this.maxAge = maxAge;
    this.maxNonces = maxNonces;
    this.clock = clock;
  }

  /** Settings from {@code vcmctl.orchestrator.tenant-auth}, on the system clock. */
  public static TenantAuth fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.orchestrator.tenant-auth");
    return new TenantAuth(c.getDuration("max-age"), c.getInt("max-nonces"), Clock.systemUTC());
  }

  /**
   * The tenant who signed this call.
   *
   * @param path the request path as sent, without the query
   * @throws ApiError 401 for a missing header, a bad key or signature, a stale or replayed call;
   *     503 when more fresh nonces are remembered than allowed
   */
  public Principal verify(String method, String path, Function<String, Optional<String>> header, byte[] body) {
    List<String> missing = new ArrayList<>();
    for (String name : HEADERS) {
      if (header.apply(name).filter(v -> !v.isBlank()).isEmpty()) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw ApiError.unauthorized(ApiError.UNAUTHORIZED, "a tenant call must be signed with the tenant's sshadmin key"
          + " (missing " + String.join(", ", missing) + "); use hsmadmin vcm");
    }
    String timestamp = header.apply(TenantCall.TIMESTAMP).orElseThrow().strip();
    String nonce = header.apply(TenantCall.NONCE).orElseThrow().strip();
    PublicKey key;
    try {
      key = PublicKeys.decode(header.apply(TenantCall.KEY).orElseThrow());
    } catch (RequestException e) {
      throw ApiError.unauthorized(ApiError.UNAUTHORIZED, TenantCall.KEY + ": " + e.getMessage());
    }
    Instant signedAt;
    try {
      signedAt = Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      throw ApiError.unauthorized(ApiError.UNAUTHORIZED, TenantCall.TIMESTAMP + " " + SafeText.quote(timestamp)
          + " is not an ISO-8601 instant such as 2030-01-31T12:00:00Z");
    }
    if (!NONCE.matcher(nonce).matches()) {
      throw ApiError.unauthorized(ApiError.UNAUTHORIZED, TenantCall.NONCE + " " + SafeText.quote(nonce)
          + " is not 16 random bytes in base64url without padding");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(header.apply(TenantCall.SIGNATURE).orElseThrow().strip());
    } catch (IllegalArgumentException e) {
      throw ApiError.unauthorized(ApiError.BAD_SIGNATURE, TenantCall.SIGNATURE + " is not base64");
    }
    if (!PublicKeys.verify(key, TenantCall.canonical(method, path, timestamp, nonce, body), signature)) {
      throw ApiError.unauthorized(ApiError.BAD_SIGNATURE, "the signature does not verify with " + TenantCall.KEY
          + " over this method, path, timestamp, nonce and body; sign the call as sent");
    }
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(maxAge) > 0) {
      throw ApiError.unauthorized(ApiError.STALE_CALL, "the call was signed at " + signedAt + ", more than "
          + Text.duration(maxAge) + " from this host's clock (" + now + "); check the tenant's clock and sign it again");
    }
    String fingerprint = PublicKeys.fingerprint(key);
    remember(fingerprint + " " + nonce, signedAt.plus(maxAge), now);
    return Principal.tenant(fingerprint);
  }

  private synchronized void remember(String nonce, Instant forgetAt, Instant now) {
    while (!byExpiry.isEmpty() && byExpiry.peek().forgetAt().isBefore(now)) {
      seen.remove(byExpiry.poll().nonce());
    }
    if (seen.contains(nonce)) {
      throw ApiError.unauthorized(ApiError.REPLAYED_CALL,
          "this call was already made (its nonce was seen before); sign every call afresh");
    }
    if (seen.size() >= maxNonces) {
      // Forgetting a fresh nonce early would let its call be replayed; refuse instead.
      throw new ApiError(503, Refusal.Code.UNAVAILABLE.name(), "more than " + maxNonces + " tenant calls within "
          + Text.duration(maxAge) + "; try again shortly");
    }
    seen.add(nonce);
    byExpiry.add(new Seen(nonce, forgetAt));
  }
}
