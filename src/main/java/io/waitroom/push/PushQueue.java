package io.waitroom.push;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.NewCheckIn;
import io.waitroom.checkins.Status;
import io.waitroom.db.Tx;
import java.util.List;

/**
 * The push queue's producer side. A new pending agent check-in is enqueued for every subscription
 * covering its room in the check-in's own transaction (a statement alongside its insert in the
 * transition step) (not from the event log with a cursor: event ids of different orgs commit out of
 * id order, so a global cursor could step over an event that commits late, and a per-row "done"
 * flag would rewrite every event). So a push exists if and only if the check-in does, and survives
 * any crash until {@link PushVerticle} sends it.
 */
public final class PushQueue {
  private PushQueue() {}

  /** Push services accept about 4 KB of encrypted payload; keep the text well inside it. */
  static final int MAX_TEXT = 500;

  /**
   * The statement that enqueues a new check-in's pushes, to run alongside its insert ({@link
   * Change#with}); none unless it is an agent check-in left pending.
   */
  public static List<Change.Sql> enqueue(NewCheckIn row) {
    if (!Status.PENDING.wire().equals(row.status())
        || !CheckIn.AGENT_TO_HUMAN.equals(row.direction())) {
      return List.of();
    }
    JsonObject payload =
        payload(
            "checkin.pending",
            row.id(),
            row.roomId(),
            row.what().action(),
            row.what().riskLevel(),
            row.what().urgency(),
            row.creator().id());
    Object[] params = {row.creator().orgId(), row.roomId(), row.id(), 0, null, payload};
    return List.of(new Change.Sql(PushSql.ENQUEUE, Tuple.from(params)));
  }

  /**
   * Queues an escalation step's pushes to the humans it notifies, in the step's transaction: so a
   * step that fires (once, on whichever node) pushes once, and one that rolls back pushes nothing.
   */
  public static Future<Void> escalated(Tx tx, CheckIn ci) {
    JsonObject step = ci.escalationStep();
    if (step == null) return Future.succeededFuture();
    Object notify = step.getValue("notify");
    String[] humans = null;
    if (notify instanceof JsonArray named) {
      if (named.isEmpty()) return Future.succeededFuture();
      humans = named.stream().map(String::valueOf).toArray(String[]::new);
    }
    JsonObject payload =
        payload(
                "checkin.escalated",
                ci.id(),
                ci.roomId(),
                ci.action(),
                ci.riskLevel(),
                ci.urgency(),
                ci.agentId())
            .put("escalation_level", ci.escalationLevel());
    Object[] params = {ci.orgId(), ci.roomId(), ci.id(), ci.escalationLevel(), humans, payload};
    return tx.conn().preparedQuery(PushSql.ENQUEUE).execute(Tuple.from(params)).mapEmpty();
  }

  /**
   * What the service worker shows: enough for the notification, and where a click leads (the room's
   * name is added by {@link PushSql#ENQUEUE}).
   */
  static JsonObject payload(
      String type,
      String checkInId,
      String roomId,
      String action,
      String riskLevel,
      String urgency,
      String agentId) {
    return new JsonObject()
        .put("type", type)
        .put("check_in_id", checkInId)
        .put("room_id", roomId)
        .put("action", cut(action, MAX_TEXT))
        .put("risk_level", riskLevel)
        .put("urgency", urgency)
        .put("agent_id", agentId)
        .put("tag", tag(checkInId))
        .put("url", "/#/check-ins/" + checkInId);
  }

  /** One notification per check-in on a device: its decision replaces it. */
  static String tag(String checkInId) {
    return "ci-" + checkInId;
  }

  /**
   * A decided, expired or withdrawn check-in replaces the notification its pending push left on
   * each device that got it (or is getting it): one {@code checkin.settled} push per such
   * subscription, at level -1. $1 the check-in, $2 the payload, $3 who decided ({@code usr_} id,
   * whose name becomes the body), $4 the body otherwise.
   */
  static final String SETTLE =
      """
      INSERT INTO push_deliveries (id, org_id, subscription_id, check_in_id, escalation_level,
        payload, status, next_attempt_at)
      SELECT 'pdl_' || md5(d.subscription_id || ':' || $1 || ':settled'), d.org_id,
        d.subscription_id, $1, -1,
        $2::jsonb || jsonb_build_object('body',
          COALESCE('by ' || (SELECT u.name FROM users u WHERE u.id = $3), $4::text)),
        'pending', now()
      FROM push_deliveries d
      WHERE d.check_in_id = $1 AND d.escalation_level = 0 AND (d.status = 'sent' OR d.attempts > 0)
      ON CONFLICT (subscription_id, check_in_id, escalation_level) DO NOTHING
      """;

  /**
   * The statement that replaces a settled check-in's notifications, run in the transaction that
   * settles it (it finds nothing when the check-in was never pushed).
   */
  public static Change.Sql settled(CheckIn ci) {
    String outcome =
        switch (ci.status()) {
          case "approved" -> "Approved";
          case "rejected" -> "Rejected";
          case "modified" -> "Modified";
          case "expired" -> "Expired";
          case "withdrawn" -> "Withdrawn";
          default -> ci.status();
        };
    String body =
        switch (ci.status()) {
          case "withdrawn" -> "withdrawn by the agent";
          case "expired" -> "nobody decided in time";
          default ->
              ci.decidedBy() != null && ci.decidedBy().startsWith("system:timeout")
                  ? "by the timeout"
                  : "decided";
        };
    JsonObject payload =
        new JsonObject()
            .put("type", "checkin.settled")
            .put("check_in_id", ci.id())
            .put("tag", tag(ci.id()))
            .put("status", ci.status())
            .put("title", outcome + " · " + cut(ci.action(), 120))
            .put("url", "/#/check-ins/" + ci.id());
    return new Change.Sql(SETTLE, Tuple.of(ci.id(), payload, ci.decidedBy(), body));
  }

  private static String cut(String s, int max) {
    if (s == null || s.codePointCount(0, s.length()) <= max) return s;
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }
}
