package io.waitroom.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves the caller of every {@code /v1} request into an {@link Actor}, or fails with 401.
 * Unclaimed agents may only read {@code GET /v1/agents/me}.
 */
public final class AuthHandler implements Handler<RoutingContext> {
  public static final String ACTOR = "actor";
  private static final int HUMAN_CACHE_MAX = 100_000;

  private final Pool pool;
  private final JwtVerifier jwt;
  private final AgentKeyCache agentKeys;
  // (org claim, sub, name, email, role claim) -> ids. Safe to cache: once created, these rows never
  // change identity; a token with another name, address or role claim misses and stores them (each
  // sign-in). The role itself is never cached: RoleGate and the decision statements read it.
  private final Map<String, String[]> humans = new ConcurrentHashMap<>();

  public AuthHandler(Pool pool, JwtVerifier jwt, AgentKeyCache agentKeys) {
    this(pool, jwt, agentKeys, null);
  }

  /**
   * @param cookies the human of a request's session cookie (null when it has none), tried when the
   *     request has no bearer credential; null: cookies are not credentials here
   */
  public AuthHandler(
      Pool pool,
      JwtVerifier jwt,
      AgentKeyCache agentKeys,
      java.util.function.Function<RoutingContext, Future<Actor.Human>> cookies) {
    this.pool = pool;
    this.jwt = jwt;
    this.agentKeys = agentKeys;
    this.cookies = cookies;
  }

  private final java.util.function.Function<RoutingContext, Future<Actor.Human>> cookies;

  @Override
  public void handle(RoutingContext ctx) {
    authenticate(ctx)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              Actor a = ar.result();
              if (a instanceof Actor.Agent ag && !ag.claimed() && !isAgentsMe(ctx)) {
                ctx.fail(
                    ApiException.forbidden(
                        "this agent is not claimed yet: only GET /v1/agents/me is allowed"));
                return;
              }
              ctx.put(ACTOR, a);
              ctx.next();
            });
  }

  /**
   * Who sent the request (claimed or not), or a failed future with 401. For endpoints outside
   * {@code /v1} that apply their own guards (MCP: an unclaimed agent may open a session and gets
   * the API's 403 from each tool).
   */
  public Future<Actor> authenticate(RoutingContext ctx) {
    String credential = credential(ctx);
    if (credential == null && cookies != null && ctx.request().getHeader("Authorization") == null) {
      return cookies
          .apply(ctx)
          .compose(
              h ->
                  h != null
                      ? Future.succeededFuture((Actor) h)
                      : Future.failedFuture(
                          ApiException.unauthorized(
                              "missing credentials: send Authorization: Bearer <key or token>,"
                                  + " or sign in")));
    }
    if (credential == null) {
      return Future.failedFuture(
          ApiException.unauthorized(
              "missing credentials: send Authorization: Bearer <key or token>"));
    }
    return credential.startsWith(AgentKeys.PREFIX)
        ? agent(credential).map(a -> (Actor) a)
        : human(credential).map(h -> (Actor) h);
  }

  /** The route also matches with a trailing slash, so the exemption must too. */
  private static boolean isAgentsMe(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    return ctx.request().method() == HttpMethod.GET
        && ("/v1/agents/me".equals(path) || "/v1/agents/me/".equals(path));
  }

  /** Bearer header; browsers' EventSource and WebSocket may use {@code ?access_token=}. */
  private static String credential(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h != null) {
      if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        String c = h.substring(7).trim();
        return c.isEmpty() ? null : c;
      }
      return null;
    }
    String path = ctx.normalizedPath();
    if (ctx.request().method() == HttpMethod.GET
        && (path.endsWith("/events") || path.endsWith("/ws"))) {
      String q = ctx.request().getParam("access_token");
      return q == null || q.isEmpty() ? null : q;
    }
    return null;
  }

  private Future<Actor.Agent> agent(String key) {
    if (!AgentKeys.wellFormed(key)) {
      return Future.failedFuture(ApiException.unauthorized("invalid agent key"));
    }
    String prefix = AgentKeys.lookupPrefix(key);
    AgentKeyCache.Entry cached = agentKeys.get(prefix);
    if (cached != null) return Future.succeededFuture(checked(key, cached));
    long since = agentKeys.generation();
    return pool.preparedQuery(AuthSql.AGENT_BY_PREFIX)
        .execute(Tuple.of(prefix))
        .map(
            rows -> {
              Row r = rows.iterator().hasNext() ? rows.iterator().next() : null;
              if (r == null) throw ApiException.unauthorized("invalid agent key");
              String[] scopes = r.getArrayOfStrings("room_scopes");
              AgentKeyCache.Entry e =
                  new AgentKeyCache.Entry(
                      r.getString("id"),
                      r.getString("org_id"),
                      r.getString("name"),
                      scopes == null ? List.of() : Arrays.asList(scopes),
                      r.getBuffer("key_hash").getBytes(),
                      System.nanoTime());
              Actor.Agent agent = checked(key, e);
              agentKeys.put(prefix, e, since);
              return agent;
            });
  }

  /** The agent, if the presented key matches the row's hash; 401 otherwise. */
  private static Actor.Agent checked(String key, AgentKeyCache.Entry e) {
    if (!AgentKeys.matches(key, e.hash())) throw ApiException.unauthorized("invalid agent key");
    return new Actor.Agent(e.id(), e.orgId(), e.name(), e.scopes());
  }

  private Future<Actor.Human> human(String token) {
    return jwt.verify(token)
        .compose(
            c -> {
              String cacheKey =
                  c.org()
                      + '\u0000'
                      + c.subject()
                      + '\u0000'
                      + c.name()
                      + '\u0000'
                      + c.email()
                      + '\u0000'
                      + c.role();
              String[] ids = humans.get(cacheKey);
              if (ids != null) {
                return Future.succeededFuture(
                    new Actor.Human(ids[0], ids[1], c.subject(), c.name()));
              }
              return pool.preparedQuery(AuthSql.UPSERT_HUMAN)
                  .execute(
                      Tuple.of(
                          Ids.next(Ids.ORG),
                          c.org(),
                          Ids.next(Ids.USER),
                          c.subject(),
                          c.name(),
                          c.email(),
                          c.role()))
                  .map(
                      rows -> {
                        Row r = rows.iterator().next();
                        String[] found = {r.getString("id"), r.getString("org_id")};
                        if (humans.size() > HUMAN_CACHE_MAX) humans.clear();
                        humans.put(cacheKey, found);
                        return new Actor.Human(found[0], found[1], c.subject(), c.name());
                      });
            });
  }

  // ---- guards ----

  public static Actor actor(RoutingContext ctx) {
    Actor a = ctx.get(ACTOR);
    if (a == null) throw ApiException.unauthorized("missing credentials");
    return a;
  }

  public static Actor.Agent agentOnly(RoutingContext ctx) {
    if (actor(ctx) instanceof Actor.Agent a) return a;
    throw ApiException.forbidden("this endpoint requires an agent key");
  }

  public static Actor.Human humanOnly(RoutingContext ctx) {
    if (actor(ctx) instanceof Actor.Human h) return h;
    throw ApiException.forbidden("this endpoint requires a human token");
  }
}
