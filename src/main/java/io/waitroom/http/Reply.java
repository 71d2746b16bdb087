package io.waitroom.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** A finished API answer: status plus the SPEC envelope. */
public record Reply(int status, JsonObject body) {

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

  public void write(RoutingContext ctx) {
    if (ctx.response().ended()) return;
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.toBuffer());
  }
}
