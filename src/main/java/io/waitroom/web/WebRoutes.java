package io.waitroom.web;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.waitroom.Deps;
import java.util.Map;

/**
 * The dashboard: {@code GET /} and its static assets (hand-written ES modules, CSS, the service
 * worker) straight from the jar's {@code web/} folder, with no build step and no remote origin.
 */
public final class WebRoutes {
  static final String ROOT = "web";

  /**
   * Scripts, styles, images and connections only from this server; no inline script or style (the
   * page sets text with textContent and never injects markup), no plugins, no framing.
   */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
          + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /**
   * Types Vert.x's MIME table lacks: without it the manifest would go out untyped, and with {@code
   * nosniff} a browser may refuse it.
   */
  static final Map<String, String> TYPES =
      Map.of(".webmanifest", "application/manifest+json; charset=utf-8");

  private WebRoutes() {}

  public static void mount(Router router, Deps deps) {
    // Last-Modified comes from the jar; Cache-Control is replaced with no-cache in secure(), so a
    // browser revalidates every load (a cheap 304) and never runs an old module after an upgrade.
    StaticHandler files =
        StaticHandler.create(ROOT).setIndexPage("index.html").setDirectoryListing(false);
    router
        .get("/")
        .handler(
            ctx -> {
              secure(ctx);
              files.handle(ctx);
            });
    // Assets live at the root, one path segment each (/app.js, /sw.js: a service worker's scope
    // is its own folder). A one-segment pattern never sees /v1/..., so the API keeps its 405s.
    router
        .get("/:file")
        .handler(
            ctx -> {
              secure(ctx);
              files.handle(ctx);
            });
  }

  private static void secure(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY");
    ctx.addHeadersEndHandler(
        v -> {
          if (res.getStatusCode() >= 400) return;
          res.headers().set("Cache-Control", "no-cache");
          String path = ctx.normalizedPath();
          TYPES.forEach(
              (suffix, type) -> {
                if (path.endsWith(suffix)) res.headers().set("Content-Type", type);
              });
        });
  }
}
