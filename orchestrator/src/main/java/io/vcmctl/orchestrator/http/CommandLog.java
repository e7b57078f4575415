package io.vcmctl.orchestrator.http;

import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.api.TenantCall;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line in the daemon's log per command the API answers: who, what, on which VCM or HSM,
 * and the outcome or the refusal's code; the log line carries the date and time. Never a
 * token, a key or a body: a tenant is named by its key's fingerprint, a VCM by its UUID.
 */
final class CommandLog {

  private static final Logger LOG = LoggerFactory.getLogger(CommandLog.class);
  private static final Pattern VCM_PATH = Pattern.compile("/v1/(?:tenant/)?vcms/([0-9a-fA-F-]{36})/[a-z-]+");
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern ESN_TEXT = Pattern.compile("[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}");

  /** Filled by {@link OperatorAuth} once it knows the operator, read when the answer is logged. */
  @SuppressWarnings("unchecked")
  static final AttributeKey<AtomicReference<String>> CALLER = AttributeKey.create("vcmctl-caller",
      (Class<AtomicReference<String>>) (Class<?>) AtomicReference.class);

  private CommandLog() {}

  /** The request as the API sees it: with a place for the operator's name. */
  static HttpRequest withCallerSlot(HttpRequest request) {
    return request.addAttribute(CALLER, new AtomicReference<>());
  }

  static void caller(HttpRequest request, String principal) {
    request.getAttribute(CALLER).ifPresent(slot -> slot.set(principal));
  }

  static void answered(HttpRequest request, String command, int status, String code, HttpResponse response) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    String path = request.getUri().path();
    String outcome = status / 100 == 2 ? "ok" : (code == null ? "failed" : "refused " + code) + " (HTTP " + status
        + ")";
    LOG.info("{} by {} on {}: {}", command, who(request, path), target(request, path, status, response), outcome);
  }

  private static String who(HttpRequest request, String path) {
    if (!path.startsWith("/v1/tenant/")) {
      return request.getAttribute(CALLER).map(AtomicReference::get).orElse("a caller without a valid token");
    }
    return request.getHeader(TenantCall.KEY).map(key -> {
      try {
        return "tenant:" + PublicKeys.fingerprint(key.value());
      } catch (RuntimeException e) {
        return "a caller with an unreadable tenant key";
      }
    }).orElse("an unsigned caller");
  }

  /** The VCM the path names, the one a create made, or the HSM. */
  private static String target(HttpRequest request, String path, int status, HttpResponse response) {
    if (path.startsWith("/v1/operators")) {
      return "the operators";
    }
    Matcher vcm = VCM_PATH.matcher(path);
    if (vcm.matches()) {
      return "VCM " + vcm.group(1).toLowerCase(Locale.ROOT);
    }
    if (path.equals("/v1/vcms") && status / 100 == 2 && response.entity() instanceof HttpEntity.Strict strict) {
      try {
        String uuid = JsonViews.MAPPER.readTree(strict.getData().toArray()).path("uuid").asText("");
        if (UUID_TEXT.matcher(uuid).matches()) {
          return "VCM " + uuid;
        }
      } catch (IOException e) {
        // Falls through to the HSM: the create's reply is ours, so this does not happen.
      }
    }
    return request.getUri().query().get("esn").filter(e -> ESN_TEXT.matcher(e).matches())
        .map(e -> "HSM " + e).orElse("the HSM");
  }
}
