package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.waitroom.access.DecisionAccess;
import io.waitroom.auth.Actor;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.receipts.Receipts;
import java.util.Set;

/**
 * A human's decision on a check-in or a submitted task, whatever the channel it came through: the
 * API and the dashboard, an action link (e-mail, Web Push, a link minted by the API), Slack. Every
 * channel decides through this one transition (policy, trust, quorum, and who may decide: the
 * human's role, the room's approver members, four-eyes, all in the decision's own statement), so
 * they differ only in the {@code via} they record.
 */
public final class Decisions {
  private Decisions() {}

  public static final String VIA_API = "api";
  public static final String VIA_DASHBOARD = "dashboard";
  public static final String VIA_EMAIL = "email";
  public static final String VIA_PUSH = "push";
  public static final String VIA_SLACK = "slack";
  public static final String VIA_LINK = "link";

  /** Every channel a decision can record in {@code decision.via}. */
  public static final Set<String> VIAS =
      Set.of(VIA_API, VIA_DASHBOARD, VIA_EMAIL, VIA_PUSH, VIA_SLACK, VIA_LINK);

  /**
   * Decides in {@code tx}: alone unless the check-in has a quorum (the statement's WHERE says
   * which: the common case is one statement, a quorum's vote is found out by the miss), as the
   * transaction's last change. On a quorum check-in the answer is the check-in after the human's
   * vote (still pending unless the vote decided it). The decision (a quorum's deciding vote's too)
   * is signed by {@code receipts}.
   */
  public static Future<CheckIn> decide(
      Tx tx,
      Actor.Human human,
      String id,
      Status outcome,
      String reason,
      JsonObject modifications,
      String via,
      Receipts receipts) {
    return decideAlone(tx, human, id, outcome, reason, modifications, via, receipts)
        .recover(
            e ->
                e == NEEDS_A_VOTE
                    ? Votes.cast(tx, human, id, outcome, reason, modifications, via, receipts)
                    : Future.failedFuture(e));
  }

  /**
   * 403 when who the human is refused the decision: their role, the room's approver members,
   * four-eyes (the human who posted the task, or who registered the agent).
   */
  static Future<Void> explainAccess(SqlConnection db, Actor.Human human, CheckIn ci) {
    return DecisionAccess.explain(
        db,
        human,
        ci.roomId(),
        ci.isTask() ? null : ci.agentId(),
        ci.isTask() ? ci.createdBy() : null);
  }

  /** The decision missed because the check-in has a quorum: the human's answer is a vote. */
  private static final RuntimeException NEEDS_A_VOTE =
      new RuntimeException("a vote", null, false, false) {};

  /** One human decides a check-in without a quorum, or a submitted task. */
  private static Future<CheckIn> decideAlone(
      Tx tx,
      Actor.Human human,
      String id,
      Status outcome,
      String reason,
      JsonObject modifications,
      String via,
      Receipts receipts) {
    Change change =
        Change.decide(human, id, outcome, reason, modifications, via)
            .signedBy(receipts)
            .orElse(
                db ->
                    CheckInRepository.find(db, human.orgId(), id)
                        .compose(
                            ci -> {
                              if (ci == null) {
                                return Future.failedFuture(ApiException.notFound("check-in"));
                              }
                              // A quorum's check-in is decided by votes, whose statement checks
                              // who may vote (and explains its own miss).
                              if (ci.quorum() != null
                                  && Status.PENDING.wire().equals(ci.status())) {
                                return Future.failedFuture(NEEDS_A_VOTE);
                              }
                              return explainAccess(db, human, ci)
                                  .compose(
                                      v ->
                                          CheckInRepository.explainMiss(
                                              db,
                                              human.orgId(),
                                              id,
                                              "only a pending check-in or a submitted task can be"
                                                  + " decided"));
                            }));
    // The decision is the transaction's last change (a quorum's vote, on the miss, is another).
    return CheckInTransitions.applyLast(tx, change).map(CheckInTransitions.Applied::checkIn);
  }
}
