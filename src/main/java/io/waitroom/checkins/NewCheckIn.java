package io.waitroom.checkins;

import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Tuple;
import io.waitroom.db.Tx;
import io.waitroom.policy.PolicyDecision;
import io.waitroom.policy.Verdict;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import java.time.OffsetDateTime;

/**
 * A check-in or task about to be written: who asks, what, and how it starts. {@link #tuple()} is
 * the one place it meets {@link CheckInSql#INSERT}'s placeholders.
 *
 * @param expiresInSeconds seconds until the timeout falls due; null: never (decided, or hold)
 * @param decision the policy engine's answer (agent check-ins); null for tasks
 * @param escalationInSeconds seconds until the first escalation step; null: none
 * @param payloadHash what it asks, hashed ({@link CheckInInput#payloadHash()})
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
    Integer escalationInSeconds,
    String payloadHash) {

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
        verdict.escalationInSeconds(),
        what.payloadHash());
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
        null,
        what.payloadHash());
  }

  /**
   * {@link CheckInSql#INSERT}'s parameters: the row's values as {@link #written} has them (its one
   * mapping), with seconds from now for the times the statement computes itself.
   */
  Tuple tuple() {
    return tuple(null);
  }

  /** {@link #tuple()} with the receipt of a decision made as it is created (null: none). */
  Tuple tuple(String receipt) {
    CheckIn c = written(null);
    return Tuple.from(
        new Object[] {
          c.id(),
          c.orgId(),
          c.roomId(),
          c.direction(),
          c.agentId(),
          c.createdBy(),
          c.action(),
          c.description(),
          c.riskLevel(),
          c.urgency(),
          c.context(),
          c.status(),
          c.timeoutMinutes(),
          c.timeoutAction(),
          expiresInSeconds,
          c.decisionType(),
          c.decisionReason(),
          c.decidedBy(),
          c.policy(),
          c.quorum(),
          c.escalation(),
          pending() ? escalationInSeconds : null,
          payloadHash,
          receipt
        });
  }

  /**
   * The check-in exactly as {@link CheckInSql#INSERT} writes it in a transaction whose {@code
   * now()} is {@code now} (PostgreSQL's now() is its transaction's start, the same in every
   * statement): what the statement's {@code RETURNING} would read back, known before it is sent.
   * With a null {@code now}, its times are null (the statement's values without them).
   */
  CheckIn written(OffsetDateTime now) {
    boolean task = CheckIn.HUMAN_TO_AGENT.equals(direction);
    String at = Time.iso(now);
    boolean decided = decision != null && !pending();
    return new CheckIn(
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
        now == null || expiresInSeconds == null
            ? null
            : Time.iso(now.plusSeconds(expiresInSeconds)),
        decided ? status : null,
        decided ? decision.reason() : null,
        null,
        decided ? decision.decidedBy() : null,
        decided ? at : null,
        null,
        false,
        decision == null ? null : decision.toJson(),
        at,
        at,
        pending() && decision.quorum() != null ? decision.quorum().toJson() : null,
        new JsonArray(),
        pending() && decision.escalation() != null ? decision.escalation().toJson() : null,
        0,
        null,
        payloadHash,
        null);
  }

  /** An agent check-in the engine left pending (tasks have no decision). */
  private boolean pending() {
    return decision != null && Status.PENDING.wire().equals(status);
  }
}
