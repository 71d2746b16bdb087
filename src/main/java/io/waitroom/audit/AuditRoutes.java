package io.waitroom.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.agents.AgentRepository;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Time;

/** The append-only audit log, newest first: org-wide, per room, per agent. */
public final class AuditRoutes {
  private static final String COLUMNS =
      "a.id, a.org_id, a.room_id, a.actor_type, a.actor_id, a.event_type, a.target_type,"
          + " a.target_id, a.snapshot, a.created_at, c.seq, c.prev_hash, c.hash";

  /**
   * $2 room (null = any), $3 agent as actor or target (null = any), $4 type, $5 cursor, $6 n. With
   * each row's link in the org's hash chain (null until sealed, receipts/AuditChain).
   */
  private static final String LIST =
      "SELECT "
          + COLUMNS
          + """
           FROM audit_log a LEFT JOIN audit_chain c ON c.audit_id = a.id
          WHERE a.org_id = $1 AND ($2::text IS NULL OR a.room_id = $2)
            AND ($3::text IS NULL OR a.actor_id = $3 OR a.target_id = $3)
            AND ($4::text IS NULL OR a.event_type = $4) AND ($5::text IS NULL OR a.id < $5)
          ORDER BY a.id DESC LIMIT $6
          """;

  private final Deps deps;

  private AuditRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    AuditRoutes r = new AuditRoutes(deps);
    Routes.on(router)
        .get("/v1/audit", r::org)
        .get("/v1/rooms/:room/audit", r::room)
        .get("/v1/agents/:agent/audit", r::agent);
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("org_id", r.getString("org_id"))
        .put("room_id", r.getString("room_id"))
        .put("actor_type", r.getString("actor_type"))
        .put("actor_id", r.getString("actor_id"))
        .put("event_type", r.getString("event_type"))
        .put("target_type", r.getString("target_type"))
        .put("target_id", r.getString("target_id"))
        .put("snapshot", r.getValue("snapshot"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")))
        .put("seq", r.getLong("seq"))
        .put("prev_hash", r.getString("prev_hash"))
        .put("hash", r.getString("hash"));
  }

  private Future<Reply> org(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return list(ctx, human, "audit:" + human.orgId(), null, null, 50);
  }

  private Future<Reply> room(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(room -> list(ctx, human, "audit:room:" + room.id(), room.id(), null, 50));
  }

  private Future<Reply> agent(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String agentId = ctx.pathParam("agent");
    return AgentRepository.requireInOrg(deps.pool(), human.orgId(), agentId)
        .compose(v -> list(ctx, human, "audit:agent:" + agentId, null, agentId, 20));
  }

  private Future<Reply> list(
      RoutingContext ctx,
      Actor.Human human,
      String scope,
      String roomId,
      String agentId,
      int dflt) {
    String eventType = Requests.queryString(ctx, "event_type", 100);
    Paging page = Paging.of(ctx, scope, dflt);
    return deps.pool()
        .preparedQuery(LIST)
        .execute(
            Tuple.from(
                new Object[] {
                  human.orgId(), roomId, agentId, eventType, page.after(), page.fetch()
                }))
        .map(rows -> page.reply(rows, scope, AuditRoutes::toJson, "id"));
  }
}
