package io.vcmctl.orchestrator.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.vcm.SafeText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The operators of one daemon in an owner-only JSON file of its data directory, rewritten whole
 * (atomically) at each change. Reads take the current immutable map without locking.
 */
public final class FileOperatorStore implements OperatorStore {

  private static final HexFormat HEX = HexFormat.of();

  private final Path file;
  private volatile Map<String, Operator> operators;

  private FileOperatorStore(Path file, Map<String, Operator> operators) {
    this.file = file;
    this.operators = operators;
  }

  /**
   * The store in {@code file}; empty when there is no such file yet.
   *
   * @throws IllegalStateException the file cannot be read or is not an operator list
   */
  public static FileOperatorStore open(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new FileOperatorStore(file, Map.of());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the operators in " + file + ": " + e.getMessage(), e);
    }
    try {
      Map<String, Operator> read = new TreeMap<>();
      for (JsonNode o : JsonViews.MAPPER.readTree(bytes).withArray("operators")) {
        Operator op = new Operator(Operator.checkName(o.path("name").asText(null)),
            Role.parse(o.path("role").asText("")), HEX.parseHex(o.path("salt").asText("")),
            HEX.parseHex(o.path("hash").asText("")), Instant.parse(o.path("created_at").asText("")),
            o.path("revoked_at").isTextual() ? Instant.parse(o.path("revoked_at").asText()) : null);
        if (op.hash().length != 32 || op.salt().length == 0) {
          throw new IllegalArgumentException("operator " + op.name() + " has no usable token hash");
        }
        read.put(op.name(), op);
      }
      return new FileOperatorStore(file, Map.copyOf(read));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(file + " is not a readable operator list (" + SafeText.oneLine(
          String.valueOf(e.getMessage())) + "); restore it from a backup, or remove it to start with a new admin"
          + " token only", e);
    }
  }

  @Override
  public List<Operator> list() {
    return List.copyOf(new TreeMap<>(operators).values());
  }

  @Override
  public Optional<Operator> find(String name) {
    return Optional.ofNullable(operators.get(name));
  }

  @Override
  public Optional<Operator> authenticate(String token) {
    if (!Tokens.wellFormed(token)) {
      return Optional.empty();
    }
    Operator found = null;
    // Every operator is hashed, so how long this takes does not tell which one matched.
    for (Operator op : operators.values()) {
      if (Tokens.matches(op, token) && op.active()) {
        found = op;
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public synchronized Operator add(String name, Role role, String token, Instant at) {
    Operator existing = operators.get(Operator.checkName(name));
    if (existing != null) {
      throw OperatorStore.taken(existing);
    }
    byte[] salt = Tokens.salt();
    return save(new Operator(name, role, salt, Tokens.hash(salt, token), at, null));
  }

  @Override
  public synchronized Operator rotate(String name, String token) {
    Operator op = active(name);
    byte[] salt = Tokens.salt();
    return save(new Operator(name, op.role(), salt, Tokens.hash(salt, token), op.createdAt(), null));
  }

  @Override
  public synchronized Operator revoke(String name, Instant at) {
    return save(active(name).revoked(at));
  }

  private Operator active(String name) {
    Operator op = operators.get(name);
    if (op == null) {
      throw OperatorStore.unknown(name);
    }
    if (!op.active()) {
      throw OperatorStore.revoked(name);
    }
    return op;
  }

  /** Writes the whole list with this operator in it, then makes it the current one. */
  private Operator save(Operator changed) {
    Map<String, Operator> next = new TreeMap<>(operators);
    next.put(changed.name(), changed);
    ObjectNode root = JsonViews.MAPPER.createObjectNode();
    ArrayNode list = root.putArray("operators");
    for (Operator op : next.values()) {
      ObjectNode o = list.addObject();
      o.put("name", op.name());
      o.put("role", op.role().label());
      o.put("salt", HEX.formatHex(op.salt()));
      o.put("hash", HEX.formatHex(op.hash()));
      o.put("created_at", op.createdAt().toString());
      o.put("revoked_at", op.revokedAt() == null ? null : op.revokedAt().toString());
    }
    try {
      DataDirectory.writeOwnerOnly(file, JsonViews.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalStateException("cannot write the operators to " + file + ": " + e.getMessage(), e);
    }
    operators = Map.copyOf(next);
    return changed;
  }
}
