package io.waitroom.client;

import java.util.Map;

/**
 * A failed call. For an API answer {@code code}, message, {@code statusCode} and {@code details}
 * are the server's own ({@code POLICY_FORBIDS}, {@code NOT_FOUND}, ...) and {@code requestId} its
 * {@code X-Request-Id}; without an answer {@code statusCode} is 0 and the code is {@code
 * NETWORK_ERROR}, {@code TIMEOUT} or {@code INTERRUPTED}.
 */
public class WaitroomException extends RuntimeException {
  private final String code;
  private final int statusCode;
  private final Map<String, Object> details;
  private final String requestId;
  private final Integer retryAfter;

  public WaitroomException(
      String code,
      String message,
      int statusCode,
      Map<String, Object> details,
      String requestId,
      Integer retryAfter,
      Throwable cause) {
    super(message, cause);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details == null ? Map.of() : details;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  public String code() {
    return code;
  }

  public int statusCode() {
    return statusCode;
  }

  /** The error's {@code details} (e.g. {@code field}, {@code check_in_id}); empty when none. */
  public Map<String, Object> details() {
    return details;
  }

  public String requestId() {
    return requestId;
  }

  /** Seconds the server asked to wait ({@code RATE_LIMITED}), else null. */
  public Integer retryAfter() {
    return retryAfter;
  }
}
