package io.waitroom.agents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AgentKeys;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import io.waitroom.validation.Fields;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/agents}: registration, self-registration, claiming and lookup. */
public final class AgentRoutes {
  static final int CLAIM_TTL_DAYS = 7;
  private final Deps deps;

  private AgentRoutes(Deps deps) {
    this.deps = deps;
  }

  /** The one unauthenticated API route; mounted before the auth handler. */
  public static void mountPublic(Router router, Deps deps) {
    AgentRoutes r = new AgentRoutes(deps);
    Routes.on(router).post("/v1/agents/self-register", r::selfRegister);
  }

  public static void mount(Router router, Deps deps) {
    AgentRoutes r = new AgentRoutes(deps);
    Routes.on(router)
        .post("/v1/agents/register", r::register)
        .post("/v1/agents/claim", r::claim)
        .get("/v1/agents/me", r::me)
        .get("/v1/agents", r::list)
        .get("/v1/agents/:agent", r::get);
  }

  static JsonObject toJson(Row r) {
    String[] scopes = r.getArrayOfStrings("room_scopes");
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("org_id", r.getString("org_id"))
        .put("name", r.getString("name"))
        .put("description", r.getString("description"))
        .put("platform", r.getString("platform"))
        .put("room_scopes", new JsonArray(scopes == null ? List.of() : List.of(scopes)))
        .put("status", r.getString("org_id") == null ? "pending_claim" : "active")
        .put("key_prefix", r.getString("key_prefix"))
        .put("registered_by", r.getString("registered_by"))
        .put("claimed_by", r.getString("claimed_by"))
        .put("claimed_at", Time.iso(r.getOffsetDateTime("claimed_at")))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")))
        .put("updated_at", Time.iso(r.getOffsetDateTime("updated_at")));
  }

  private record Profile(String name, String description, String platform) {
    static Profile from(JsonObject body) {
      return new Profile(
          Fields.requiredString(body, "name", 1, 200),
          Fields.optionalString(body, "description", 2000),
          Fields.optionalString(body, "platform", 100));
    }
  }

  private Future<Reply> register(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    Profile p = Profile.from(body);
    List<String> refs = Fields.optionalStringList(body, "room_scopes", 100, 200);
    Future<String[]> scopes =
        refs == null || refs.isEmpty()
            ? Future.succeededFuture(new String[0])
            : RoomRepository.idsByRefs(deps.pool(), human.orgId(), refs)
                .map(
                    found -> {
                      List<String> ids = new ArrayList<>();
                      for (int i = 0; i < refs.size(); i++) {
                        String id = found.get(refs.get(i));
                        if (id == null) {
                          throw ApiException.validation(
                              "room_scopes[" + i + "]",
                              "no room '" + refs.get(i) + "' in this org");
                        }
                        if (!ids.contains(id)) ids.add(id);
                      }
                      return ids.toArray(String[]::new);
                    });
    String key = AgentKeys.newKey();
    return scopes.compose(
        ids ->
            Tx.run(
                    deps.vertx(),
                    deps.pool(),
                    tx ->
                        insert(tx.conn(), human.orgId(), p, ids, key, null, null, human.id())
                            .compose(
                                row -> {
                                  JsonObject agent = toJson(row);
                                  return tx.audit(
                                          human,
                                          null,
                                          "agent.registered",
                                          "agent",
                                          agent.getString("id"),
                                          agent)
                                      .map(agent);
                                }))
                .map(agent -> Reply.created(agent.put("api_key", key))));
  }

  private Future<Reply> selfRegister(RoutingContext ctx) {
    JsonObject body = Requests.body(ctx);
    Profile p = Profile.from(body);
    String key = AgentKeys.newKey();
    String claimToken = AgentKeys.newClaimToken();
    OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusDays(CLAIM_TTL_DAYS);
    return insert(deps.pool(), null, p, new String[0], key, claimToken, expires, null)
        .map(
            row ->
                Reply.created(
                    toJson(row)
                        .put("api_key", key)
                        .put("claim_token", claimToken)
                        // As stored (microseconds), so /me later shows the very same value.
                        .put(
                            "claim_expires_at",
                            Time.iso(row.getOffsetDateTime("claim_expires_at")))));
  }

  private static Future<Row> insert(
      SqlClient db,
      String orgId,
      Profile p,
      String[] scopes,
      String key,
      String claimToken,
      OffsetDateTime claimExpires,
      String registeredBy) {
    return db.preparedQuery(AgentSql.INSERT)
        .execute(
            Tuple.from(
                new Object[] {
                  Ids.next(Ids.AGENT),
                  orgId,
                  p.name(),
                  p.description(),
                  p.platform(),
                  scopes,
                  AgentKeys.lookupPrefix(key),
                  io.vertx.core.buffer.Buffer.buffer(AgentKeys.hash(key)),
                  claimToken,
                  claimExpires,
                  registeredBy
                }))
        .map(rows -> rows.iterator().next());
  }

  private Future<Reply> claim(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    String token = Fields.requiredString(body, "claim_token", 1, 200);
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(AgentSql.CLAIM)
                    .execute(Tuple.of(human.orgId(), human.id(), token))
                    .compose(
                        rows -> {
                          if (rows.size() == 1) {
                            JsonObject agent = toJson(rows.iterator().next());
                            return tx.audit(
                                    human,
                                    null,
                                    "agent.claimed",
                                    "agent",
                                    agent.getString("id"),
                                    agent)
                                .map(agent);
                          }
                          return whyNotClaimable(tx, token);
                        }))
        .map(Reply::ok);
  }

  private static Future<JsonObject> whyNotClaimable(Tx tx, String token) {
    return tx.conn()
        .preparedQuery(AgentSql.BY_CLAIM_TOKEN)
        .execute(Tuple.of(token))
        .compose(
            rows -> {
              if (rows.size() == 0)
                return Future.failedFuture(ApiException.notFound("claim token"));
              Row r = rows.iterator().next();
              if (r.getString("org_id") != null) {
                return Future.failedFuture(ApiException.conflict("claim token already used"));
              }
              return Future.failedFuture(ApiException.conflict("claim token expired"));
            });
  }

  private Future<Reply> me(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    return deps.pool()
        .preparedQuery(AgentSql.BY_ID)
        .execute(Tuple.of(agent.id()))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              JsonObject json = toJson(r);
              if (r.getString("org_id") == null) {
                json.put("claim_token", r.getString("claim_token"))
                    .put("claim_expires_at", Time.iso(r.getOffsetDateTime("claim_expires_at")));
              }
              return Reply.ok(json);
            });
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String scope = "agents:" + human.orgId();
    Paging page = Paging.of(ctx, scope, 50);
    return deps.pool()
        .preparedQuery(AgentSql.LIST)
        .execute(Tuple.of(human.orgId(), page.after(), page.fetch()))
        .map(rows -> page.reply(rows, scope, AgentRoutes::toJson, "id"));
  }

  private Future<Reply> get(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return deps.pool()
        .preparedQuery(AgentSql.BY_ID_IN_ORG)
        .execute(Tuple.of(human.orgId(), ctx.pathParam("agent")))
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("agent");
              return Reply.ok(toJson(rows.iterator().next()));
            });
  }
}
