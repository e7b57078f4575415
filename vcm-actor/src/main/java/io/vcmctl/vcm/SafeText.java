package io.vcmctl.vcm;

/**
 * Untrusted text (from a request file, an HTTP body, a library's message that echoes input)
 * made safe for a one-line error: control and formatting characters escaped so it cannot
 * write to an operator's terminal or forge lines, and long values cut.
 */
public final class SafeText {

  private static final int QUOTE_LIMIT = 64;
  private static final int LINE_LIMIT = 200;

  private SafeText() {}

  /** The text in single quotes, escaped and cut. */
  public static String quote(String text) {
    return text == null ? "null" : "'" + escape(text, QUOTE_LIMIT) + "'";
  }

  /** A message reduced to one safe line. */
  public static String oneLine(String text) {
    if (text == null || text.isBlank()) {
      return "no detail";
    }
    return escape(text.strip().replaceAll("\\s+", " "), LINE_LIMIT);
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
