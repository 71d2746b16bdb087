package io.waitroom;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.waitroom.access.AccessRoutes;
import io.waitroom.access.RoleGate;
import io.waitroom.access.Sessions;
import io.waitroom.agents.AgentRoutes;
import io.waitroom.audit.AuditRoutes;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckInList;
import io.waitroom.checkins.CheckInRoutes;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.events.EventRoutes;
import io.waitroom.events.RoomStreams;
import io.waitroom.grants.GrantRoutes;
import io.waitroom.hooks.ClaudeCodeHookRoutes;
import io.waitroom.http.AllowedHostsHandler;
import io.waitroom.http.FailureHandler;
import io.waitroom.http.Idempotent;
import io.waitroom.http.InvalidRequestHandler;
import io.waitroom.http.JsonBodyHandler;
import io.waitroom.http.Reply;
import io.waitroom.http.RequestIdHandler;
import io.waitroom.mcp.McpRoutes;
import io.waitroom.notify.LinkRoutes;
import io.waitroom.openapi.OpenApiRoutes;
import io.waitroom.people.MeRoutes;
import io.waitroom.policy.PolicyRoutes;
import io.waitroom.push.PushRoutes;
import io.waitroom.ratelimit.RateLimitHandler;
import io.waitroom.receipts.ReceiptRoutes;
import io.waitroom.rooms.RoomRoutes;
import io.waitroom.signals.SignalRoutes;
import io.waitroom.slack.SlackRoutes;
import io.waitroom.stats.StatsRoutes;
import io.waitroom.tasks.TaskRoutes;
import io.waitroom.tasks.ThreadRoutes;
import io.waitroom.trust.TrustRoutes;
import io.waitroom.watchers.WatcherRoutes;
import io.waitroom.web.WebRoutes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Routing, auth and validation; one instance per core, all sharing the port. */
public final class HttpVerticle extends VerticleBase {
  public static final int BODY_LIMIT = 64 * 1024;

  /**
   * A Claude Code hook event carries the tool's whole input (a Write's file content): refusing a
   * large one with 413 would let the tool run unasked (Claude Code ignores non-2xx answers).
   */
  public static final int HOOK_BODY_LIMIT = 1024 * 1024;

  /**
   * Answers up to this size are never compressed, even for a client that accepts gzip (most HTTP
   * libraries say so by default): they fit one TCP segment either way, and compressing them cost a
   * status poll about 30% of its throughput (wrk with and without {@code Accept-Encoding}, issue
   * 15).
   */
  public static final int COMPRESS_ABOVE_BYTES = 1400;

  /** How long {@code /readyz} waits for the database before it answers 503. */
  static final long READY_TIMEOUT_MS = 2_000;

  private final Deps deps;
  private HttpServer server;
  private RoomStreams streams;

  public HttpVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(deps.config().host())
                .setPort(deps.config().port())
                .setCompressionSupported(true)
                .setCompressionContentSizeThreshold(COMPRESS_ABOVE_BYTES)
                .setMaxInitialLineLength(InvalidRequestHandler.MAX_LINE)
                .setMaxHeaderSize(InvalidRequestHandler.MAX_HEADERS)
                // A client that vanished or never finishes its request would otherwise hold its
                // socket forever; streams write pings well within this, long-polls end first.
                .setIdleTimeout(deps.config().effectiveHttpIdleTimeoutSeconds()));
    streams = new RoomStreams(vertx, deps);
    Router router = router(vertx, deps, streams);
    return streams
        .start()
        .compose(
            v ->
                server
                    .invalidRequestHandler(new InvalidRequestHandler())
                    .requestHandler(router)
                    .listen());
  }

  /** Every route the server serves, in order; the OpenAPI contract test reads it too. */
  public static Router router(Vertx vertx, Deps deps) {
    return router(vertx, deps, new RoomStreams(vertx, deps));
  }

  static Router router(Vertx vertx, Deps deps, RoomStreams streams) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIdHandler());
    // DNS-rebinding protection before anything else runs (the probes answer any Host).
    router.route().handler(new AllowedHostsHandler(deps.config().effectiveAllowedHosts()));
    // Vert.x refuses a WebSocket upgrade after an asynchronous handler (auth), unless held here.
    EventRoutes.mountUpgradeHold(router);
    FailureHandler failures = new FailureHandler();
    router.route().failureHandler(failures);
    // What the router answers by itself (no route, wrong method, a path it cannot decode such
    // as /v1/rooms/%zz) gets the same envelope instead of Vert.x's plain-text page.
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, failures.forStatus(status));
    }
    if (!deps.config().corsOrigins().isEmpty()) {
      // Preflights are answered here, before auth and the rate limit.
      router.route().handler(cors(deps.config().corsOrigins()));
    }

    // Order matters. Middleware routes carry no path, because Vert.x joins the path of every
    // route a request passes through into the metrics' route label ("/v1/*>/v1/rooms"). And
    // they all come before the endpoints: a route matching after an endpoint that refused the
    // method would turn the 405 into a 404.
    // Only JSON bodies: refused by their headers before the body is read, or once it is.
    onApi(router, JsonBodyHandler.beforeBody());
    router
        .route()
        .method(HttpMethod.POST)
        .method(HttpMethod.PUT)
        .method(HttpMethod.PATCH)
        .method(HttpMethod.DELETE)
        .handler(bodies());
    onApi(router, JsonBodyHandler.afterBody());
    AgentRoutes.mountPublic(router, deps);
    AuthHandler auth =
        new AuthHandler(
            deps.pool(),
            deps.jwt(),
            deps.agentKeys(),
            ctx -> Sessions.authenticate(deps.pool(), deps.config(), ctx));
    onApi(router, auth);
    // Roles (issue 27): the role each human request needs, in one table (access/RoleGate).
    onApi(router, new RoleGate(deps.pool()));
    RateLimitHandler limits = new RateLimitHandler(deps.rateLimiter());
    onApi(router, limits);

    router
        .get("/healthz")
        .handler(ctx -> Reply.ok(new JsonObject().put("status", "ok")).write(ctx));
    router.get("/readyz").handler(ctx -> ready(ctx, deps));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(deps.metricsRegistry()));
    // The API document (/openapi.json, /openapi.yaml) and the interactive docs (/docs).
    OpenApiRoutes.mount(router, deps);

    // The API, feature by feature; the hottest first (agents' check-ins, status polls, decisions):
    // the router tries routes in order, a regular expression each for those with a parameter.
    CheckInRoutes.mount(router, deps);
    RoomRoutes.mount(router, deps);
    PolicyRoutes.mount(router, deps);
    GrantRoutes.mount(router, deps);
    AgentRoutes.mount(router, deps);
    TrustRoutes.mount(router, deps);
    TaskRoutes.mount(router, deps);
    ThreadRoutes.mount(router, deps);
    AuditRoutes.mount(router, deps);
    // Receipts, the public keys (/.well-known/jwks.json, no auth) and the audit chain's check.
    ReceiptRoutes.mount(router, deps);
    WatcherRoutes.mount(router, deps);
    CheckInList.mount(router, deps);
    CheckInRoutes.mountGet(router, deps);
    SignalRoutes.mount(router, deps);
    PushRoutes.mount(router, deps);
    MeRoutes.mount(router, deps);
    // Slack: the org's app, rooms' channels, humans' links, and the interactivity endpoint
    // (signed by Slack: ordered ahead of the API's JSON-body, auth and rate-limit middleware).
    SlackRoutes.mount(router, deps);
    StatsRoutes.mount(router, deps);
    AccessRoutes.mount(router, deps);
    // Action links: /d/<token> pages (outside /v1: no bearer, the token is the credential).
    LinkRoutes.mount(router, deps);
    EventRoutes.mount(router, deps, streams);
    // MCP for coding agents: /mcp (Streamable HTTP), /sse + /messages (HTTP+SSE).
    McpRoutes.mount(router, deps);
    // Claude Code's "type": "http" hooks: a check-in before a tool call, answered as hook output.
    ClaudeCodeHookRoutes.mount(router, deps);
    // The dashboard (GET / and its assets) last: its asset route must not shadow another route.
    WebRoutes.mount(router, deps);

    return router;
  }

  /** Request bodies up to 64 KB; up to 1 MB for the Claude Code hook. */
  private static io.vertx.core.Handler<RoutingContext> bodies() {
    BodyHandler api = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
    BodyHandler hooks = BodyHandler.create(false).setBodyLimit(HOOK_BODY_LIMIT);
    return ctx -> {
      if (ClaudeCodeHookRoutes.PATH.equals(ctx.normalizedPath())) {
        ctx.put(FailureHandler.BODY_LIMIT_KEY, "1 MB");
        hooks.handle(ctx);
      } else {
        api.handle(ctx);
      }
    };
  }

  /** A middleware for the API's paths ({@code /v1/...}) only; see above why it has no path. */
  private static void onApi(Router router, io.vertx.core.Handler<RoutingContext> handler) {
    router
        .route()
        .handler(
            ctx -> {
              if (ctx.normalizedPath().startsWith("/v1/")) handler.handle(ctx);
              else ctx.next();
            });
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
                Idempotent.HEADER,
                "Last-Event-ID",
                "X-Request-Id",
                "Mcp-Session-Id",
                "MCP-Protocol-Version",
                "X-Waitroom-Client"))
        .exposedHeaders(
            Set.of(
                "X-Request-Id",
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                Idempotent.REPLAYED,
                "Mcp-Session-Id"))
        .maxAgeSeconds(600);
  }

  private static void ready(io.vertx.ext.web.RoutingContext ctx, Deps deps) {
    if (deps.draining().get()) {
      ctx.response()
          .setStatusCode(503)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", "draining").encode());
      return;
    }
    deps.pool()
        .query("SELECT count(*) AS n FROM flyway_schema_history WHERE success")
        .execute()
        // A database that swallows packets would hold the probe as long as the pool waits.
        .timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              boolean ok = ar.succeeded() && ar.result().iterator().next().getLong("n") > 0;
              if (!ok) {
                ctx.response()
                    .putHeader(
                        "Retry-After", String.valueOf(DatabaseUnavailable.RETRY_AFTER_SECONDS));
              }
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
