package io.waitroom.checkins;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

/**
 * The columns of a new check-in or task, named; {@link #tuple()} is the one place they meet {@link
 * CheckInSql#INSERT}'s placeholders.
 *
 * @param expiresInSeconds seconds until the timeout falls due; null: never (decided, or hold)
 * @param decisionType the engine's decision when it decided at once; null: undecided
 */
public record NewCheckIn(
    String id,
    String orgId,
    String roomId,
    String direction,
    String agentId,
    String createdBy,
    String action,
    String description,
    String riskLevel,
    String urgency,
    JsonObject context,
    String status,
    Integer timeoutMinutes,
    String timeoutAction,
    Integer expiresInSeconds,
    String decisionType,
    String decisionReason,
    String decidedBy,
    JsonObject policy) {

  Tuple tuple() {
    return Tuple.of(
        id,
        orgId,
        roomId,
        direction,
        agentId,
        createdBy,
        action,
        description,
        riskLevel,
        urgency,
        context,
        status,
        timeoutMinutes,
        timeoutAction,
        expiresInSeconds,
        decisionType,
        decisionReason,
        decidedBy,
        policy);
  }
}
