package io.vcmctl.orchestrator.http;

import java.time.Duration;

/** Untrusted text made safe for a one-line error message, and durations as the CLI writes them. */
final class Text {

  private static final int QUOTE_LIMIT = 64;
  private static final int LINE_LIMIT = 200;

  private Text() {}

  /** Quoted, control characters escaped and long values cut, so a caller cannot forge lines. */
  static String quote(String text) {
    return text == null ? "null" : "'" + escape(text, QUOTE_LIMIT) + "'";
  }

  /** A library's message (which may echo input) reduced to one safe line. */
  static String oneLine(String text) {
    return text == null || text.isBlank() ? "no detail" : escape(text.strip().replaceAll("\\s+", " "), LINE_LIMIT);
  }

  /** {@code 30s}, {@code 5m}, {@code 24h}: the form the command lines take. */
  static String duration(Duration d) {
    long s = d.toSeconds();
    return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
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
