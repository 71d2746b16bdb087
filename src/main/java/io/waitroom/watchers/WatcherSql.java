package io.waitroom.watchers;

import io.waitroom.events.EventLog;

/** Every statement on watchers, the delivery queue and its attempt log. */
final class WatcherSql {
  private WatcherSql() {}

  static final String C = Watcher.COLUMNS;

  // ---- watchers ----

  static final String INSERT =
      """
      INSERT INTO watchers (id, org_id, room_id, agent_id, event_types, match_types, filter,
        webhook_url, secret)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      RETURNING\s"""
          + C;

  /** Locks the row: concurrent removals serialize and exactly one wins. */
  static final String BY_ID_FOR_UPDATE =
      "SELECT " + C + " FROM watchers WHERE id = $1 AND org_id = $2 FOR UPDATE";

  static final String BY_ID = "SELECT " + C + " FROM watchers WHERE id = $1 AND org_id = $2";

  /** $3 cursor (id), $4 limit + 1. */
  static final String LIST_ACTIVE =
      "SELECT "
          + C
          + """
           FROM watchers
          WHERE org_id = $1 AND room_id = $2 AND is_active AND ($3::text IS NULL OR id > $3)
          ORDER BY id LIMIT $4
          """;

  static final String REMOVE =
      """
      UPDATE watchers SET is_active = false, removed_at = now(), removed_by = $3
      WHERE id = $1 AND org_id = $2 AND is_active
      RETURNING\s"""
          + C;

  /** A removed watcher sends nothing more, not even retries of earlier matches. */
  static final String CANCEL_PENDING =
      """
      UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL,
        last_error = coalesce(last_error, 'watcher removed'), updated_at = now()
      WHERE watcher_id = $1 AND status = 'pending'
      """;

  // ---- dispatch ----

  /**
   * The dispatch cursor, held for the transaction; no row when another node holds it (it is
   * dispatching the same events: this node retries shortly).
   */
  static final String TAKE_CURSOR =
      "SELECT last_event_id FROM watcher_dispatch WHERE id = 1 FOR UPDATE SKIP LOCKED";

  /**
   * Up to $2 events after the cursor $1 and below the commit horizon (every transaction below it
   * has ended), in id order; events dispatched before the cursor existed are passed over.
   */
  static final String TAKE_EVENTS =
      """
      SELECT id, org_id, room_id, type, data, created_at FROM room_events
      WHERE id > $1 AND id < %s AND NOT dispatched
      ORDER BY id LIMIT $2
      """
          .formatted(EventLog.HORIZON);

  static final String ACTIVE_IN_ROOMS =
      "SELECT " + C + " FROM watchers WHERE is_active AND room_id = ANY($1) ORDER BY id";

  static final String INSERT_DELIVERY =
      """
      INSERT INTO webhook_deliveries (id, org_id, watcher_id, room_id, event_id, event_type,
        payload, status, next_attempt_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', now())
      ON CONFLICT (watcher_id, event_id) DO NOTHING
      """;

  static final String ADVANCE_CURSOR =
      "UPDATE watcher_dispatch SET last_event_id = $1 WHERE id = 1";

  // ---- delivery ----

  /**
   * Claims due deliveries: the attempt number goes up and {@code next_attempt_at} becomes a lease
   * ($2 seconds), in one statement under {@code SKIP LOCKED}, so no two nodes (or loops) take the
   * same attempt. A node that dies mid-attempt leaves the lease to expire and the next claim makes
   * the next attempt.
   */
  static final String CLAIM =
      """
      WITH due AS (
        SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE webhook_deliveries d
         SET attempts = d.attempts + 1, updated_at = now(),
             next_attempt_at = now() + make_interval(secs => $2)
        FROM due, watchers w
       WHERE d.id = due.id AND w.id = d.watcher_id
      RETURNING d.id, d.watcher_id, d.event_type, d.payload, d.attempts, w.webhook_url, w.secret,
        w.is_active
      """;

  /**
   * Records one attempt: the delivery's new state (only if this claim still holds it) and the
   * attempt row. $3 status, $4 seconds until the next attempt (null = none), $5 status code, $6
   * error, $7 duration, $8 start.
   */
  /**
   * Records a batch of finished attempts in one statement (one row per element of the arrays: $1
   * delivery ids, $2 attempt numbers, $3 new statuses, $4 seconds until the retry or null, $5
   * status codes, $6 errors, $7 durations in ms, $8 start times). A delivery whose attempt number
   * moved on (its lease ran out and another attempt took it) is not updated; its attempt row is
   * still kept.
   */
  static final String FINISH_ATTEMPTS =
      """
      WITH done AS (
        SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::int[],
          $6::text[], $7::int[], $8::timestamptz[])
          AS t(id, attempt, status, delay, code, error, duration_ms, started_at)),
      upd AS (
        UPDATE webhook_deliveries d SET status = done.status,
          next_attempt_at = CASE WHEN done.delay IS NULL THEN NULL
                                 ELSE now() + make_interval(secs => done.delay) END,
          last_status_code = done.code, last_error = done.error, updated_at = now()
        FROM done
        WHERE d.id = done.id AND d.attempts = done.attempt AND d.status = 'pending'
        RETURNING d.id, d.next_attempt_at)
      INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms,
        attempted_at, next_retry_at)
      SELECT done.id, done.attempt, done.code, done.error, done.duration_ms, done.started_at,
        upd.next_attempt_at
      FROM done LEFT JOIN upd ON upd.id = done.id
      ON CONFLICT (delivery_id, attempt) DO NOTHING
      """;

  static final String CANCEL_ONE =
      """
      UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL,
        last_error = 'watcher removed', updated_at = now()
      WHERE id = $1 AND status = 'pending'
      """;

  static final String COUNT_PENDING =
      "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'";

  /** Finished deliveries (and, by cascade, their attempts) past retention; $1 days. */
  static final String DELETE_OLD =
      """
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1)
        LIMIT 1000)
      """;

  // ---- listing ----

  /** Newest first. $2 status (null = any), $3 cursor (id), $4 limit + 1. */
  static final String DELIVERIES =
      """
      SELECT id, watcher_id, event_id, event_type, status, attempts, next_attempt_at,
        last_status_code, last_error, created_at, updated_at
      FROM webhook_deliveries
      WHERE watcher_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4
      """;

  static final String ATTEMPTS =
      """
      SELECT delivery_id, attempt, status_code, error, duration_ms, attempted_at, next_retry_at
      FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt
      """;
}
