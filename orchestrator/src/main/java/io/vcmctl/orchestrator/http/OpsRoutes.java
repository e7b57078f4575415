package io.vcmctl.orchestrator.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.orchestrator.access.Permission;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.ops.Metrics;
import io.vcmctl.orchestrator.ops.Metrics.Outcome;
import io.vcmctl.orchestrator.ops.OpsSettings;
import io.vcmctl.orchestrator.ops.Readiness;
import io.vcmctl.orchestrator.ops.Version;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SafeText;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's endpoints beside the API of docs/api.md: {@code /metrics} (any operator's token),
 * {@code /healthz} and {@code /readyz} (no token), {@code /v1/version} and
 * {@code /v1/stats/poller} (any operator's token), and the console at {@code /}. It also counts every
 * command the API answers, by kind and outcome, for the metrics, and logs it.
 */
public final class OpsRoutes extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
  private static final String CONSOLE = "io/vcmctl/orchestrator/console";
  /** The console loads nothing but its own files and talks to nothing but this daemon. */
  private static final List<HttpHeader> CONSOLE_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self';"
          + " img-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Cache-Control", "no-cache"));

  /** The commands of docs/api.md, by the path that takes them; group 1 names the command. */
  private static final List<Pattern> COMMANDS = List.of(
      Pattern.compile("/v1/hsm/(licence|network|reset|time)"),
      Pattern.compile("/v1/vcms()"),
      Pattern.compile("/v1/vcms/[^/]+/(start|stop|delete|properties)"),
      Pattern.compile("/v1/tenant/vcms/[^/]+/(enroll|unenroll|world-load|mode-operational|mode-maintenance|audit-on"
          + "|audit-finalize|data-write|acknowledge-restart)"),
      Pattern.compile("/v1/operators(?:/[^/]+/(rotate|revoke))?"));
  private static final Pattern ERROR_CODE = Pattern.compile("[A-Z][A-Z_]{0,63}");

  private final Orchestrator orchestrator;
  private final OperatorAuth auth;
  private final Metrics metrics;
  private final Readiness readiness;
  private final OpsSettings settings;

  public OpsRoutes(Orchestrator orchestrator, OperatorAuth auth, Metrics metrics, Readiness readiness,
      OpsSettings settings) {
    this.orchestrator = orchestrator;
    this.auth = auth;
    this.metrics = metrics;
    this.readiness = readiness;
    this.settings = settings;
  }

  /** These endpoints first, then the API, whose commands are counted. */
  public Route wrap(Route api) {
    return concat(
        handleExceptions(exceptions(), () -> concat(
            pathSingleSlash(() -> onlyGet(() -> console(getFromResource(CONSOLE + "/index.html")))),
            pathPrefix("console", () -> get(() -> console(getFromResourceDirectory(CONSOLE)))),
            path("metrics", () -> onlyGet(() -> operator(this::metrics))),
            path("healthz", () -> onlyGet(() -> complete(status(200, "ok", null)))),
            path("readyz", () -> onlyGet(() -> onSuccess(readiness.failingCheck(), failing -> complete(
                failing.map(check -> status(503, "not-ready", check)).orElseGet(() -> status(200, "ready", null)))))),
            path(segment("v1").slash("version"), () -> onlyGet(() -> operator(() -> complete(json(version()))))),
            path(segment("v1").slash("stats").slash("poller"), () -> onlyGet(() -> operator(() ->
                parameterOptional("esn", esn -> onSuccess(orchestrator.pollerStatus(esn.orElse(null)),
                    status -> complete(json(poller(status)))))))))),
        counted(api));
  }

  // ---- metrics ------------------------------------------------------------------------------

  private Route metrics() {
    return optionalHeaderValueByName("Accept", accept -> onSuccess(metrics.scrape(accept.orElse(null)),
        exposition -> complete(HttpResponse.create()
            .withEntity(contentType(exposition.contentType()), exposition.body()))));
  }

  /**
   * The writer's content type as it names it: a binary media type with its parameters, so that
   * Pekko renders it exactly instead of normalising the charset.
   */
  private static ContentType contentType(String value) {
    String[] parts = value.split(";");
    String[] type = parts[0].strip().split("/");
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].strip().split("=", 2);
      params.put(kv[0], kv[1]);
    }
    return ContentTypes.create(MediaTypes.customBinary(type[0], type[1], false, params, false));
  }

  /** Wraps the API: each command it answers is counted by kind and outcome, with its duration. */
  private Route counted(Route api) {
    return extractRequest(request -> {
      Optional<String> command = request.method().equals(HttpMethods.POST) ? command(request.getUri().path())
          : Optional.empty();
      if (command.isEmpty()) {
        return api;
      }
      long start = System.nanoTime();
      HttpRequest withSlot = CommandLog.withCallerSlot(request);
      return mapRequest(r -> withSlot, () -> mapResponse(response -> {
        int status = response.status().intValue();
        String code = status / 100 == 2 ? null : errorCode(response);
        Outcome outcome = code == null ? (status / 100 == 2 ? Outcome.OK : Outcome.ERROR)
            : code.equals(ApiError.INTERNAL) ? Outcome.ERROR : Outcome.REFUSED;
        metrics.commandAnswered(command.get(), outcome, code, Duration.ofNanos(System.nanoTime() - start));
        CommandLog.answered(withSlot, command.get(), status, code, response);
        return response;
      }, () -> api));
    });
  }

  /** The command a POST to this path is, as the metrics name it: {@code start}, {@code tenant-enroll}… */
  static Optional<String> command(String path) {
    for (Pattern p : COMMANDS) {
      Matcher m = p.matcher(path);
      if (m.matches()) {
        if (path.startsWith("/v1/operators")) {
          return Optional.of("operator-" + (m.group(1) == null ? "add" : m.group(1)));
        }
        String name = m.group(1).isEmpty() ? "create" : m.group(1);
        return Optional.of(path.startsWith("/v1/tenant/") ? "tenant-" + name : name);
      }
    }
    return Optional.empty();
  }

  /** The API's error code in a response body, if it is one of ours. */
  private static String errorCode(HttpResponse response) {
    if (!(response.entity() instanceof HttpEntity.Strict strict)) {
      return null;
    }
    try {
      String code = JsonViews.MAPPER.readTree(strict.getData().toArray()).path("error").path("code").asText("");
      return ERROR_CODE.matcher(code).matches() ? code : null;
    } catch (IOException e) {
      return null;
    }
  }

  // ---- views ------------------------------------------------------------------------------------

  private static ObjectNode version() {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    o.put("version", Version.current());
    o.put("java_version", Runtime.version().toString());
    return o;
  }

  private ObjectNode poller(StatsPoller.Status s) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    o.put("delay_seconds", Metrics.seconds(settings.stats().delay()));
    o.put("stale_after_seconds", Metrics.seconds(settings.staleAfter()));
    o.put("disk_limit_bytes", settings.stats().diskLimit());
    o.put("disk_warning_ratio", settings.stats().diskWarning());
    o.put("cycles_completed", s.cyclesCompleted());
    o.put("last_completed_at", s.lastCompletedAt() == null ? null : s.lastCompletedAt().toString());
    o.put("last_duration_seconds", Metrics.seconds(s.lastDuration()));
    o.put("vcms", s.lastVcmCount());
    o.put("unanswered", s.lastUnanswered());
    return o;
  }

  /** {@code {"status": …}} and, when failing, the failing check's name: nothing else, no token needed. */
  private static HttpResponse status(int status, String text, String check) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    o.put("status", text);
    if (check != null) {
      o.put("check", check);
    }
    return json(o).withStatus(status);
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private Route console(Route files) {
    return respondWithHeaders(CONSOLE_HEADERS, () -> files);
  }

  private Route onlyGet(Supplier<Route> inner) {
    return concat(get(inner), extractRequest(request -> complete(HttpApi.error(405, ApiError.METHOD_NOT_ALLOWED,
        request.method().name() + " " + SafeText.quote(request.getUri().path()) + " is not allowed; use GET")
        .addHeader(Allow.create(HttpMethods.GET)))));
  }

  /** A read any operator may make. */
  private Route operator(Supplier<Route> inner) {
    return auth.allowed(Permission.READ, operator -> inner.get());
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(thrown -> {
      Throwable t = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
      if (t instanceof Refusal r) {
        return complete(HttpApi.error(HttpApi.status(r.code()), r.code().name(), r.getMessage()));
      }
      LOG.error("operations endpoint failed unexpectedly", t);
      return complete(HttpApi.error(500, ApiError.INTERNAL, "the orchestrator failed unexpectedly ("
          + t.getClass().getSimpleName() + "); see its log"));
    }).build();
  }

  private static HttpResponse json(JsonNode body) {
    try {
      return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, JsonViews.MAPPER.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
  }
}
