package io.waitroom.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.sqlclient.DatabaseException;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.errors.ApiException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into the SPEC error envelope; never leaks internals. */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(FailureHandler.class);

  /** A route with a body limit other than 64 KB names it here (e.g. "1 MB") for its 413. */
  public static final String BODY_LIMIT_KEY = "body_limit";

  @Override
  public void handle(RoutingContext ctx) {
    respond(ctx, ctx.statusCode());
  }

  /**
   * For {@code router.errorHandler(status, ...)}: the router does not always record the status on
   * the context it hands over (an undecodable path arrives with none), so it is passed here.
   */
  public Handler<RoutingContext> forStatus(int status) {
    return ctx -> respond(ctx, status);
  }

  private static void respond(RoutingContext ctx, int status) {
    if (ctx.response().ended() || ctx.response().headWritten()) return;
    Throwable t = ctx.failure();
    if (t instanceof HttpClosedException) {
      // The client went away mid-request: nobody to answer, nothing went wrong here.
      log.debug("request_id={} client closed the connection", Http.requestId(ctx));
      return;
    }
    if (DatabaseUnavailable.is(t)) {
      // A restart or a cut, not a bug: 503 with Retry-After, and one WARN line a second at most.
      DatabaseUnavailable.report("request_id=" + Http.requestId(ctx), t);
      write(ctx, DatabaseUnavailable.error());
      return;
    }
    ApiException e = toApi(t, status);
    String limit = ctx.get(BODY_LIMIT_KEY);
    if (e.status() == 413 && limit != null && e.getMessage().contains("64 KB")) {
      e = new ApiException(413, e.code(), e.getMessage().replace("64 KB", limit), e.details());
    }
    if (e.status() >= 500) {
      log.error(
          "request_id={} method={} path={} unexpected failure",
          Http.requestId(ctx),
          ctx.request().method(),
          ctx.request().path(),
          t);
    }
    write(ctx, e);
  }

  public static void write(RoutingContext ctx, ApiException e) {
    JsonObject error =
        new JsonObject()
            .put("code", e.code())
            .put("message", e.getMessage())
            .put("statusCode", e.status());
    if (e.details() != null) {
      error.put("details", e.details());
      if (e.details().containsKey("retryAfter")) {
        error.put("retryAfter", e.details().getValue("retryAfter"));
        ctx.response().putHeader("Retry-After", String.valueOf(e.details().getValue("retryAfter")));
      }
    }
    ctx.response()
        .setStatusCode(e.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(new JsonObject().put("error", error).toBuffer());
  }

  /** character_not_in_repertoire (text) and untranslatable_character (jsonb). */
  private static final Set<String> NUL_STATES = Set.of("22021", "22P05");

  private static ApiException toApi(Throwable t, int contextStatus) {
    if (t instanceof ApiException a) return a;
    if (t instanceof DecodeException) return ApiException.validation("body", "malformed JSON");
    if (t instanceof DatabaseException d && NUL_STATES.contains(d.getSqlState())) {
      // Text PostgreSQL cannot store (U+0000) that validation did not catch, e.g. in a path.
      return new ApiException(
          400,
          "VALIDATION_ERROR",
          "the request contains a NUL (U+0000) character, which is not allowed",
          null);
    }
    int status = t instanceof HttpException he ? he.getStatusCode() : contextStatus;
    return switch (status) {
      // BodyHandler or the router itself (e.g. an undecodable path): no one field to name.
      case 400 -> new ApiException(400, "VALIDATION_ERROR", "malformed request", null);
      case 401 -> ApiException.unauthorized("missing or invalid credentials");
      case 403 -> ApiException.forbidden("forbidden");
      case 404 -> new ApiException(404, "NOT_FOUND", "no such route", null);
      case 405 -> new ApiException(405, "METHOD_NOT_ALLOWED", "method not allowed", null);
      case 413 ->
          new ApiException(413, "PAYLOAD_TOO_LARGE", "request body exceeds the 64 KB limit", null);
      default -> new ApiException(500, "INTERNAL", "internal error", null);
    };
  }
}
