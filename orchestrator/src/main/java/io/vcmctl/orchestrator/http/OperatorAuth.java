package io.vcmctl.orchestrator.http;

import io.vcmctl.orchestrator.access.AccessControl;
import io.vcmctl.orchestrator.access.Operator;
import io.vcmctl.orchestrator.access.Permission;
import io.vcmctl.orchestrator.access.Role;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The provider side's door: the bearer token names an active operator, and the operator's role
 * must grant what the endpoint does. A refusal by role is a 403 naming the role needed, and is
 * recorded in the access log before it is answered.
 */
public final class OperatorAuth extends AllDirectives {

  public static final String ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED";

  private final AccessControl access;
  private final Executor blocking;

  /** @param blocking where authentications that wait for a database run, off the dispatcher's threads */
  public OperatorAuth(AccessControl access, Executor blocking) {
    this.access = access;
    this.blocking = blocking;
  }

  public AccessControl access() {
    return access;
  }

  /** {@code inner} for an operator whose role allows {@code permission}; a 401 or a 403 otherwise. */
  public Route allowed(Permission permission, Function<Operator, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> authenticated(header.orElse(null), found -> {
      Operator operator = found.orElse(null);
      if (operator == null) {
        String why = header.isEmpty()
            ? "no token; send Authorization: Bearer <the content of DATA/admin.token or of an operator's token file>"
            : "wrong token; send the content of DATA/admin.token of this daemon or of an operator's token file"
            + " (a revoked or rotated token no longer works)";
        return complete(HttpApi.error(401, ApiError.UNAUTHORIZED, why)
            .addHeader(WWWAuthenticate.create(HttpChallenge.createOAuth2("vcm-orchestrator"))));
      }
      return extractRequest(request -> {
        String what = request.method().name() + " " + request.getUri().path();
        CommandLog.caller(request, operator.principal().toString());
        if (!operator.role().allows(permission)) {
          access.refused(operator, permission, what);
          return complete(HttpApi.error(403, ROLE_NOT_ALLOWED, permission.what() + " needs the role "
              + Role.needed(permission) + "; operator " + operator.name() + " has the role " + operator.role().label()));
        }
        return inner.apply(operator);
      });
    }));
  }

  /** A database that is slow to answer holds a thread meant for blocking, not one that runs actors. */
  private Route authenticated(String authorization, Function<Optional<Operator>, Route> inner) {
    if (!access.waitsForDatabase()) {
      return inner.apply(access.authenticate(authorization));
    }
    return onSuccess(CompletableFuture.supplyAsync(() -> access.authenticate(authorization), blocking), inner::apply);
  }
}
