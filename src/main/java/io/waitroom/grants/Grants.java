package io.waitroom.grants;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import io.waitroom.db.Tx;
import io.waitroom.policy.Verdict;

/** Spending a standing grant's use as part of the check-in it approves. */
public final class Grants {
  private Grants() {}

  /**
   * The verdict the check-in is written with: the grant's, when one of its uses is still left (and
   * is now spent, in {@code tx}), else the rest of the policy.
   */
  public static Future<Verdict> spend(Tx tx, Verdict verdict) {
    String grantId = verdict.decision().grantId();
    if (grantId == null) return Future.succeededFuture(verdict);
    return tx.conn()
        .preparedQuery(GrantSql.SPEND)
        .execute(Tuple.of(grantId))
        .map(rows -> rows.size() == 1 ? verdict : verdict.withoutGrant());
  }

  /** The audit row of one use, once the check-in it approved exists. */
  public static Future<Void> audited(
      Tx tx, Verdict used, String orgId, String roomId, String checkInId) {
    String grantId = used.decision().grantId();
    if (grantId == null) return Future.succeededFuture();
    return tx.audit(
        orgId,
        roomId,
        "system",
        "system:grant",
        "grant.used",
        "grant",
        grantId,
        new JsonObject().put("check_in_id", checkInId));
  }
}
