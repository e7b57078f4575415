package io.vcmctl.orchestrator.http;

import io.vcmctl.vcm.Refusal;

/**
 * A call the HTTP layer refuses before the orchestrator sees it (authentication, malformed
 * input): an HTTP status, a stable code and the one-line message of the error body.
 */
public final class ApiError extends RuntimeException {

  public static final String UNAUTHORIZED = "UNAUTHORIZED";
  public static final String STALE_CALL = "STALE_CALL";
  public static final String REPLAYED_CALL = "REPLAYED_CALL";
  public static final String BAD_SIGNATURE = "BAD_SIGNATURE";
  public static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";
  public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
  public static final String INTERNAL = "INTERNAL";

  private final int status;
  private final String code;

  public ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static ApiError badInput(String message) {
    return new ApiError(400, Refusal.Code.INVALID_ARGUMENT.name(), message);
  }

  static ApiError unauthorized(String code, String message) {
    return new ApiError(401, code, message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
