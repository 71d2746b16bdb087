package io.waitroom.access;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.config.ServerConfig;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side browser sessions: a random id in an HttpOnly cookie, stored hashed, ending after 12
 * hours idle or 7 days in all, or at sign-out. The API takes the cookie as a human credential
 * besides the bearer JWT; a state change sent with the cookie must say it comes from the dashboard
 * ({@code X-Requested-With: waitroom}) or from the server's own origin ({@code Origin}), else 403:
 * another site's form or script cannot ride on the cookie (CSRF).
 */
public final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  public static final String COOKIE = "waitroom_session";
  public static final int IDLE_SECONDS = 12 * 3600;
  public static final int ABSOLUTE_SECONDS = 7 * 24 * 3600;
  public static final String CSRF_HEADER = "X-Requested-With";
  public static final String CSRF_VALUE = "waitroom";

  private Sessions() {}

  static Buffer hashOf(String secret) {
    try {
      return Buffer.buffer(
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts a session for the human in {@code tx}, audited; answers the cookie's value. */
  static Future<String> start(Tx tx, String orgId, String userId, String via) {
    String raw = Ids.secret("ws_", 43);
    return tx.conn()
        .preparedQuery(SignInSql.START_SESSION)
        .execute(Tuple.of(hashOf(raw), orgId, userId, via, ABSOLUTE_SECONDS))
        .compose(
            v ->
                tx.audit(
                    orgId,
                    null,
                    "human",
                    userId,
                    "session.signed_in",
                    "human",
                    userId,
                    new io.vertx.core.json.JsonObject().put("via", via)))
        .map(raw);
  }

  /** The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when the public URL is https. */
  static Cookie cookie(ServerConfig config, String raw) {
    return Cookie.cookie(COOKIE, raw)
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX)
        .setPath("/")
        .setSecure(config.secureCookies())
        .setMaxAge(ABSOLUTE_SECONDS);
  }

  /** A cookie that removes the session cookie from the browser. */
  static Cookie cleared(ServerConfig config) {
    return Cookie.cookie(COOKIE, "")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX)
        .setPath("/")
        .setSecure(config.secureCookies())
        .setMaxAge(0);
  }

  static String raw(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(COOKIE);
    if (c == null || c.getValue() == null || c.getValue().length() > 200) return null;
    return c.getValue().isEmpty() ? null : c.getValue();
  }

  /**
   * The human of the request's session cookie, or null when there is none; a cookie that names no
   * live session is 401, and a state change without the CSRF proof is 403.
   */
  public static Future<Actor.Human> authenticate(
      Pool pool, ServerConfig config, RoutingContext ctx) {
    String raw = raw(ctx);
    if (raw == null) return Future.succeededFuture(null);
    HttpMethod m = ctx.request().method();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS) {
      if (!sameSite(ctx, config)) {
        return Future.failedFuture(
            ApiException.forbidden(
                "a state change signed in by cookie must carry "
                    + CSRF_HEADER
                    + ": "
                    + CSRF_VALUE
                    + " or this server's Origin"));
      }
    }
    Buffer hash = hashOf(raw);
    return pool.preparedQuery(SignInSql.FIND_SESSION)
        .execute(Tuple.of(hash, IDLE_SECONDS))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw ApiException.unauthorized("the session has ended: sign in again");
              }
              Row r = rows.iterator().next();
              if (r.getBoolean("stale")) touch(pool, hash);
              return new Actor.Human(
                  r.getString("user_id"),
                  r.getString("org_id"),
                  r.getString("subject"),
                  r.getString("name"));
            });
  }

  /** Records the session's use (at most once a minute), without holding up the request. */
  private static void touch(SqlClient pool, Buffer hash) {
    pool.preparedQuery(SignInSql.TOUCH_SESSION)
        .execute(Tuple.of(hash))
        .onFailure(e -> log.warn("session touch failed: {}", e.toString()));
  }

  /** The CSRF proof: the dashboard's header, or an Origin that is this server's. */
  static boolean sameSite(RoutingContext ctx, ServerConfig config) {
    if (CSRF_VALUE.equals(ctx.request().getHeader(CSRF_HEADER))) return true;
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || origin.isEmpty() || "null".equals(origin)) return false;
    if (origin.equalsIgnoreCase(originOf(config.publicUrl()))) return true;
    String host = ctx.request().authority() == null ? null : ctx.request().authority().toString();
    String scheme = ctx.request().scheme();
    return host != null && origin.equalsIgnoreCase(scheme + "://" + host);
  }

  static String originOf(String url) {
    try {
      URI u = URI.create(url);
      return u.getScheme() + "://" + u.getRawAuthority();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Ends the request's session (sign-out), audited; nothing when there is none. */
  static Future<Void> end(Tx tx, RoutingContext ctx) {
    String raw = raw(ctx);
    if (raw == null) return Future.succeededFuture();
    return tx.conn()
        .preparedQuery(SignInSql.END_SESSION)
        .execute(Tuple.of(hashOf(raw)))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture();
              Row r = rows.iterator().next();
              String user = r.getString("user_id");
              return tx.audit(
                  r.getString("org_id"),
                  null,
                  "human",
                  user,
                  "session.signed_out",
                  "human",
                  user,
                  new io.vertx.core.json.JsonObject());
            });
  }
}
