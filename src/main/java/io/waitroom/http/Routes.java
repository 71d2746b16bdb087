package io.waitroom.http;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * A feature's endpoints, each a handler that answers a {@link Reply} future (run through {@link
 * Http#handle}), so a feature's {@code mount} reads as its list of routes: {@code
 * Routes.on(router).post("/v1/rooms", r::create).get("/v1/rooms", r::list)}.
 */
public final class Routes {
  private final Router router;

  private Routes(Router router) {
    this.router = router;
  }

  public static Routes on(Router router) {
    return new Routes(router);
  }

  public Routes get(String path, Function<RoutingContext, Future<Reply>> handler) {
    router.get(path).handler(Http.handle(handler));
    return this;
  }

  public Routes post(String path, Function<RoutingContext, Future<Reply>> handler) {
    router.post(path).handler(Http.handle(handler));
    return this;
  }

  public Routes put(String path, Function<RoutingContext, Future<Reply>> handler) {
    router.put(path).handler(Http.handle(handler));
    return this;
  }

  public Routes delete(String path, Function<RoutingContext, Future<Reply>> handler) {
    router.delete(path).handler(Http.handle(handler));
    return this;
  }
}
