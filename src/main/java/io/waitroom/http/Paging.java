package io.waitroom.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.waitroom.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * Keyset pagination behind an opaque cursor. The cursor names the list it belongs to (its scope,
 * e.g. {@code rooms:org_x}), so a cursor from another list or another org is refused rather than
 * silently misread. Keys are unique ids, so inserts between pages neither repeat nor skip rows.
 */
public record Paging(int limit, String after) {

  public static Paging of(RoutingContext ctx, String scope, int defaultLimit) {
    int limit = Requests.queryLimit(ctx, defaultLimit);
    String cursor = ctx.request().getParam("cursor");
    if (cursor == null || cursor.isEmpty()) return new Paging(limit, null);
    return new Paging(limit, decode(cursor, scope));
  }

  /** Fetch {@code limit + 1} rows; this turns them into the list envelope. */
  public Reply reply(RowSet<Row> rows, String scope, Function<Row, JsonObject> map, String keyCol) {
    JsonArray data = new JsonArray();
    String lastKey = null;
    int n = 0;
    boolean hasMore = false;
    for (Row r : rows) {
      if (n == limit) {
        hasMore = true;
        break;
      }
      data.add(map.apply(r));
      lastKey = String.valueOf(r.getValue(keyCol));
      n++;
    }
    return Reply.list(data, hasMore ? encode(scope, lastKey) : null, hasMore);
  }

  public int fetch() {
    return limit + 1;
  }

  static String encode(String scope, String key) {
    String raw = scope + "\n" + key;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static String decode(String cursor, String scope) {
    String raw;
    try {
      raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation("cursor", "is not a valid cursor");
    }
    int nl = raw.indexOf('\n');
    // Keys are ids: a NUL (which PostgreSQL refuses) or an overlong key is no cursor of ours.
    if (nl < 0 || nl == raw.length() - 1 || raw.indexOf('\0') >= 0 || raw.length() - nl > 201) {
      throw ApiException.validation("cursor", "is not a valid cursor");
    }
    if (!raw.substring(0, nl).equals(scope)) {
      throw ApiException.validation("cursor", "does not belong to this list");
    }
    return raw.substring(nl + 1);
  }
}
