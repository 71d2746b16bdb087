package io.waitroom.access;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.errors.ApiException;

/**
 * Explains a decision (or vote) that its statement refused for who the human is: their role, the
 * room's approver members, four-eyes. Runs only on a miss; the statement itself is the verdict.
 */
public final class DecisionAccess {
  private DecisionAccess() {}

  /**
   * Fails with the 403 that applies to {@code human} deciding the check-in, or succeeds when who
   * they are is not the reason (then the state is).
   *
   * @param agentId the agent that checked in (null for a task)
   * @param postedBy who posted the task (null for an agent's check-in)
   */
  public static Future<Void> explain(
      SqlClient db, Actor.Human human, String roomId, String agentId, String postedBy) {
    return db.preparedQuery(AccessSql.DECISION_FACTS)
        .execute(Tuple.of(human.id(), roomId, agentId))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture();
              Row r = rows.iterator().next();
              Role role = Role.of(r.getString("role"));
              if (role == null || !role.atLeast(Role.APPROVER)) {
                return Future.failedFuture(
                    RoleGate.forbidden(
                        Role.APPROVER, role == null ? Role.VIEWER : role, "deciding"));
              }
              if (r.getBoolean("restricted") && !r.getBoolean("member")) {
                return Future.failedFuture(
                    new ApiException(
                        403,
                        "FORBIDDEN",
                        "this room accepts decisions only from its approver members and its owner",
                        new JsonObject().put("room_id", roomId)));
              }
              if (r.getBoolean("four_eyes")) {
                if (postedBy != null && postedBy.equals(human.id())) {
                  return Future.failedFuture(
                      fourEyes("you posted this task: another human must review it"));
                }
                if (agentId != null && human.id().equals(r.getString("registrant"))) {
                  return Future.failedFuture(
                      fourEyes(
                          "you registered the agent that checked in: another human must decide"));
                }
              }
              return Future.succeededFuture();
            });
  }

  private static ApiException fourEyes(String why) {
    return new ApiException(
        403, "FOUR_EYES", "four-eyes: " + why + " (the room's policy sets four_eyes)", null);
  }
}
