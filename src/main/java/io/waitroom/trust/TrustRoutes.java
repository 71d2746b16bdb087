package io.waitroom.trust;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.agents.AgentRepository;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.http.Reply;
import io.waitroom.http.Routes;
import io.waitroom.util.Time;

/** {@code GET /v1/agents/:agent/trust}: the agent's score in every room it has a history in. */
public final class TrustRoutes {
  private TrustRoutes() {}

  public static void mount(Router router, Deps deps) {
    Routes.on(router).get("/v1/agents/:agent/trust", ctx -> trust(ctx, deps));
  }

  private static Future<Reply> trust(RoutingContext ctx, Deps deps) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String agentId = ctx.pathParam("agent");
    return AgentRepository.requireInOrg(deps.pool(), human.orgId(), agentId)
        .compose(
            v ->
                deps.pool().preparedQuery(Trust.BY_AGENT).execute(Tuple.of(human.orgId(), agentId)))
        .map(
            rows -> {
              JsonArray rooms = new JsonArray();
              rows.forEach(
                  r ->
                      rooms.add(
                          new JsonObject()
                              .put("room_id", r.getString("room_id"))
                              .put("room_slug", r.getString("slug"))
                              .put("score", r.getDouble("score"))
                              .put("approved", r.getInteger("approved"))
                              .put("modified", r.getInteger("modified"))
                              .put("rejected", r.getInteger("rejected"))
                              .put("expired", r.getInteger("expired"))
                              .put("updated_at", Time.iso(r.getOffsetDateTime("updated_at")))));
              return Reply.ok(
                  new JsonObject()
                      .put("agent_id", agentId)
                      .put("initial_score", Trust.INITIAL)
                      .put("rooms", rooms));
            });
  }
}
