package io.waitroom.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Adapts a {@code ctx -> Future<Reply>} function into a route handler. */
public final class Http {
  private Http() {}

  public static Handler<RoutingContext> handle(Function<RoutingContext, Future<Reply>> fn) {
    return ctx -> {
      Future<Reply> f;
      try {
        f = fn.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      f.onComplete(
          ar -> {
            if (ar.succeeded()) ar.result().write(ctx);
            else ctx.fail(ar.cause());
          });
    };
  }

  public static String requestId(RoutingContext ctx) {
    String id = ctx.get(RequestIdHandler.KEY);
    return id == null ? "-" : id;
  }
}
