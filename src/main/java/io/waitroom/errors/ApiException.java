package io.waitroom.errors;

import io.vertx.core.json.JsonObject;

/** A failure that maps one-to-one onto the SPEC error envelope. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonObject details;

  public ApiException(int status, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  /** 400 naming the offending field, both in the message and in {@code details.field}. */
  public static ApiException validation(String field, String message) {
    return new ApiException(
        400, "VALIDATION_ERROR", field + ": " + message, new JsonObject().put("field", field));
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "UNAUTHORIZED", message, null);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "FORBIDDEN", message, null);
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "NOT_FOUND", what + " not found", null);
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, "CONFLICT", message, null);
  }

  public static ApiException conflict(String message, JsonObject details) {
    return new ApiException(409, "CONFLICT", message, details);
  }
}
