package io.vcmctl.vcm.request;

import java.util.Objects;

/**
 * A tenant request, key or key file that cannot be used. The message is one line for the
 * operator: what is wrong and how to fix it; {@link #problem()} is for code that reacts to it.
 */
public final class RequestException extends Exception {

  private static final long serialVersionUID = 1L;

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
    VALIDITY_TOO_LONG,
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
}
