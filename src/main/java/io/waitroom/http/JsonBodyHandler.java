package io.waitroom.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.errors.ApiException;
import java.util.Locale;

/**
 * Every request body the API reads is JSON: a non-empty body sent as anything but {@code
 * application/json} or a {@code +json} type (or with no {@code Content-Type}) is {@code 415
 * UNSUPPORTED_MEDIA_TYPE}, so a form post or a text body is never half-understood.
 */
public final class JsonBodyHandler implements Handler<RoutingContext> {
  private final boolean bodyRead;

  private JsonBodyHandler(boolean bodyRead) {
    this.bodyRead = bodyRead;
  }

  /**
   * Before the body is read: a request that announces one ({@code Content-Length} above zero or
   * {@code Transfer-Encoding}) must announce JSON, so a form or multipart body is never parsed.
   */
  public static JsonBodyHandler beforeBody() {
    return new JsonBodyHandler(false);
  }

  /** After the body is read: catches a body that came without a length (HTTP/2 streams). */
  public static JsonBodyHandler afterBody() {
    return new JsonBodyHandler(true);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (!hasBody(ctx) || isJson(contentType)) {
      ctx.next();
      return;
    }
    ctx.fail(
        new ApiException(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Content-Type must be application/json (got " + shown(contentType) + ")",
            null));
  }

  private boolean hasBody(RoutingContext ctx) {
    if (bodyRead) {
      var body = ctx.body();
      return body != null && body.buffer() != null && body.length() > 0;
    }
    String length = ctx.request().getHeader("Content-Length");
    if (length != null) return !length.trim().equals("0");
    return ctx.request().getHeader("Transfer-Encoding") != null;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) return false;
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json")
        || (type.startsWith("application/") && type.endsWith("+json"));
  }

  private static String shown(String contentType) {
    if (contentType == null || contentType.isBlank()) return "none";
    String s = contentType.strip();
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
