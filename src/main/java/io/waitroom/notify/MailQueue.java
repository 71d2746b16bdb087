package io.waitroom.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Tuple;
import io.waitroom.access.AccessSql;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInSql;
import io.waitroom.db.Tx;
import io.waitroom.events.EventLog;

/**
 * The e-mail queue's producer side. A new pending check-in's e-mails come from its {@code
 * checkin.created} event, which its transaction commits: {@link #EXPAND} reads the events after a
 * durable cursor and below the commit horizon, like the webhook dispatcher, and queues one e-mail
 * per recipient; so creating a check-in costs no statement for e-mail at all, and an e-mail exists
 * if and only if what it announces does, once per check-in, recipient and level (the row's id is
 * their hash), whatever node or retry runs the statement. An escalation step queues its own in the
 * step's transaction ({@link #escalated}). {@link MailVerticle} renders and sends them.
 */
public final class MailQueue {
  private MailQueue() {}

  /**
   * Whether human {@code u} gets check-in {@code ci}'s e-mail: an address, e-mail on in their
   * preferences, one of {@code humans} (a {@code text[]}: a quorum's approvers, an escalation
   * step's names; null = anyone); unless {@code named} (an escalation step names them, so room and
   * risk preferences do not filter them out), a human who may decide there (approvers and admins,
   * and only the room's approver members and owner when it has any) and wants that room and risk.
   */
  private static String recipient(String u, String ci, String humans, String named) {
    return """
        %1$s.email IS NOT NULL
        AND COALESCE((%1$s.notify #>> '{email,enabled}')::boolean, true)
        AND (%3$s IS NULL OR %1$s.id = ANY (%3$s))
        AND (%4$s OR (%5$s
          AND (jsonb_typeof(%1$s.notify #> '{email,rooms}') IS DISTINCT FROM 'array'
            OR (%1$s.notify #> '{email,rooms}') ? %2$s.room_id)
          AND %6$s))
        """
        .formatted(
            u,
            ci,
            humans,
            named,
            AccessSql.mayDecide(u + ".id", ci + ".room_id"),
            CheckInSql.riskAtLeast(ci + ".risk_level", u + ".notify #>> '{email,min_risk}'"));
  }

  /**
   * One pass over the new check-ins: up to $1 {@code checkin.created} events after the cursor and
   * below the commit horizon queue the e-mails of the agent check-ins among them that are still
   * pending (a quorum's to its approvers), and the cursor moves past them, in one statement. The
   * cursor is held {@code SKIP LOCKED}: while another node runs a pass, this one queues nothing.
   * The first pass ever (the cursor is null until then) places it after the events already
   * committed, so switching e-mail on does not mail the check-ins made before; from then on it only
   * moves past what a pass has read, so a check-in made while e-mail was off again, and still
   * pending when it is back on, is mailed then. Answers how many events were read ({@code events};
   * $1: read on) and whether a committed check-in waits above the horizon for an older transaction
   * to end ({@code held_back}).
   */
  static final String EXPAND =
      """
      WITH cur AS (
        SELECT COALESCE(last_event_id, %1$s - 1) AS last_event_id FROM mail_dispatch
        WHERE id = 1 FOR UPDATE SKIP LOCKED),
      ev AS (
        SELECT e.id, e.data ->> 'id' AS check_in_id FROM room_events e, cur
        WHERE e.id > cur.last_event_id AND e.id < %1$s AND e.type = 'checkin.created'
        ORDER BY e.id LIMIT $1),
      queued AS (
        INSERT INTO mail_deliveries (id, org_id, user_id, check_in_id, escalation_level, status,
          next_attempt_at)
        SELECT 'mdl_' || md5(u.id || ':' || c.id || ':0'), c.org_id, u.id, c.id, 0, 'pending',
          now()
        FROM ev JOIN check_ins c ON c.id = ev.check_in_id JOIN users u ON u.org_id = c.org_id
        WHERE c.status = 'pending' AND c.direction = 'agent_to_human' AND %2$s
        ON CONFLICT (id) DO NOTHING),
      moved AS (
        UPDATE mail_dispatch d SET last_event_id = greatest(cur.last_event_id,
            CASE WHEN (SELECT count(*) FROM ev) >= $1 THEN (SELECT max(id) FROM ev)
                 ELSE %1$s - 1 END)
        FROM cur WHERE d.id = 1)
      SELECT (SELECT count(*) FROM ev) AS events,
        EXISTS (SELECT 1 FROM room_events WHERE id >= %1$s AND type = 'checkin.created')
          AS held_back
      """
          .formatted(
              EventLog.HORIZON,
              recipient(
                  "u",
                  "c",
                  "CASE WHEN jsonb_typeof(c.quorum -> 'approvers') = 'array' THEN ARRAY(SELECT"
                      + " jsonb_array_elements_text(c.quorum -> 'approvers')) END",
                  "false"));

  /**
   * An escalation step's e-mails: $1 the org, $2 the check-in, $3 the level, $4 the humans it names
   * ({@code usr_} ids; null = anyone who would get the first e-mail), $5 whether it names them.
   */
  static final String ENQUEUE =
      """
      INSERT INTO mail_deliveries (id, org_id, user_id, check_in_id, escalation_level, status,
        next_attempt_at)
      SELECT 'mdl_' || md5(u.id || ':' || c.id || ':' || $3::int), u.org_id, u.id, c.id, $3,
        'pending', now()
      FROM check_ins c JOIN users u ON u.org_id = c.org_id
      WHERE c.id = $2 AND c.org_id = $1 AND %s
      ON CONFLICT (id) DO NOTHING
      """
          .formatted(recipient("u", "c", "$4::text[]", "$5::boolean"));

  /**
   * Queues an escalation step's e-mails in the step's transaction: to the humans it names, or, when
   * it names nobody in particular, to everyone who would get the check-in's first e-mail.
   */
  public static Future<Void> escalated(Tx tx, CheckIn ci) {
    var step = ci.escalationStep();
    if (step == null) return Future.succeededFuture();
    Object notify = step.getValue("notify");
    String[] humans = null;
    boolean named = false;
    if (notify instanceof JsonArray list) {
      if (list.isEmpty()) return Future.succeededFuture();
      humans = list.stream().map(String::valueOf).toArray(String[]::new);
      named = true;
    }
    Object[] params = {ci.orgId(), ci.id(), ci.escalationLevel(), humans, named};
    return tx.conn().preparedQuery(ENQUEUE).execute(Tuple.from(params)).mapEmpty();
  }
}
