package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInSql;
import io.waitroom.checkins.NewCheckIn;
import io.waitroom.checkins.Status;
import io.waitroom.db.Tx;
import io.waitroom.util.Ids;
import java.util.List;

/**
 * The Slack queue's producer side, like {@code PushQueue} and {@code MailQueue}: each call Slack
 * must receive is a row of {@code slack_calls} written in the transaction that makes it necessary
 * (the check-in's insert posts it, the decision, expiry, withdrawal or vote that changes it updates
 * it, an escalation step replies in its thread), so a Slack message exists and follows its check-in
 * whatever node, channel or sweeper changed it. {@link SlackVerticle} sends them.
 */
public final class SlackQueue {
  private SlackQueue() {}

  /**
   * $1 org, $2 room, $3 check-in, $4 risk: when the room posts to a channel, the org has the app
   * installed and the risk reaches the room's minimum, one message row and its post call.
   */
  static final String POST =
      """
      WITH target AS (
        SELECT s.channel FROM slack_rooms s JOIN slack_installs i ON i.org_id = s.org_id
        WHERE s.room_id = $2 AND s.org_id = $1 AND %s),
      message AS (
        INSERT INTO slack_messages (check_in_id, org_id, channel)
        SELECT $3, $1, channel FROM target
        ON CONFLICT (check_in_id) DO NOTHING
        RETURNING check_in_id)
      INSERT INTO slack_calls (id, org_id, check_in_id, kind, status, next_attempt_at, created_at)
      SELECT 'slp_' || check_in_id, $1, check_in_id, 'post', 'pending', now(), clock_timestamp()
      FROM message
      """
          .formatted(CheckInSql.riskAtLeast("$4::text", "s.min_risk"));

  /**
   * $1 the check-in: an update of its message, if it has one. The clock time orders a check-in's
   * updates, which are sent one at a time in that order, each rendering the check-in as it then is.
   */
  static final String UPDATE =
      """
      INSERT INTO slack_calls (id, org_id, check_in_id, kind, status, next_attempt_at, created_at)
      SELECT 'slu_' || md5(m.check_in_id || clock_timestamp()::text || random()::text), m.org_id,
        m.check_in_id, 'update', 'pending', now(), clock_timestamp()
      FROM slack_messages m WHERE m.check_in_id = $1
      """;

  /** $1 the check-in, $2 the level, $3 {level, notify}: a threaded reply, once per level. */
  static final String REPLY =
      """
      INSERT INTO slack_calls (id, org_id, check_in_id, kind, payload, status, next_attempt_at,
        created_at)
      SELECT 'slr_' || m.check_in_id || '_' || $2::int, m.org_id, m.check_in_id, 'reply',
        $3::jsonb, 'pending', now(), clock_timestamp()
      FROM slack_messages m WHERE m.check_in_id = $1
      ON CONFLICT (id) DO NOTHING
      """;

  static final String EPHEMERAL =
      """
      INSERT INTO slack_calls (id, org_id, check_in_id, kind, payload, status, next_attempt_at,
        created_at)
      VALUES ($1, $2, $3, 'ephemeral', $4, 'pending', now(), clock_timestamp())
      """;

  /** The statement that posts a new pending agent check-in, to run alongside its insert. */
  public static List<Change.Sql> posted(NewCheckIn row) {
    if (!Status.PENDING.wire().equals(row.status())
        || !CheckIn.AGENT_TO_HUMAN.equals(row.direction())) {
      return List.of();
    }
    return List.of(
        new Change.Sql(
            POST, Tuple.of(row.creator().orgId(), row.roomId(), row.id(), row.what().riskLevel())));
  }

  /**
   * The statement that updates a check-in's message after it was decided, expired, withdrawn or
   * voted on, run in that change's transaction (it finds nothing when the check-in was never
   * posted).
   */
  public static Change.Sql changed(CheckIn ci) {
    return new Change.Sql(UPDATE, Tuple.of(ci.id()));
  }

  /** Queues an escalation step's threaded reply in the step's transaction. */
  public static Future<Void> escalated(Tx tx, CheckIn ci) {
    JsonObject step = ci.escalationStep();
    if (step == null) return Future.succeededFuture();
    Object notify = step.getValue("notify");
    JsonObject payload = new JsonObject().put("level", ci.escalationLevel()).put("notify", notify);
    return tx.conn()
        .preparedQuery(REPLY)
        .execute(Tuple.of(ci.id(), ci.escalationLevel(), payload))
        .mapEmpty();
  }

  /** An ephemeral message to one Slack user in a channel, queued like every other call. */
  static Future<Void> ephemeral(
      SqlClient db, String orgId, String checkInId, String channel, String user, String text) {
    JsonObject payload =
        new JsonObject().put("channel", channel).put("user", user).put("text", text);
    return db.preparedQuery(EPHEMERAL)
        .execute(Tuple.of(Ids.next("sle_"), orgId, checkInId, payload))
        .mapEmpty();
  }
}
