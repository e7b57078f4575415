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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Authenticates a tenant's signed HTTP call ({@link TenantCall}) in two steps. {@link #verify}
 * checks the signature by the key the call names and freshness against this host's clock, and
 * remembers nothing. {@link #accept} then records the nonce in the replay window of that key,
 * which the caller does only once the key is known to own the VCM called: a self-made key can
 * cost CPU, never memory, and one key filling its own window (bounded per key) slows only
 * itself. The nonces of fresh calls are all that has to be remembered: a call older than the
 * window is refused as stale anyway. They are kept in memory only, so a call signed before this
 * instance was made is refused as a possible replay: an earlier process may have accepted it.
 */
public final class TenantAuth {

  // 16 random bytes, base64url without padding.
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final List<String> HEADERS =
      List.of(TenantCall.KEY, TenantCall.TIMESTAMP, TenantCall.NONCE, TenantCall.SIGNATURE);

  private final Duration maxAge;
  private final int maxNoncesPerKey;
  private final Clock clock;
  private final Instant startedAt;

  /** A call whose signature and freshness hold; it has cost nothing shared until accepted. */
  public record Signed(Principal tenant, String nonce, Instant signedAt) {}

  private record Seen(String tenant, String nonce, Instant forgetAt) {}

  // Fresh nonces by tenant fingerprint; only keys that own a VCM ever get an entry.
  private final Map<String, Set<String>> seen = new HashMap<>();
  private final PriorityQueue<Seen> byExpiry = new PriorityQueue<>(Comparator.comparing(Seen::forgetAt));

  public TenantAuth(Duration maxAge, int maxNoncesPerKey, Clock clock) {
    if (maxAge.isNegative() || maxAge.isZero() || maxNoncesPerKey < 1) {
      throw new IllegalArgumentException("vcmctl.orchestrator.tenant-auth.max-age must be positive and"
          + " max-nonces-per-key at least 1");
    }
    this.maxAge = maxAge;
    this.maxNoncesPerKey = maxNoncesPerKey;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /** Settings from {@code vcmctl.orchestrator.tenant-auth}, on the system clock. */
  public static TenantAuth fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.orchestrator.tenant-auth");
    return new TenantAuth(c.getDuration("max-age"), c.getInt("max-nonces-per-key"), Clock.systemUTC());
  }

  /**
   * The tenant who signed this call, if the signature verifies and the call is fresh. Nothing
   * is remembered: {@link #accept} the call once its signer is known to be entitled to it.
   *
   * @param path the request path as sent, without the query
   * @throws ApiError 401 for a missing header, a bad key or signature, a stale call, or one
   *     signed before this instance was made
   */
  public Signed verify(String method, String path, Function<String, Optional<String>> header, byte[] body) {
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
    if (signedAt.isBefore(startedAt)) {
      // The nonces seen before the daemon started are gone; such a call may have been made already.
      throw ApiError.unauthorized(ApiError.REPLAYED_CALL, "the call was signed at " + signedAt
          + ", before the daemon started at " + startedAt + ", so it may have been made already; sign it again");
    }
    return new Signed(Principal.tenant(PublicKeys.fingerprint(key)), nonce, signedAt);
  }

  /**
   * Records the call's nonce in its key's replay window.
   *
   * @throws ApiError 401 {@code REPLAYED_CALL} for a nonce this key used within the window; 503
   *     when this key already made {@code max-nonces-per-key} calls within the window
   */
  public synchronized void accept(Signed call) {
    Instant now = clock.instant();
    while (!byExpiry.isEmpty() && byExpiry.peek().forgetAt().isBefore(now)) {
      Seen old = byExpiry.poll();
      Set<String> nonces = seen.get(old.tenant());
      nonces.remove(old.nonce());
      if (nonces.isEmpty()) {
        seen.remove(old.tenant());
      }
    }
    String tenant = call.tenant().id();
    Set<String> nonces = seen.computeIfAbsent(tenant, k -> new HashSet<>());
    if (nonces.contains(call.nonce())) {
      throw ApiError.unauthorized(ApiError.REPLAYED_CALL,
          "this call was already made (its nonce was seen before); sign every call afresh");
    }
    if (nonces.size() >= maxNoncesPerKey) {
      // Forgetting a fresh nonce early would let its call be replayed; refuse this key instead.
      throw new ApiError(503, Refusal.Code.UNAVAILABLE.name(), "this tenant key made more than " + maxNoncesPerKey
          + " calls within " + Text.duration(maxAge) + " (vcmctl.orchestrator.tenant-auth.max-nonces-per-key);"
          + " try again shortly");
    }
    nonces.add(call.nonce());
    byExpiry.add(new Seen(tenant, call.nonce(), call.signedAt().plus(maxAge)));
  }
}
