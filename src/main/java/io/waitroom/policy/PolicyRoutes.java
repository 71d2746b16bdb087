package io.waitroom.policy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.Deps;
import io.waitroom.agents.AgentRepository;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckInInput;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.validation.Fields;

/**
 * {@code POST /v1/rooms/:room/policies/evaluate}: what the engine would decide for a check-in body
 * from a given agent, against the stored policies or a draft in {@code policies}. Stores nothing.
 */
public final class PolicyRoutes {
  private PolicyRoutes() {}

  public static void mount(Router router, Deps deps) {
    Routes.on(router).post("/v1/rooms/:room/policies/evaluate", ctx -> evaluate(ctx, deps));
  }

  private static Future<Reply> evaluate(RoutingContext ctx, Deps deps) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    CheckInInput in = CheckInInput.parse(body, false);
    String agentId = Fields.optionalString(body, "agent_id", 100);
    JsonObject draftJson = Fields.optionalObject(body, "policies", null);
    PolicyDocument draft = draftJson == null ? null : PolicyDocument.parse(draftJson, "policies.");
    CheckInFacts facts =
        new CheckInFacts(agentId, in.action(), in.riskLevel(), in.urgency(), in.context());
    // The same single read a check-in makes: room, stored policies, trust, live grants.
    return deps.policies()
        .read(deps.pool(), human.orgId(), ctx.pathParam("room"), agentId)
        .compose(
            read -> {
              Future<Void> agentOk =
                  agentId == null
                      ? Future.succeededFuture()
                      : AgentRepository.existsInOrg(deps.pool(), human.orgId(), agentId)
                          .compose(
                              found ->
                                  found
                                      ? Future.<Void>succeededFuture()
                                      : Future.failedFuture(
                                          ApiException.validation(
                                              "agent_id", "no agent " + agentId + " in this org")));
              return agentOk.map(
                  v ->
                      deps.policies()
                          .verdict(read, facts, in.timeoutMinutes(), in.timeoutAction(), draft));
            })
        .map(
            verdict -> {
              PolicyDecision d = verdict.decision();
              return Reply.ok(
                  d.toJson()
                      .put("status", d.initialStatus())
                      .put("trust_score", verdict.trustScore())
                      .put("timeout_minutes", verdict.timeoutMinutes())
                      .put("timeout_action", verdict.timeoutAction())
                      .put("dry_run", true));
            });
  }
}
