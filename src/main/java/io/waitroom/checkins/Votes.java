package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.waitroom.auth.Actor;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.policy.Quorum;
import io.waitroom.receipts.Receipts;
import io.waitroom.util.Time;
import java.time.Instant;

/**
 * Human decisions on a quorum check-in: each is a vote ({@link Transition#VOTE}); the vote that
 * decides is followed, in the same transaction and under the same row lock, by the decision ({@link
 * Transition#DECIDE}) naming the deciding voter, so two deciding votes at once make one decision
 * and the later vote misses with 409.
 */
final class Votes {
  private Votes() {}

  static Future<CheckIn> cast(
      Tx tx,
      Actor.Human human,
      String id,
      Status verdict,
      String reason,
      JsonObject modifications,
      String via,
      Receipts receipts) {
    JsonObject vote =
        new JsonObject()
            .put("voter", human.id())
            .put("verdict", verdict.wire())
            .put("reason", reason)
            .put("modifications", modifications)
            .put("via", via)
            .put("at", Time.iso(Instant.now()));
    Change change = Change.vote(human, id, vote).orElse(db -> explainMiss(db, human, id));
    return CheckInTransitions.apply(tx, change)
        .compose(
            applied -> {
              CheckIn ci = applied.checkIn();
              Quorum.Tally tally = ci.quorumRule().tally(ci.votes());
              if (tally.outcome() == null) return Future.succeededFuture(ci);
              Change decision =
                  Change.decideByVotes(
                          human, id, Status.of(tally.outcome()), reason, tally.modifications(), via)
                      .signedBy(receipts);
              return CheckInTransitions.applyLast(tx, decision)
                  .map(CheckInTransitions.Applied::checkIn);
            });
  }

  /**
   * 404 outside the org, 409 once decided, 403 for a human not among the approvers or who may not
   * decide here (role, room members, four-eyes), 409 twice.
   */
  private static Future<Void> explainMiss(
      io.vertx.sqlclient.SqlConnection db, Actor.Human human, String id) {
    return CheckInRepository.find(db, human.orgId(), id)
        .compose(
            ci -> {
              if (ci == null) return Future.failedFuture(ApiException.notFound("check-in"));
              if (!Status.PENDING.wire().equals(ci.status())) {
                return Future.failedFuture(
                    ApiException.conflict(
                        "check-in is " + ci.status() + "; only a pending check-in can be decided",
                        new JsonObject().put("status", ci.status())));
              }
              if (!ci.quorumRule().mayVote(human.id())) {
                return Future.failedFuture(
                    ApiException.forbidden("you are not among this check-in's approvers"));
              }
              return Decisions.explainAccess(db, human, ci)
                  .compose(
                      v ->
                          Future.failedFuture(
                              ApiException.conflict(
                                  "you have already voted on this check-in",
                                  new JsonObject().put("status", ci.status()))));
            });
  }
}
