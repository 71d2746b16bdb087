package io.waitroom.openapi;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.waitroom.Deps;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code GET /openapi.yaml}, {@code GET /openapi.json} and {@code GET /docs}: the API document and
 * Swagger UI over it, all served from the jar (no CDN), none of it behind auth.
 */
public final class OpenApiRoutes {
  /** Our own page and Swagger UI's configuration. */
  static final String DOCS_ROOT = "openapi/docs";

  private OpenApiRoutes() {}

  public static void mount(Router router, Deps deps) {
    OpenApiDocument doc = OpenApiDocument.get();
    router
        .get("/openapi.yaml")
        .handler(ctx -> send(ctx, "application/yaml; charset=utf-8", doc.yaml()));
    router
        .get("/openapi.json")
        .handler(ctx -> send(ctx, "application/json; charset=utf-8", doc.json()));
    router
        .get("/docs")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .sendFile(DOCS_ROOT + "/index.html"));
    // Our files first (index.html, waitroom-docs.js); a miss falls through to Swagger UI's.
    router.get("/docs/*").handler(StaticHandler.create(DOCS_ROOT));
    router.get("/docs/*").handler(StaticHandler.create(SwaggerUi.ROOT));
  }

  private static void send(RoutingContext ctx, String contentType, Buffer body) {
    ctx.response()
        .putHeader("Content-Type", contentType)
        .putHeader("Cache-Control", "no-cache")
        .end(body);
  }

  /** Where the {@code org.webjars:swagger-ui} jar keeps its files, whatever its version. */
  static final class SwaggerUi {
    static final String ROOT = "META-INF/resources/webjars/swagger-ui/" + version();

    private SwaggerUi() {}

    private static String version() {
      String props = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
      try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(props)) {
        if (in == null) throw new IllegalStateException("org.webjars:swagger-ui is missing");
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
