package io.vcmctl.orchestrator.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command that could not be carried out: the message is the one line printed after
 * {@code ERROR: }, and the process exits 1. Usage errors are picocli's
 * {@link picocli.CommandLine.ParameterException} instead, which exit 2.
 *
 * <p>A refusal by the daemon keeps its stable code (docs/rules.md), so the line reads
 * {@code R5 VCM_IN_USE: …}, and its reason as the daemon gave it.
 */
public final class CliException extends RuntimeException {

  private static final Pattern RULE = Pattern.compile("(R\\d+): (.*)", Pattern.DOTALL);

  private final String code;
  private final String reason;

  public CliException(String message) {
    super(message);
    this.code = null;
    this.reason = message;
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
    this.code = null;
    this.reason = message;
  }

  private CliException(String code, String reason) {
    super(coded(code, reason));
    this.code = code;
    this.reason = reason;
  }

  /** The daemon's refusal: its code, and its message naming the rule and the fix. */
  static CliException refused(String code, String reason) {
    return new CliException(code, reason);
  }

  /** The daemon's stable code, or null for an error found on this side. */
  public String code() {
    return code;
  }

  /** The daemon's own message, without the code. */
  public String reason() {
    return reason;
  }

  /** {@code R5 VCM_IN_USE: VCM … is in use…}, or {@code NOT_FOUND: no VCM …} for a refusal outside the rules. */
  static String coded(String code, String reason) {
    if (code == null || code.isEmpty()) {
      return reason;
    }
    Matcher rule = RULE.matcher(reason);
    return rule.matches() ? rule.group(1) + " " + code + ": " + rule.group(2) : code + ": " + reason;
  }
}
