package io.waitroom.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Tuple;
import io.waitroom.access.AccessSql;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.NewCheckIn;
import io.waitroom.checkins.Status;
import io.waitroom.db.Tx;
import io.waitroom.policy.Quorum;
import java.util.List;

/**
 * The e-mail queue's producer side, like {@code PushQueue}: a new pending check-in queues one
 * e-mail per recipient in its own transaction (a statement alongside its insert, sent only when
 * e-mail is on and the org has a human with an address), and an escalation step queues one per
 * human it names in the step's transaction. So an e-mail exists if and only if what it announces
 * does, once per check-in, recipient and level, whatever node or retry runs the statement. {@link
 * MailVerticle} renders and sends it.
 */
public final class MailQueue {
  private MailQueue() {}

  /**
   * One row per recipient: humans of org $1 with an address and e-mail on in their preferences. $2
   * the room, $3 the check-in, $4 the level, $5 its risk, $6 the humans it may go to ({@code usr_}
   * ids: a quorum's approvers, an escalation step's names; null = anyone), $7 whether those are
   * named (an escalation step: then the room and risk preferences do not filter them out). Unless
   * named, only humans who may decide there: approvers and admins, and only the room's approver
   * members (and owner) when it has any.
   */
  static final String ENQUEUE =
      """
      INSERT INTO mail_deliveries (id, org_id, user_id, check_in_id, escalation_level, status,
        next_attempt_at)
      SELECT 'mdl_' || md5(u.id || ':' || $3 || ':' || $4::int), u.org_id, u.id, $3, $4,
        'pending', now()
      FROM users u
      WHERE u.org_id = $1 AND u.email IS NOT NULL
        AND COALESCE((u.notify #>> '{email,enabled}')::boolean, true)
        AND ($6::text[] IS NULL OR u.id = ANY ($6::text[]))
        AND ($7::boolean OR ("""
          + AccessSql.mayDecide("u.id", "$2")
          + """
          AND (jsonb_typeof(u.notify #> '{email,rooms}') IS DISTINCT FROM 'array'
            OR (u.notify #> '{email,rooms}') ? $2)
          AND array_position(ARRAY['low', 'medium', 'high', 'critical'], $5::text)
            >= COALESCE(array_position(ARRAY['low', 'medium', 'high', 'critical'],
                 u.notify #>> '{email,min_risk}'), 1)))
      ON CONFLICT (id) DO NOTHING
      """;

  /**
   * The statement that queues a new check-in's e-mails, to run alongside its insert; none unless it
   * is an agent check-in left pending. A quorum's e-mails go to its approvers when it names them.
   */
  public static List<Change.Sql> enqueue(NewCheckIn row) {
    if (!Status.PENDING.wire().equals(row.status())
        || !CheckIn.AGENT_TO_HUMAN.equals(row.direction())) {
      return List.of();
    }
    Quorum q = row.decision() == null ? null : row.decision().quorum();
    String[] approvers =
        q == null || q.approvers() == null ? null : q.approvers().toArray(String[]::new);
    Object[] params = {
      row.creator().orgId(), row.roomId(), row.id(), 0, row.what().riskLevel(), approvers, false
    };
    return List.of(new Change.Sql(ENQUEUE, Tuple.from(params)));
  }

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
    Object[] params = {
      ci.orgId(), ci.roomId(), ci.id(), ci.escalationLevel(), ci.riskLevel(), humans, named
    };
    return tx.conn().preparedQuery(ENQUEUE).execute(Tuple.from(params)).mapEmpty();
  }
}
