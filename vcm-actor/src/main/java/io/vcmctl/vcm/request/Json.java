package io.vcmctl.vcm.request;

import static io.vcmctl.vcm.SafeText.oneLine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.vcm.request.RequestException.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JSON of signed files, written and read as trees so the bytes stay under our control. */
public final class Json {

  // Duplicate keys and trailing data are refused: a signed document must have one reading.
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Pattern NON_NUMERIC = Pattern.compile("Non-standard token '([^']*)'");
  private static final Pattern UNRECOGNIZED_TOKEN = Pattern.compile("Unrecognized token '([a-z]*)'");
  private static final List<String> LITERALS = List.of("true", "false", "null");
  // Where a parser's message turns from the problem to its own classes and settings.
  private static final List<String> LIBRARY_TALK = List.of("`", "[Source", " (start marker", "Feature", "enable ");

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Compact JSON, fields in insertion order. */
  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses one JSON value, telling a document that was cut off ({@code TRUNCATED}) from one
   * that is not JSON at all ({@code malformed}); {@code what} names it in messages.
   */
  public static JsonNode parse(byte[] bytes, Problem malformed, String what) throws RequestException {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      if (endsEarly(e, bytes)) {
        throw new RequestException(Problem.TRUNCATED, what + " ends early (" + problem(e)
            + "); it was cut off, copy the whole file again", e);
      }
      throw new RequestException(malformed, what + " is not valid JSON (" + problem(e) + ")", e);
    } catch (IOException | RuntimeException e) {
      throw new RequestException(malformed,
          what + " is not valid JSON (" + oneLine(e.getMessage()) + ")", e);
    }
    if (node == null || node.isMissingNode()) {
      throw new RequestException(malformed, what + " holds no JSON value");
    }
    return node;
  }

  /**
   * What is wrong with a JSON text, in one line that names the problem in JSON's terms, never
   * the parser's classes or settings (which mean nothing to the sender and are no fix).
   */
  public static String problem(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    if (e instanceof StreamConstraintsException) {
      StreamReadConstraints limits = StreamReadConstraints.defaults();
      if (message.contains("nesting depth")) {
        return "arrays or objects are nested more than " + limits.getMaxNestingDepth() + " levels deep";
      }
      if (message.contains("Number value length")) {
        return "a number has more than " + limits.getMaxNumberLength() + " digits";
      }
      return "a value is longer than a JSON document here may hold";
    }
    if (message.startsWith("Trailing token")) {
      return "there is more text after the first JSON value";
    }
    Matcher nonNumeric = NON_NUMERIC.matcher(message);
    if (nonNumeric.lookingAt()) {
      return nonNumeric.group(1) + " is not a JSON number (JSON has no NaN or Infinity)";
    }
    if (message.contains("ALLOW_COMMENTS")) {
      return "JSON has no comments";
    }
    if (message.contains("plus sign")) {
      return "a number starts with +, which JSON does not allow";
    }
    int cut = message.length();
    for (String marker : LIBRARY_TALK) {
      int at = message.indexOf(marker);
      if (at >= 0 && at < cut) {
        cut = at;
      }
    }
    return oneLine(message.substring(0, cut).replaceAll("[\\s:;,(]+$", ""));
  }

  /**
   * Whether parsing failed only because the input stopped. Most such failures are a
   * JsonEOFException, but Jackson reports some as plain parse errors: one that names the end of
   * input (inside an object, between entries), and a literal cut short ("nu" of null) as an
   * unrecognized token.
   */
  private static boolean endsEarly(JsonProcessingException e, byte[] bytes) {
    String message = e.getOriginalMessage();
    if (e instanceof JsonEOFException || (message != null && message.contains("end-of-input"))) {
      return true;
    }
    Matcher token = message == null ? null : UNRECOGNIZED_TOKEN.matcher(message);
    return token != null && token.lookingAt() && !token.group(1).isEmpty()
        && LITERALS.stream().anyMatch(literal -> literal.startsWith(token.group(1)))
        && new String(bytes, StandardCharsets.UTF_8).endsWith(token.group(1));
  }
}
