package io.waitroom.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.util.Ids;

/** Takes a well-formed {@code X-Request-Id} from the caller or makes one; echoes it back. */
public final class RequestIdHandler implements Handler<RoutingContext> {
  public static final String KEY = "request_id";

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader("X-Request-Id");
    if (id == null || !wellFormed(id)) id = Ids.next("req_");
    ctx.put(KEY, id);
    ctx.response().putHeader("X-Request-Id", id);
    ctx.next();
  }

  private static boolean wellFormed(String id) {
    if (id.isEmpty() || id.length() > 128) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == ':')) {
        return false;
      }
    }
    return true;
  }
}
