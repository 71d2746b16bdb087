package io.waitroom.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.waitroom.Deps;
import io.waitroom.agents.AgentRoutes;
import io.waitroom.audit.AuditRoutes;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckInRoutes;
import io.waitroom.events.EventRoutes;
import io.waitroom.events.RoomStreams;
import io.waitroom.policy.PolicyRoutes;
import io.waitroom.ratelimit.RateLimitHandler;
import io.waitroom.rooms.RoomRoutes;
import io.waitroom.signals.SignalRoutes;
import io.waitroom.tasks.TaskRoutes;
import io.waitroom.tasks.ThreadRoutes;
import io.waitroom.trust.TrustRoutes;
import io.waitroom.watchers.WatcherRoutes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Routing, auth and validation; one instance per core, all sharing the port. */
public final class HttpVerticle extends VerticleBase {
  public static final int BODY_LIMIT = 64 * 1024;
  private final Deps deps;
  private HttpServer server;
  private RoomStreams streams;

  public HttpVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIdHandler());
    EventRoutes.mountUpgradeHold(router);
    router.route().failureHandler(new FailureHandler());
    if (!deps.config().corsOrigins().isEmpty()) {
      // Preflights are answered here, before auth and the rate limit.
      router.route().handler(cors(deps.config().corsOrigins()));
    }
    router.errorHandler(404, ctx -> FailureHandler.write(ctx, notFound()));
    router.errorHandler(
        405,
        ctx ->
            FailureHandler.write(
                ctx, new ApiException(405, "METHOD_NOT_ALLOWED", "method not allowed", null)));

    router
        .get("/healthz")
        .handler(ctx -> Reply.ok(new JsonObject().put("status", "ok")).write(ctx));
    router.get("/readyz").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(deps.metricsRegistry()));

    router
        .route("/v1/*")
        .method(HttpMethod.POST)
        .method(HttpMethod.PUT)
        .method(HttpMethod.PATCH)
        .method(HttpMethod.DELETE)
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    AgentRoutes.mountPublic(router, deps);
    router.route("/v1/*").handler(new AuthHandler(deps.pool(), deps.jwt()));
    router.route("/v1/*").handler(new RateLimitHandler(deps.rateLimiter()));

    // The API, feature by feature.
    RoomRoutes.mount(router, deps);
    PolicyRoutes.mount(router, deps);
    AgentRoutes.mount(router, deps);
    TrustRoutes.mount(router, deps);
    CheckInRoutes.mount(router, deps);
    TaskRoutes.mount(router, deps);
    ThreadRoutes.mount(router, deps);
    AuditRoutes.mount(router, deps);
    WatcherRoutes.mount(router, deps);
    CheckInRoutes.mountGet(router, deps);
    SignalRoutes.mount(router, deps);
    streams = new RoomStreams(vertx, deps);
    EventRoutes.mount(router, deps, streams);

    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(deps.config().host())
                .setPort(deps.config().port())
                .setCompressionSupported(true)
                .setIdleTimeout(0));
    return streams.start().compose(v -> server.requestHandler(router).listen());
  }

  @Override
  public Future<?> stop() {
    // End the streams first (with a final comment, so clients reconnect to another node) and let
    // long-polls answer now, then stop accepting and let in-flight requests finish (up to 10 s).
    deps.waiters().close();
    Future<Void> streamsClosed = streams == null ? Future.succeededFuture() : streams.close();
    return streamsClosed
        .recover(e -> Future.succeededFuture())
        .compose(
            v -> server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS));
  }

  /** CORS for the configured origins ({@code *} allows any). */
  static CorsHandler cors(List<String> origins) {
    CorsHandler cors = CorsHandler.create();
    if (origins.contains("*")) cors.addOrigin("*");
    else cors.addOrigins(origins);
    return cors.allowedMethods(
            Set.of(
                HttpMethod.GET,
                HttpMethod.POST,
                HttpMethod.PUT,
                HttpMethod.PATCH,
                HttpMethod.DELETE,
                HttpMethod.OPTIONS))
        .allowedHeaders(
            Set.of(
                "Authorization",
                "Content-Type",
                Idempotency.HEADER,
                "Last-Event-ID",
                "X-Request-Id"))
        .exposedHeaders(
            Set.of(
                "X-Request-Id",
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                Idempotency.REPLAYED))
        .maxAgeSeconds(600);
  }

  private static ApiException notFound() {
    return new ApiException(404, "NOT_FOUND", "no such route", null);
  }

  private void ready(io.vertx.ext.web.RoutingContext ctx) {
    if (deps.draining().get()) {
      ctx.response().setStatusCode(503).end(new JsonObject().put("status", "draining").encode());
      return;
    }
    deps.pool()
        .query("SELECT count(*) AS n FROM flyway_schema_history WHERE success")
        .execute()
        .onComplete(
            ar -> {
              boolean ok = ar.succeeded() && ar.result().iterator().next().getLong("n") > 0;
              ctx.response()
                  .setStatusCode(ok ? 200 : 503)
                  .putHeader("Content-Type", "application/json")
                  .end(
                      new JsonObject()
                          .put("status", ok ? "ready" : "unavailable")
                          .put("database", ar.succeeded() ? "up" : "down")
                          .encode());
            });
  }
}
