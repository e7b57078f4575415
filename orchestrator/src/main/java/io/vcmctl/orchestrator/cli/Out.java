package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What the commands print: {@code --json} prints the API's object as it came; the default is
 * {@code key: value} lines with the same snake_case names, nested objects indented.
 */
final class Out {

  private static final PrintStream OUT = System.out;

  private Out() {}

  /** The operator guide's advice a command went against: one {@code WARNING: …} line each on stderr. */
  static void warnings(JsonNode reply) {
    for (JsonNode warning : reply.path("warnings")) {
      System.err.println("WARNING: " + warning.asText());
    }
  }

  static void json(JsonNode node) {
    OUT.println(Json.pretty(node));
  }

  static void line(String key, Object value) {
    OUT.println(key + ": " + (value == null ? "-" : value));
  }

  /** As {@code --json} asks: the API's JSON, or its fields as {@code key: value} lines. */
  static void object(JsonNode object, boolean json) {
    if (json) {
      json(object);
    } else {
      fields(object);
    }
  }

  /** Every field of an object, nested objects indented. */
  static void fields(JsonNode object) {
    fields(object, "");
  }

  /** As {@code --json} asks: the API's JSON, or the named fields and any {@code unchanged} as lines. */
  static void object(JsonNode object, boolean json, List<String> names) {
    if (json) {
      json(object);
      return;
    }
    fields(object, names);
    if (object.has("unchanged")) {
      field("unchanged", object.get("unchanged"));
    }
  }

  /** Only the named fields, in this order. */
  static void fields(JsonNode object, List<String> names) {
    for (String name : names) {
      field(name, object.path(name), "");
    }
  }

  /** Rows in columns, each as wide as its widest cell; the first row is the header. */
  static void table(List<List<String>> rows) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
      }
      OUT.println(line);
    }
  }

  private static void fields(JsonNode object, String indent) {
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      field(e.getKey(), e.getValue(), indent);
    }
  }

  /** One field; an object as indented lines, a list on one line. */
  static void field(String name, JsonNode value) {
    field(name, value, "");
  }

  private static void field(String name, JsonNode value, String indent) {
    if (value.isObject()) {
      OUT.println(indent + name + ":" + (value.isEmpty() ? " (none)" : ""));
      fields(value, indent + "  ");
    } else {
      OUT.println(indent + name + ": " + line(value));
    }
  }

  /** One value alone, as {@code key: value} would show it: for scripts. */
  static void value(JsonNode value) {
    if (value.isObject()) {
      fields(value, "");
    } else {
      OUT.println(line(value));
    }
  }

  /** A value or a list on one line. */
  private static String line(JsonNode value) {
    if (!value.isArray()) {
      return text(value);
    }
    StringBuilder items = new StringBuilder();
    for (JsonNode item : value) {
      items.append(items.length() == 0 ? "" : ", ").append(text(item));
    }
    return items.length() == 0 ? "(none)" : items.toString();
  }

  private static String text(JsonNode value) {
    if (value.isNull() || value.isMissingNode()) {
      return "-";
    }
    return value.isValueNode() ? value.asText() : Json.compact(value);
  }
}
