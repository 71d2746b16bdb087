package io.waitroom.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.errors.ApiException;
import java.util.Map;

/**
 * A finished API answer: status, the SPEC envelope and extra headers. Errors that are a stored
 * outcome rather than a failure (a check-in refused by policy is still written) are Replies too.
 */
public record Reply(int status, JsonObject body, Map<String, String> headers) {

  public Reply(int status, JsonObject body) {
    this(status, body, Map.of());
  }

  public static Reply ok(Object data) {
    return new Reply(200, new JsonObject().put("data", data));
  }

  public static Reply created(Object data) {
    return new Reply(201, new JsonObject().put("data", data));
  }

  public static Reply list(JsonArray data, String cursor, boolean hasMore) {
    return new Reply(
        200, new JsonObject().put("data", data).put("cursor", cursor).put("has_more", hasMore));
  }

  /** The error envelope as a normal answer. */
  public static Reply error(ApiException e) {
    JsonObject error =
        new JsonObject()
            .put("code", e.code())
            .put("message", e.getMessage())
            .put("statusCode", e.status());
    if (e.details() != null) error.put("details", e.details());
    return new Reply(e.status(), new JsonObject().put("error", error));
  }

  public Reply withHeader(String name, String value) {
    var h = new java.util.HashMap<>(headers);
    h.put(name, value);
    return new Reply(status, body, Map.copyOf(h));
  }

  public void write(RoutingContext ctx) {
    if (ctx.response().ended()) return;
    headers.forEach((k, v) -> ctx.response().putHeader(k, v));
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.toBuffer());
  }
}
