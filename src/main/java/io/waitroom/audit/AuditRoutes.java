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
import io.waitroom.receipts.AuditChain;
import io.waitroom.rooms.RoomRepository;

/** The append-only audit log, newest first: org-wide, per room, per agent. */
public final class AuditRoutes {
  private static final String COLUMNS =
      "a.id, a.org_id, a.room_id, a.actor_type, a.actor_id, a.event_type, a.target_type,"
          + " a.target_id, a.snapshot, a.created_at, c.seq, c.prev_hash, c.hash";

  /**
   * Who and what a row names, for people: the actor's display name (a human's name or e-mail, an
   * agent's name) and a label for the target (a check-in's action, a room's or an agent's name).
   */
  private static final String NAMES =
      """
       CASE l.actor_type WHEN 'human' THEN coalesce(u.name, u.email) WHEN 'agent' THEN ag.name
          END AS actor_name,
        CASE l.target_type WHEN 'check_in' THEN ci.action WHEN 'room' THEN r.name
          WHEN 'agent' THEN ta.name END AS target_label
      """;

  private static final String JOINS =
      """
      LEFT JOIN users u ON l.actor_type = 'human' AND u.id = l.actor_id
      LEFT JOIN agents ag ON l.actor_type = 'agent' AND ag.id = l.actor_id
      LEFT JOIN check_ins ci ON l.target_type = 'check_in' AND ci.id = l.target_id
      LEFT JOIN rooms r ON l.target_type = 'room' AND r.id = l.target_id
      LEFT JOIN agents ta ON l.target_type = 'agent' AND ta.id = l.target_id
      """;

  /**
   * $2 room (null = any), $3 agent as actor or target (null = any), $4 type, $5 cursor, $6 n. With
   * each row's link in the org's hash chain (null until sealed, receipts/AuditChain), then the
   * names of {@link #NAMES}.
   */
  private static final String LIST =
      "SELECT l.*,"
          + NAMES
          + "FROM (SELECT "
          + COLUMNS
          + """
           FROM audit_log a LEFT JOIN audit_chain c ON c.audit_id = a.id
          WHERE a.org_id = $1 AND ($2::text IS NULL OR a.room_id = $2)
            AND ($3::text IS NULL OR a.actor_id = $3 OR a.target_id = $3)
            AND ($4::text IS NULL OR a.event_type = $4) AND ($5::text IS NULL OR a.id < $5)
          ORDER BY a.id DESC LIMIT $6) l
          """
          + JOINS
          + "ORDER BY l.id DESC";

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

  /** The row the chain hashes ({@link AuditChain#content}), with the names and its link. */
  static JsonObject toJson(Row r) {
    return AuditChain.content(r)
        .put("actor_name", r.getString("actor_name"))
        .put("target_label", r.getString("target_label"))
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
