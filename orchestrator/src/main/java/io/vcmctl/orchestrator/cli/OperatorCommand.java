package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.access.AccessControl;
import io.vcmctl.orchestrator.access.Operator;
import io.vcmctl.orchestrator.access.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code orchestrator operator}: the named operators who may call the daemon, and their roles. */
@Command(name = "operator", mixinStandardHelpOptions = true,
    description = {"Named operators and their roles (admin, operator, auditor); needs an admin's token, or for a"
        + " cluster --config FILE (its database, directly).",
        "A new token is written once, owner-only, to --out; the daemon keeps only its salted hash."},
    subcommands = {OperatorCommand.Add.class, OperatorCommand.ListOperators.class, OperatorCommand.Revoke.class,
        OperatorCommand.Rotate.class, OperatorCommand.Log.class})
final class OperatorCommand {

  private static void checkName(CommandSpec spec, String name) {
    try {
      Operator.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Refuses before calling: a token the daemon made but nobody could write down would be lost. */
  private static void checkWritable(Path out, boolean force) {
    Inputs.refuseExisting(out, force);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new CliException("cannot write " + out + ": directory " + parent + " does not exist");
    }
  }

  private static void writeToken(JsonNode issued, Path out, boolean force) {
    try {
      Inputs.write(out, issued.path("token").asText().getBytes(StandardCharsets.US_ASCII), force);
    } catch (CliException e) {
      throw new CliException("operator " + issued.path("name").asText() + " has a new token, but it could not be"
          + " written: " + e.getMessage() + "; rotate it again with --out", e);
    }
  }

  private static void printIssued(ObjectNode issued, Path out) {
    issued.remove("token");
    if (out != null) {
      issued.put("token_file", out.toString());
    }
    Out.fields(issued, List.of("name", "role", "state", "token_file"));
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Adds an operator with a role and writes its token, owner-only, to --out.")
  static final class Add implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Options.Provider client;

    @Parameters(paramLabel = "NAME", description = "Lower-case letters, digits, - and _, starting with a letter.")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", required = true, description = "admin, operator or auditor.")
    String role;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the token.")
    Path out;

    @Option(names = "--force", description = "Replace the --out file if it exists.")
    boolean force;

    @Mixin
    DatabaseOperators.Option database;

    @Override
    public Integer call() {
      checkName(spec, name);
      Role parsed;
      try {
        parsed = Role.parse(role);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--role: " + e.getMessage());
      }
      checkWritable(out, force);
      ObjectNode body = Json.object();
      body.put("name", name);
      body.put("role", role);
      ObjectNode issued = (ObjectNode) (database.config != null
          ? DatabaseOperators.with(database.config, ops -> ops.add(name, parsed))
          : client.api().post("/v1/operators", body));
      writeToken(issued, out, force);
      printIssued(issued, out);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the operators, revoked ones too.")
  static final class ListOperators implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Json format;

    @Mixin
    DatabaseOperators.Option database;

    @Override
    public Integer call() {
      JsonNode list = database.config != null ? DatabaseOperators.with(database.config, DatabaseOperators::list)
          : client.api().get("/v1/operators");
      if (format.json) {
        Out.json(list);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("NAME", "ROLE", "STATE", "SINCE"));
      for (JsonNode op : list.path("operators")) {
        rows.add(List.of(op.path("name").asText(), op.path("role").asText(), op.path("state").asText(),
            op.path(op.path("revoked_at").isNull() ? "created_at" : "revoked_at").asText()));
      }
      Out.table(rows);
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes an operator: its token is refused from now on. The last admin cannot be revoked.")
  static final class Revoke implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Options.Provider client;

    @Parameters(paramLabel = "NAME", description = "The operator.")
    String name;

    @Mixin
    DatabaseOperators.Option database;

    @Override
    public Integer call() {
      checkName(spec, name);
      Out.fields(database.config != null ? DatabaseOperators.with(database.config, ops -> ops.revoke(name))
          : client.api().post("/v1/operators/" + name + "/revoke", Json.object()),
          List.of("name", "role", "state", "revoked_at"));
      return 0;
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = {"Gives an operator a new token, written owner-only to --out; the old one is refused from now on.",
          "For admin, the daemon also writes it to DATA/admin.token, so --out is optional."})
  static final class Rotate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Options.Provider client;

    @Parameters(paramLabel = "NAME", description = "The operator.")
    String name;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the new token.")
    Path out;

    @Option(names = "--force", description = "Replace the --out file if it exists.")
    boolean force;

    @Mixin
    DatabaseOperators.Option database;

    @Override
    public Integer call() {
      checkName(spec, name);
      boolean bootstrap = AccessControl.BOOTSTRAP.equals(name);
      if (out == null && !bootstrap) {
        throw new ParameterException(spec.commandLine(), "--out FILE is needed: the new token is shown only once");
      }
      if (out != null) {
        checkWritable(out, force);
      }
      ObjectNode issued = (ObjectNode) (database.config != null
          ? DatabaseOperators.with(database.config, ops -> ops.rotate(name))
          : client.api().post("/v1/operators/" + name + "/rotate", Json.object()));
      if (out != null) {
        writeToken(issued, out, force);
      }
      printIssued(issued, out);
      return 0;
    }
  }

  @Command(name = "log", mixinStandardHelpOptions = true,
      description = "Operator changes and calls refused for a role: who, what, when (admin or auditor).")
  static final class Log implements Callable<Integer> {
    @Mixin
    Options.Provider client;

    @Mixin
    Options.Json format;

    @Override
    public Integer call() {
      JsonNode log = client.api().get("/v1/operators/log");
      if (format.json) {
        Out.json(log);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("AT", "BY", "OUTCOME", "WHAT"));
      for (JsonNode e : log.path("entries")) {
        rows.add(List.of(e.path("at").asText(), e.path("by").asText(), e.path("outcome").asText(),
            e.path("what").asText() + (e.has("needed") ? " (needs " + e.path("needed").asText() + ")" : "")));
      }
      Out.table(rows);
      return 0;
    }
  }
}
