package io.vcmctl.orchestrator.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.access.AccessControl;
import io.vcmctl.orchestrator.access.Operator;
import io.vcmctl.orchestrator.access.Permission;
import io.vcmctl.orchestrator.access.Role;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SafeText;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/operators}: list, add, rotate and revoke operators (admin), and
 * {@code /v1/operators/log}, the access log of those changes and of role refusals (admin,
 * auditor). A new token is in the answer once and nowhere else.
 */
final class OperatorRoutes extends AllDirectives {

  static final String OPERATOR_REFUSED = "OPERATOR_REFUSED";

  private final OperatorAuth auth;
  private final AccessControl access;
  private final HttpApi api;

  OperatorRoutes(OperatorAuth auth, HttpApi api) {
    this.auth = auth;
    this.access = auth.access();
    this.api = api;
  }

  Route route() {
    return concat(
        pathEnd(() -> concat(
            get(() -> auth.allowed(Permission.OPERATORS, by -> api.ok(list(access.list())))),
            post(() -> auth.allowed(Permission.OPERATORS, by -> api.body(bytes -> {
              Body b = Body.parse(bytes, List.of("name", "role"));
              String name = b.requiredText("name");
              Role role = guarded(() -> Role.parse(b.requiredText("role")));
              return api.ok(issued(guarded(() -> access.add(by, name, role))));
            }))))),
        path("log", () -> get(() -> auth.allowed(Permission.AUDIT_EXPORT, by -> {
          ObjectNode o = JsonViews.MAPPER.createObjectNode();
          o.putArray("entries").addAll(access.log().entries());
          return api.ok(o);
        }))),
        path(segment().slash("rotate"), name -> post(() -> auth.allowed(Permission.OPERATORS, by ->
            api.body(bytes -> {
              Body.parse(bytes, List.of());
              return api.ok(issued(guarded(() -> access.rotate(by, name))));
            })))),
        path(segment().slash("revoke"), name -> post(() -> auth.allowed(Permission.OPERATORS, by ->
            api.body(bytes -> {
              Body.parse(bytes, List.of());
              return api.ok(JsonViews.operator(guarded(() -> access.revoke(by, name))));
            })))));
  }

  /** The store's refusals as the API's: unknown 404, bad input 400, a conflict 409. */
  private static <T> T guarded(Supplier<T> action) {
    try {
      return action.get();
    } catch (NoSuchElementException e) {
      throw new ApiError(404, Refusal.Code.NOT_FOUND.name(), e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiError.badInput(SafeText.oneLine(e.getMessage()));
    } catch (IllegalStateException e) {
      throw new ApiError(409, OPERATOR_REFUSED, SafeText.oneLine(e.getMessage()));
    }
  }

  private ObjectNode issued(AccessControl.Issued issued) {
    ObjectNode o = JsonViews.operator(issued.operator());
    o.put("token", issued.token());
    if (AccessControl.BOOTSTRAP.equals(issued.operator().name())) {
      o.put("token_file", access.adminTokenFile().toString());
    }
    return o;
  }

  private static ObjectNode list(List<Operator> operators) {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    ArrayNode list = o.putArray("operators");
    operators.forEach(op -> list.add(JsonViews.operator(op)));
    return o;
  }
}
