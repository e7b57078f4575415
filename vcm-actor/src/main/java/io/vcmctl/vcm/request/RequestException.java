package io.vcmctl.vcm.request;

import java.util.Objects;

/**
 * A tenant request, key or key file that cannot be used. The message is one line for the
 * operator: what is wrong and how to fix it; {@link #problem()} is for code that reacts to it.
 */
public final class RequestException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Longest piece of untrusted text quoted back in a message. */
  private static final int QUOTE_LIMIT = 64;

  /** What is wrong, one value per distinct error the operator can see. */
  public enum Problem {
    EMPTY,
    OVERSIZED,
    MALFORMED_JSON,
    TRUNCATED,
    NOT_AN_ENVELOPE,
    MALFORMED_PAYLOAD,
    UNSUPPORTED_VERSION,
    BAD_SIGNATURE,
    WRONG_KEY,
    WRONG_KIND,
    WRONG_VCM,
    EXPIRED,
    NOT_YET_VALID,
    UNKNOWN_PROPERTY,
    BAD_VALUE,
    BAD_KEY,
    MISSING_FIELD
  }

  private final Problem problem;

  public RequestException(Problem problem, String message) {
    super(message);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  public RequestException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  public Problem problem() {
    return problem;
  }

  /**
   * Quotes untrusted text for a message: control characters escaped so a request cannot
   * write to the operator's terminal, and long values cut so the message stays one line.
   */
  static String quote(String text) {
    return text == null ? "null" : "'" + escape(text, QUOTE_LIMIT) + "'";
  }

  /** A library's message (which may echo file content) reduced to one safe line. */
  static String oneLine(String text) {
    if (text == null || text.isBlank()) {
      return "no detail";
    }
    return escape(text.strip().replaceAll("\\s+", " "), 200);
  }

  private static String escape(String text, int limit) {
    StringBuilder out = new StringBuilder();
    int count = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (count++ == limit) {
        out.append("...");
        break;
      }
      int type = Character.getType(cp);
      if (Character.isISOControl(cp) || type == Character.FORMAT
          || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }
}
