package io.vcmctl.orchestrator.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.vcmctl.orchestrator.api.JsonViews;
import io.vcmctl.vcm.SafeText;
import io.vcmctl.vcm.request.Json;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A request body: a JSON object holding only the fields a call takes. An empty body is the
 * empty object. Anything else (not JSON, a duplicate or unknown field, a value of the wrong
 * type) is a one-line 400, so a typo can never be silently ignored.
 */
final class Body {

  // A duplicate key or text after the object would make the body mean two things.
  private static final ObjectReader READER = JsonViews.MAPPER.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private final JsonNode json;

  private Body(JsonNode json) {
    this.json = json;
  }

  /** The body of a call that takes {@code fields} (each optional here; see the getters). */
  static Body parse(byte[] bytes, List<String> fields) {
    if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return new Body(JsonViews.MAPPER.createObjectNode());
    }
    JsonNode json;
    try {
      json = READER.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw ApiError.badInput("the body is not valid JSON: " + Json.problem(e)
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + "; send one JSON object" + takes(fields));
    } catch (IOException e) {
      throw ApiError.badInput("the body cannot be read: " + SafeText.oneLine(e.getMessage()));
    }
    if (!json.isObject()) {
      throw ApiError.badInput("the body must be a JSON object" + takes(fields));
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw ApiError.badInput("unknown field " + SafeText.quote(name) + takes(fields));
      }
    }
    return new Body(json);
  }

  private static String takes(List<String> fields) {
    return fields.isEmpty() ? "; this call takes no fields, send {} or nothing"
        : "; this call takes " + String.join(", ", fields);
  }

  /** Whether the field is given and not {@code null}. */
  boolean has(String field) {
    JsonNode n = json.get(field);
    return n != null && !n.isNull();
  }

  Optional<String> text(String field) {
    if (!has(field)) {
      return Optional.empty();
    }
    JsonNode n = json.get(field);
    if (!n.isTextual()) {
      throw ApiError.badInput(field + " must be a JSON string");
    }
    return Optional.of(n.textValue());
  }

  String requiredText(String field) {
    return text(field).orElseThrow(() -> missing(field));
  }

  Optional<Boolean> bool(String field) {
    if (!has(field)) {
      return Optional.empty();
    }
    JsonNode n = json.get(field);
    if (!n.isBoolean()) {
      throw ApiError.badInput(field + " must be true or false");
    }
    return Optional.of(n.booleanValue());
  }

  /** A signed file carried as standard base64. */
  Optional<byte[]> base64(String field) {
    return text(field).map(t -> {
      try {
        return Base64.getDecoder().decode(t.strip());
      } catch (IllegalArgumentException e) {
        throw ApiError.badInput(field + " is not base64 (" + SafeText.oneLine(e.getMessage())
            + "); send the file's bytes with base64 -w0");
      }
    });
  }

  byte[] requiredBase64(String field) {
    return base64(field).orElseThrow(() -> missing(field));
  }

  /** A whole number that fits 64 bits; fractions, exponents and huge numbers are refused. */
  long requiredWhole(String field) {
    if (!has(field)) {
      throw missing(field);
    }
    JsonNode n = json.get(field);
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw ApiError.badInput(field + " must be a whole number between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
    }
    return n.longValue();
  }

  private static ApiError missing(String field) {
    return ApiError.badInput("missing field " + field);
  }
}
