package io.waitroom.trust;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Trust per (agent, room): starts at 15, clamped to 0..100, moved by human decisions and by expiry,
 * always inside the transaction of the status change.
 */
public final class Trust {
  public static final double INITIAL = 15.0;

  private Trust() {}

  /** The change a resolution makes; policy outcomes and withdrawals make none. */
  public static double delta(String outcome) {
    return switch (outcome) {
      case "approved" -> 1.0;
      case "modified" -> 0.6;
      case "rejected" -> -0.3;
      case "expired" -> -0.1;
      default -> 0.0;
    };
  }

  /**
   * The score's change and its line in {@code trust_history}, in one statement (no extra round trip
   * on the decision's hot row lock).
   */
  static final String APPLY =
      """
      WITH changed AS (
      INSERT INTO trust_scores (agent_id, room_id, org_id, score, approved, modified, rejected, expired)
      VALUES ($1, $2, $3, round(LEAST(100, GREATEST(0, 15 + $4::double precision))::numeric, 4)::double precision,
        ($5 = 'approved')::int, ($5 = 'modified')::int, ($5 = 'rejected')::int, ($5 = 'expired')::int)
      ON CONFLICT (agent_id, room_id) DO UPDATE SET
        score = round(LEAST(100, GREATEST(0, trust_scores.score + $4::double precision))::numeric, 4)::double precision,
        approved = trust_scores.approved + EXCLUDED.approved,
        modified = trust_scores.modified + EXCLUDED.modified,
        rejected = trust_scores.rejected + EXCLUDED.rejected,
        expired = trust_scores.expired + EXCLUDED.expired,
        updated_at = now()
      RETURNING agent_id, room_id, org_id, score)
      INSERT INTO trust_history (org_id, agent_id, room_id, score, outcome)
      SELECT org_id, agent_id, room_id, score, $5::text FROM changed
      RETURNING score
      """;

  static final String SCORE = "SELECT score FROM trust_scores WHERE agent_id = $1 AND room_id = $2";

  static final String BY_AGENT =
      """
      SELECT t.room_id, r.slug, t.score, t.approved, t.modified, t.rejected, t.expired, t.updated_at
      FROM trust_scores t JOIN rooms r ON r.id = t.room_id
      WHERE t.org_id = $1 AND t.agent_id = $2 ORDER BY r.slug
      """;

  /**
   * Applies an outcome; returns the new score (null for a zero delta). Called only by the
   * transition step ({@code checkins.CheckInTransitions}), inside the change's transaction.
   */
  public static Future<Double> apply(
      SqlClient db, String orgId, String agentId, String roomId, String outcome) {
    double d = delta(outcome);
    if (agentId == null || d == 0.0) return Future.succeededFuture(null);
    return db.preparedQuery(APPLY)
        .execute(Tuple.of(agentId, roomId, orgId, d, outcome))
        .map(rows -> rows.iterator().next().getDouble("score"));
  }

  public static Future<Double> score(SqlClient db, String agentId, String roomId) {
    if (agentId == null) return Future.succeededFuture(INITIAL);
    return db.preparedQuery(SCORE)
        .execute(Tuple.of(agentId, roomId))
        .map(rows -> rows.size() == 0 ? INITIAL : rows.iterator().next().getDouble("score"));
  }
}
