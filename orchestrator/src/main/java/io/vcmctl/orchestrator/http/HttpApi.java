package io.vcmctl.orchestrator.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Advice;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.orchestrator.access.Permission;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.audit.AuditViews;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SafeText;
import io.vcmctl.vcm.VcmEntity.Action;
import io.vcmctl.vcm.VcmRules;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP JSON API of docs/api.md over the {@link Orchestrator} facade. Every answer is JSON:
 * results rendered by {@link JsonViews}, and every failure (a rule's refusal, bad input,
 * authentication, an unknown path or method) as {@code {"error": {"code", "message"}}}.
 *
 * <p>A command is answered only once the facade has answered, which is after its events are
 * persisted; nothing here caches or acknowledges early.
 */
public final class HttpApi extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Map<String, Action> ACTIONS = actions();
  private static final String DATA_WRITE = "data-write";
  private static final String PKCS11 = "pkcs11";

  private final Orchestrator orchestrator;
  private final OperatorAuth auth;
  private final TenantAuth tenants;
  private final long maxBody;
  private final Duration bodyTimeout;

  /**
   * @param maxBody the largest request body accepted, in bytes (larger is 413)
   * @param bodyTimeout how long a request body may take to arrive
   */
  public HttpApi(Orchestrator orchestrator, OperatorAuth auth, TenantAuth tenants, long maxBody,
      Duration bodyTimeout) {
    this.orchestrator = orchestrator;
    this.auth = auth;
    this.tenants = tenants;
    this.maxBody = maxBody;
    this.bodyTimeout = bodyTimeout;
  }

  private static Map<String, Action> actions() {
    Map<String, Action> m = new LinkedHashMap<>();
    m.put("enroll", Action.ENROLL);
    m.put("unenroll", Action.UNENROLL);
    m.put("world-load", Action.LOAD_WORLD);
    m.put("mode-operational", Action.MODE_OPERATIONAL);
    m.put("mode-maintenance", Action.MODE_MAINTENANCE);
    m.put("audit-on", Action.AUDIT_ON);
    m.put("audit-finalize", Action.AUDIT_FINALIZE);
    m.put("acknowledge-restart", Action.ACKNOWLEDGE_RESTART);
    return Map.copyOf(m);
  }

  public Route route() {
    return withRequestTimeoutResponse(request -> error(503, Refusal.Code.UNAVAILABLE.name(),
            "the orchestrator did not answer in time; the command may still complete, check before retrying"),
        () -> handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
            pathPrefix("v1", () -> concat(
                path("hsms", () -> concat(
                    query(() -> reply(orchestrator.fleet(), esns -> JsonViews.esns(esns, Instant.now()))),
                    command(Permission.FLEET, List.of("esn"), (b, by) ->
                        reply(orchestrator.addHsm(b.requiredText("esn")), JsonViews::info)))),
                pathPrefix("hsm", () -> parameterOptional("esn", esn -> hsm(esn.orElse(null)))),
                pathPrefix("vcms", () -> parameterOptional("esn", esn -> vcms(esn.orElse(null)))),
                path("stats", () -> parameterOptional("esn", esn ->
                    query(() -> reply(orchestrator.stats(esn.orElse(null)), JsonViews::stats)))),
                pathPrefix("operators", () -> new OperatorRoutes(auth, this).route()),
                pathPrefix("tenant", () -> path(segment("vcms").slash(segment()).slash(segment()), this::tenant)))))));
  }

  // ---- provider endpoints -------------------------------------------------------------------

  private Route hsm(String esn) {
    return concat(
        path("info", () -> query(() -> reply(orchestrator.info(esn), JsonViews::info))),
        path("envstats", () -> query(() -> reply(orchestrator.envStats(esn), JsonViews::envStats))),
        path("licence", () -> command(Permission.LICENCES, List.of("licence"), (b, by) ->
            reply(orchestrator.applyLicence(esn, b.requiredBase64("licence"), by), JsonViews::info))),
        path("network", () -> command(Permission.NETWORK, List.of("ipv4", "ipv6", "ipv6_link_local"), (b, by) -> {
          Network network = network(b);
          return reply(orchestrator.setNetwork(esn, network, by),
              info -> JsonViews.withWarnings(JsonViews.info(info), Advice.network(network).stream().toList()));
        })),
        path("reset", () -> command(Permission.RESET, List.of("force"), (b, by) ->
            reply(orchestrator.reset(esn, b.bool("force").orElse(false), by), JsonViews::reset))),
        path("time", () -> command(Permission.CLOCK, List.of("module_time"), (b, by) ->
            reply(orchestrator.setTime(esn, moduleTime(b), by), JsonViews::info))),
        path("history", () -> query(Permission.HISTORY, () -> reply(orchestrator.hsmHistory(esn),
            entries -> AuditViews.hsmHistory(esn == null ? orchestrator.esns().get(0) : esn, entries)))),
        path("audit", () -> get(() -> auth.allowed(Permission.AUDIT_EXPORT, operator ->
            reply(orchestrator.auditExport(esn, operator.principal()), AuditViews::export)))));
  }

  private Route vcms(String esn) {
    return concat(
        pathEnd(() -> concat(
            query(() -> reply(orchestrator.vcms(esn), JsonViews::vcms)),
            command(Permission.VCM_LIFECYCLE, List.of("request", "name", "autostart", "serial_cardreader", "ip_address",
                "features"), (b, by) -> {
              ProviderChoices choices = new ProviderChoices(b.text("name").orElse(null),
                  b.bool("autostart").orElse(null), b.bool("serial_cardreader").orElse(null),
                  b.text("ip_address").orElse(null), b.text("features").orElse(null));
              return reply(orchestrator.createVcm(esn, b.requiredBase64("request"), choices, by),
                  JsonViews::created);
            }))),
        path("deleted", () -> query(() -> reply(orchestrator.deletedVcms(esn), JsonViews::deleted))),
        pathPrefix(segment(), id -> concat(
            pathEnd(() -> query(() -> reply(orchestrator.vcm(uuid(id)), JsonViews::vcm))),
            path("start", () -> command(Permission.VCM_LIFECYCLE, List.of("request"), (b, by) ->
                reply(orchestrator.startVcm(uuid(id), b.base64("request").orElse(null), by), JsonViews::vcm))),
            path("stop", () -> command(Permission.VCM_LIFECYCLE, List.of("force"), (b, by) ->
                reply(orchestrator.stopVcm(uuid(id), b.bool("force").orElse(false), by), JsonViews::vcm))),
            path("delete", () -> command(Permission.VCM_LIFECYCLE, List.of("force"), (b, by) ->
                reply(orchestrator.deleteVcm(uuid(id), b.bool("force").orElse(false), by), JsonViews::vcm))),
            path("properties", () -> command(Permission.VCM_LIFECYCLE, List.of("request", "property", "value"), (b, by) ->
                reply(orchestrator.setProperty(uuid(id), b.requiredBase64("request"), b.requiredText("property"),
                    b.requiredText("value"), by), set -> JsonViews.withWarnings(JsonViews.vcm(set.view()),
                    set.warnings())))),
            // Read-only, so any operator may ask; POST only because the request travels in the body.
            path("check-request", () -> post(() -> auth.allowed(Permission.READ, operator -> body(bytes ->
                reply(orchestrator.checkRequest(uuid(id),
                    Body.parse(bytes, List.of("request")).requiredBase64("request")), JsonViews::checkedRequest))))),
            path("history", () -> query(Permission.HISTORY, () -> {
              UUID uuid = uuid(id);
              return reply(orchestrator.history(uuid), entries -> JsonViews.history(uuid, entries));
            })))));
  }

  /** A provider read: GET by any operator. */
  private Route query(Supplier<Route> answer) {
    return query(Permission.READ, answer);
  }

  private Route query(Permission permission, Supplier<Route> answer) {
    return get(() -> auth.allowed(permission, operator -> answer.get()));
  }

  /** A provider command: POST by an operator whose role allows it, with a JSON body of these fields. */
  private Route command(Permission permission, List<String> fields, BiFunction<Body, Principal, Route> answer) {
    return post(() -> auth.allowed(permission, operator ->
        body(bytes -> answer.apply(Body.parse(bytes, fields), operator.principal()))));
  }

  private static Network network(Body b) {
    long given = List.of("ipv4", "ipv6", "ipv6_link_local").stream().filter(b::has).count();
    if (given != 1) {
      throw ApiError.badInput("give exactly one of ipv4 (a CIDR), ipv6 (a prefix) or ipv6_link_local (true)");
    }
    try {
      if (b.has("ipv4")) {
        return Network.ipv4(b.requiredText("ipv4"));
      }
      if (b.has("ipv6")) {
        return Network.ipv6(b.requiredText("ipv6"));
      }
    } catch (IllegalArgumentException e) {
      throw ApiError.badInput(SafeText.oneLine(e.getMessage()));
    }
    if (!b.bool("ipv6_link_local").orElseThrow()) {
      throw ApiError.badInput("ipv6_link_local must be true; to leave link-local, set ipv4 or ipv6 instead");
    }
    return Network.ipv6LinkLocal();
  }

  /** The module time to set; none means this host's clock. */
  private static Instant moduleTime(Body b) {
    return b.text("module_time").map(t -> {
      try {
        return Instant.parse(t.strip());
      } catch (DateTimeParseException e) {
        throw ApiError.badInput("module_time " + SafeText.quote(t) + " is not an ISO-8601 instant such as 2030-01-31T12:00:00Z");
      }
    }).orElseGet(Instant::now);
  }

  // ---- tenant endpoints ---------------------------------------------------------------------

  private Route tenant(String id, String actionName) {
    return post(() -> extractRequest(request -> body(bytes -> {
      // Authenticate before looking at anything else the caller sent; this remembers nothing.
      TenantAuth.Signed call = tenants.verify(request.method().value(), request.getUri().path(),
          name -> request.getHeader(name).map(HttpHeader::value), bytes);
      Principal tenant = call.tenant();
      Action action = ACTIONS.get(actionName);
      if (action == null && !DATA_WRITE.equals(actionName) && !PKCS11.equals(actionName)) {
        List<String> known = new java.util.ArrayList<>(ACTIONS.keySet());
        known.add(DATA_WRITE);
        known.add(PKCS11);
        throw new ApiError(404, Refusal.Code.NOT_FOUND.name(), "no tenant action " + SafeText.quote(actionName)
            + "; the actions are " + String.join(", ", known.stream().sorted().toList()));
      }
      UUID uuid = uuid(id);
      Body parsed = Body.parse(bytes, DATA_WRITE.equals(actionName) ? List.of("bytes") : List.of());
      long dataBytes = DATA_WRITE.equals(actionName) ? parsed.requiredWhole("bytes") : 0;
      // Only a key that owns the VCM gets its nonce remembered, so no other key can fill a window.
      return onSuccess(orchestrator.vcm(uuid), view -> {
        if (!tenant.id().equals(view.tenant())) {
          throw VcmRules.notYourVcm(uuid);
        }
        tenants.accept(call);
        if (PKCS11.equals(actionName)) {
          return reply(orchestrator.pkcs11(uuid, tenant), JsonViews::pkcs11);
        }
        if (action == null) {
          return reply(orchestrator.writeData(uuid, tenant, dataBytes), JsonViews::vcm);
        }
        return reply(orchestrator.tenantAction(uuid, tenant, action), JsonViews::vcm);
      });
    })));
  }

  // ---- plumbing -----------------------------------------------------------------------------

  Route body(Function<byte[], Route> inner) {
    // The size limit fails the body's stream with EntityStreamSizeException, rendered as 413,
    // at once when a Content-Length announces too much. The strict read gets no limit of its
    // own: its default (pekko.http.parsing.max-to-strict-bytes) would refuse a larger announced
    // body first, as a 400.
    return withSizeLimit(maxBody, () ->
        extractStrictEntity(bodyTimeout, Long.MAX_VALUE, entity -> inner.apply(entity.getData().toArray())));
  }

  private <T> Route reply(CompletionStage<T> answer, Function<T, ? extends JsonNode> view) {
    return onSuccess(answer, value -> ok(view.apply(value)));
  }

  Route ok(JsonNode json) {
    return complete(json(200, json));
  }

  private static UUID uuid(String text) {
    if (!UUID_TEXT.matcher(text).matches()) {
      throw ApiError.badInput(SafeText.quote(text) + " is not a VCM UUID; one looks like 123e4567-e89b-12d3-a456-426614174000");
    }
    return UUID.fromString(text);
  }

  /** The status of a facade refusal: bad input 400, not found 404, a rule 409. */
  static int status(Refusal.Code code) {
    return switch (code) {
      case NOT_FOUND -> 404;
      case INVALID_ARGUMENT, INVALID_REQUEST, INVALID_LICENCE -> 400;
      case NOT_YOUR_VCM -> 403;
      case DEVICE_ERROR -> 502;
      case UNAVAILABLE -> 503;
      default -> 409;
    };
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(e -> complete(failure(e))).build();
  }

  private HttpResponse failure(Throwable thrown) {
    Throwable t = thrown;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof Refusal r) {
      return json(status(r.code()), JsonViews.error(r));
    }
    if (t instanceof ApiError e) {
      return error(e.status(), e.code(), e.getMessage());
    }
    if (t instanceof EntityStreamSizeException) {
      return error(413, ApiError.BODY_TOO_LARGE, "the body is larger than " + maxBody + " bytes, the most this API takes");
    }
    if (t instanceof TimeoutException) {
      return error(400, Refusal.Code.INVALID_ARGUMENT.name(),
          "the request body did not arrive within " + Text.duration(bodyTimeout));
    }
    if (t instanceof IllegalRequestException e) {
      return error(e.status().intValue(), Refusal.Code.INVALID_ARGUMENT.name(), SafeText.oneLine(e.info().summary()));
    }
    LOG.error("HTTP call failed unexpectedly", t);
    return error(500, ApiError.INTERNAL, "the orchestrator failed unexpectedly (" + t.getClass().getSimpleName()
        + "); see its log");
  }

  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejected -> extractRequest(request -> {
          HttpMethod[] allowed = rejected.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
          String names = String.join(" or ", rejected.stream().map(r -> r.supported().name()).distinct().toList());
          return complete(error(405, ApiError.METHOD_NOT_ALLOWED, request.method().name() + " "
              + SafeText.quote(request.getUri().path()) + " is not allowed; use " + names).addHeader(Allow.create(allowed)));
        }))
        .handleNotFound(extractRequest(request -> complete(notFound(request))))
        .build()
        // Anything else is rare here (the body is parsed by hand); keep Pekko's status and text.
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(HttpApi::asJson));
  }

  private static HttpResponse notFound(HttpRequest request) {
    return error(404, Refusal.Code.NOT_FOUND.name(), "no endpoint " + request.method().name() + " "
        + SafeText.quote(request.getUri().path()) + "; the endpoints are listed in docs/api.md");
  }

  /** Pekko's plain-text answer as the API's error shape, keeping its status and headers. */
  static HttpResponse asJson(HttpResponse plain) {
    if (plain.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return plain;
    }
    String text = plain.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : "";
    int status = plain.status().intValue();
    return plain.withEntity(ContentTypes.APPLICATION_JSON, bytes(JsonViews.error(codeOf(status), SafeText.oneLine(text))));
  }

  /** The error code of a status Pekko chose; anything else it refuses is the caller's bad input. */
  static String codeOf(int status) {
    return switch (status) {
      case 401 -> ApiError.UNAUTHORIZED;
      case 404 -> Refusal.Code.NOT_FOUND.name();
      case 405, 501 -> ApiError.METHOD_NOT_ALLOWED;
      case 413 -> ApiError.BODY_TOO_LARGE;
      case 500 -> ApiError.INTERNAL;
      case 503 -> Refusal.Code.UNAVAILABLE.name();
      default -> Refusal.Code.INVALID_ARGUMENT.name();
    };
  }

  static HttpResponse error(int status, String code, String message) {
    return json(status, JsonViews.error(code, message));
  }

  private static HttpResponse json(int status, JsonNode body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, bytes(body));
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return JsonViews.MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
  }
}
