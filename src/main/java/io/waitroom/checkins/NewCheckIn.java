package io.waitroom.checkins;

import io.vertx.sqlclient.Tuple;
import io.waitroom.db.Tx;
import io.waitroom.policy.PolicyDecision;
import io.waitroom.policy.Verdict;
import io.waitroom.util.Ids;

/**
 * A check-in or task about to be written: who asks, what, and how it starts. {@link #tuple()} is
 * the one place it meets {@link CheckInSql#INSERT}'s placeholders.
 *
 * @param expiresInSeconds seconds until the timeout falls due; null: never (decided, or hold)
 * @param decision the policy engine's answer (agent check-ins); null for tasks
 * @param escalationInSeconds seconds until the first escalation step; null: none
 */
public record NewCheckIn(
    String id,
    String direction,
    Tx.Author creator,
    String roomId,
    CheckInInput what,
    String status,
    Integer timeoutMinutes,
    String timeoutAction,
    Integer expiresInSeconds,
    PolicyDecision decision,
    Integer escalationInSeconds) {

  /** An agent's request, starting as the engine decided. */
  public static NewCheckIn agentCheckIn(
      Tx.Author agent, String roomId, CheckInInput what, Verdict verdict) {
    return new NewCheckIn(
        Ids.next(Ids.CHECK_IN),
        CheckIn.AGENT_TO_HUMAN,
        agent,
        roomId,
        what,
        verdict.decision().initialStatus(),
        verdict.timeoutMinutes(),
        verdict.timeoutAction(),
        verdict.expiresInSeconds(),
        verdict.decision(),
        verdict.escalationInSeconds());
  }

  /** A human's task: pending, unclaimed, with no timeout. */
  public static NewCheckIn task(Tx.Author human, String roomId, CheckInInput what) {
    return new NewCheckIn(
        Ids.next(Ids.CHECK_IN),
        CheckIn.HUMAN_TO_AGENT,
        human,
        roomId,
        what,
        Status.PENDING.wire(),
        null,
        null,
        null,
        null,
        null);
  }

  Tuple tuple() {
    boolean task = CheckIn.HUMAN_TO_AGENT.equals(direction);
    // Decided at creation: the engine's decision is the check-in's decision too.
    boolean decided = decision != null && !Status.PENDING.wire().equals(status);
    boolean pending = decision != null && Status.PENDING.wire().equals(status);
    return Tuple.from(
        new Object[] {
          id,
          creator.orgId(),
          roomId,
          direction,
          task ? null : creator.id(),
          creator.id(),
          what.action(),
          what.description(),
          what.riskLevel(),
          what.urgency(),
          what.context(),
          status,
          timeoutMinutes,
          timeoutAction,
          expiresInSeconds,
          decided ? status : null,
          decided ? decision.reason() : null,
          decided ? decision.decidedBy() : null,
          decision == null ? null : decision.toJson(),
          pending && decision.quorum() != null ? decision.quorum().toJson() : null,
          pending && decision.escalation() != null ? decision.escalation().toJson() : null,
          pending ? escalationInSeconds : null
        });
  }
}
