package io.waitroom.push;

import io.waitroom.access.AccessSql;

/** Every statement on push subscriptions and the push delivery queue. */
final class PushSql {
  private PushSql() {}

  static final String COLUMNS = "id, org_id, user_id, endpoint, all_rooms, room_ids, created_at";

  /** An endpoint has one owner: whoever subscribes it last (another human on the same browser). */
  static final String DELETE_BY_ENDPOINT =
      "DELETE FROM push_subscriptions WHERE endpoint = $1 RETURNING id, org_id, user_id";

  static final String INSERT =
      """
      INSERT INTO push_subscriptions (id, org_id, user_id, endpoint, p256dh, auth, all_rooms,
        room_ids)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      RETURNING\s"""
          + COLUMNS;

  /** Only the caller's own: another human's or another org's id is a miss (404). */
  static final String DELETE_OWN =
      "DELETE FROM push_subscriptions WHERE id = $1 AND org_id = $2 AND user_id = $3 RETURNING "
          + COLUMNS;

  static final String LIST_OWN =
      "SELECT "
          + COLUMNS
          + " FROM push_subscriptions WHERE org_id = $1 AND user_id = $2 ORDER BY id LIMIT 101";

  /**
   * Fans a push out to subscriptions of the org, in the transaction of what caused it (a new
   * pending check-in: level 0; an escalation step: its level), so the queue row commits with it or
   * not at all. $1 org, $2 room, $3 check-in id, $4 level, $5 the humans named ({@code usr_} ids;
   * null = every subscription covering the room), $6 payload (the room's name is added here). Named
   * humans get it on every subscription they have. One push per subscription, check-in and level,
   * however often the statement runs. Unless named, only to humans who may decide in the room
   * (approvers and admins; only its approver members and owner when it has approver members).
   */
  static final String ENQUEUE =
      """
      INSERT INTO push_deliveries (id, org_id, subscription_id, check_in_id, escalation_level,
        payload, status, next_attempt_at)
      SELECT 'pdl_' || md5(s.id || ':' || $3 || ':' || $4::int), s.org_id, s.id, $3, $4,
        $6::jsonb || jsonb_build_object('room', r.name), 'pending', now()
      FROM push_subscriptions s JOIN rooms r ON r.id = $2 AND r.org_id = $1
      WHERE s.org_id = $1
        AND CASE WHEN $5::text[] IS NULL THEN (s.all_rooms OR $2 = ANY (s.room_ids)) AND ("""
          + AccessSql.mayDecide("s.user_id", "$2")
          + """
                 ) ELSE s.user_id = ANY ($5::text[]) END
      ON CONFLICT (subscription_id, check_in_id, escalation_level) DO NOTHING
      """;

  /** Claims due pushes with a lease ($2 seconds), as webhook deliveries are claimed. */
  static final String CLAIM =
      """
      WITH due AS (
        SELECT id FROM push_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE push_deliveries d
         SET attempts = d.attempts + 1, updated_at = now(),
             next_attempt_at = now() + make_interval(secs => $2)
        FROM due, push_subscriptions s
       WHERE d.id = due.id AND s.id = d.subscription_id
      RETURNING d.id, d.subscription_id, d.check_in_id, d.payload, d.attempts, s.endpoint,
        s.p256dh, s.auth, s.org_id, s.user_id
      """;

  /** Records an attempt, only while this claim still holds the row. $4 seconds (null = none). */
  static final String FINISH =
      """
      UPDATE push_deliveries SET status = $3,
        next_attempt_at = CASE WHEN $4::float8 IS NULL THEN NULL
                               ELSE now() + make_interval(secs => $4::float8) END,
        last_status_code = $5, last_error = $6, updated_at = now()
      WHERE id = $1 AND attempts = $2 AND status = 'pending'
      """;

  /** The push service says the subscription is gone (404/410): it and its queue go. */
  static final String DELETE_GONE = "DELETE FROM push_subscriptions WHERE id = $1 RETURNING org_id";

  static final String DELETE_OLD =
      """
      DELETE FROM push_deliveries WHERE id IN (
        SELECT id FROM push_deliveries
        WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1)
        LIMIT 1000)
      """;
}
