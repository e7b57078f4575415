package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.access.AccessControl;
import io.vcmctl.orchestrator.access.DbOperatorStore;
import io.vcmctl.orchestrator.access.Operator;
import io.vcmctl.orchestrator.access.Role;
import io.vcmctl.orchestrator.access.Tokens;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.vcm.Refusal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * {@code operator add|list|rotate|revoke --config FILE}: a cluster's operators changed in its
 * database directly, with no node running (before the first start, or to regain access when
 * every admin token is lost). Whoever can read the database password in FILE can change the
 * table anyway; such a change is in no node's access log. The answers have the API's shape.
 */
final class DatabaseOperators {

  /** The option the operator commands take. */
  static final class Option {
    @CommandLine.Option(names = "--config", paramLabel = "FILE",
        description = "Work on the operators in the database of the cluster this settings file names (as given to"
            + " serve --config), with no node needed; not recorded in any node's access log.")
    Path config;
  }

  private final ClusterSettings settings;
  private final DbOperatorStore store;

  private DatabaseOperators(ClusterSettings settings, DbOperatorStore store) {
    this.settings = settings;
    this.store = store;
  }

  /** Opens the database {@code config} names, runs {@code action}, closes it; every failure is one line. */
  static JsonNode with(Path config, Function<DatabaseOperators, JsonNode> action) {
    ClusterSettings settings = DbCommand.clusterSettings(config, "operator --config is for a cluster's database"
        + " (a single daemon keeps its operators in DATA/operators.json: leave --config out)");
    try (DbOperatorStore store = DbOperatorStore.open(settings)) {
      return action.apply(new DatabaseOperators(settings, store));
    } catch (NoSuchElementException | IllegalArgumentException | IllegalStateException | Refusal e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  JsonNode list() {
    ObjectNode o = JsonViews.MAPPER.createObjectNode();
    ArrayNode list = o.putArray("operators");
    store.list().forEach(op -> list.add(JsonViews.operator(op)));
    return o;
  }

  JsonNode add(String name, Role role) {
    String token = Tokens.generate();
    return JsonViews.operator(store.add(name, role, token, Instant.now())).put("token", token);
  }

  /** The bootstrap admin's new token goes to the shared token file too, as a node would write it. */
  JsonNode rotate(String name) {
    String token = Tokens.generate();
    Operator rotated = store.rotate(name, token);
    if (AccessControl.BOOTSTRAP.equals(name)) {
      DataDirectory.writeOwnerOnly(settings.adminTokenFile(), token.getBytes(StandardCharsets.US_ASCII));
    }
    return JsonViews.operator(rotated).put("token", token);
  }

  /** Revoking the bootstrap admin removes the shared token file, as a node would. */
  JsonNode revoke(String name) {
    Operator revoked = store.revoke(name, Instant.now());
    if (AccessControl.BOOTSTRAP.equals(name)) {
      try {
        Files.deleteIfExists(settings.adminTokenFile());
      } catch (IOException e) {
        throw new CliException("admin is revoked, but " + settings.adminTokenFile() + " could not be removed: "
            + e.getMessage(), e);
      }
    }
    return JsonViews.operator(revoked);
  }
}
