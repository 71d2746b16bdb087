package io.waitroom.ratelimit;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.errors.ApiException;

/**
 * Runs right after {@link AuthHandler}: one token per request from the caller's bucket (the agent
 * for an agent key, the user for a human). Over the limit: 429 {@code RATE_LIMITED} with {@code
 * retryAfter} (whole seconds, at least 1) in the error and a {@code Retry-After} header. Every
 * limited response carries {@code X-RateLimit-Limit} and {@code X-RateLimit-Remaining}. {@code
 * OPTIONS} is never limited.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  private final RateLimiter limiter;

  public RateLimitHandler(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Actor actor = ctx.get(AuthHandler.ACTOR);
    if (ctx.request().method() == HttpMethod.OPTIONS || actor == null) {
      ctx.next();
      return;
    }
    limiter
        .take(actor.type() + ":" + actor.id())
        .onComplete(
            ar -> {
              if (ar.failed()) { // take() never fails; be permissive if it ever does
                ctx.next();
                return;
              }
              RateLimiter.Decision d = ar.result();
              ctx.response()
                  .putHeader("X-RateLimit-Limit", String.valueOf(d.limit()))
                  .putHeader("X-RateLimit-Remaining", String.valueOf(d.remaining()));
              if (d.allowed()) {
                ctx.next();
                return;
              }
              ctx.response().putHeader("Retry-After", String.valueOf(d.retryAfterSeconds()));
              ctx.fail(
                  new ApiException(
                      429,
                      "RATE_LIMITED",
                      "rate limit of "
                          + d.limit()
                          + " requests per minute exceeded; retry after "
                          + d.retryAfterSeconds()
                          + " s",
                      new JsonObject().put("retryAfter", d.retryAfterSeconds())));
            });
  }
}
