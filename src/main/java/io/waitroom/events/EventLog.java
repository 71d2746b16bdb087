package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.bus.Addresses;
import io.waitroom.db.Tx;
import io.waitroom.util.Time;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of {@code room_events}, the truth behind every stream: the bus and Redis only say "look
 * again". Writes go through {@link #append}, whose per-org advisory lock makes an org's ids (and so
 * each room's) commit in id order, so "everything after id N" of a room or of an org never skips an
 * event that commits later.
 */
public final class EventLog {
  private EventLog() {}

  static final String APPEND =
      """
      INSERT INTO room_events (org_id, room_id, type, data)
      SELECT $1, $2, $3, $4 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 7))) l
      RETURNING id, created_at
      """;

  static final String AFTER =
      """
      SELECT id, org_id, room_id, type, data, created_at FROM room_events
      WHERE room_id = $1 AND id > $2
      ORDER BY id
      LIMIT $3
      """;

  static final String AFTER_IN_ORG =
      """
      SELECT id, org_id, room_id, type, data, created_at FROM room_events
      WHERE org_id = $1 AND id > $2
      ORDER BY id
      LIMIT $3
      """;

  /** The org's newest event id, and the newest id handed out at all (see POSITIONS). */
  static final String ORG_POSITIONS =
      """
      SELECT
        (SELECT coalesce(max(id), 0) FROM room_events WHERE org_id = $1) AS room_max,
        greatest(
          (SELECT coalesce(max(id), 0) FROM room_events),
          coalesce(pg_sequence_last_value(pg_get_serial_sequence('room_events', 'id')::regclass), 0)
        ) AS newest
      """;

  /**
   * The newest id of the room, and the newest id handed out at all (the sequence, so a resume id
   * stays valid after retention has deleted old rows).
   */
  static final String POSITIONS =
      """
      SELECT
        (SELECT coalesce(max(id), 0) FROM room_events WHERE room_id = $1) AS room_max,
        greatest(
          (SELECT coalesce(max(id), 0) FROM room_events),
          coalesce(pg_sequence_last_value(pg_get_serial_sequence('room_events', 'id')::regclass), 0)
        ) AS newest
      """;

  /**
   * One batch of expired rows; {@code SKIP LOCKED} lets several nodes purge side by side. Rows the
   * watcher dispatcher has not matched yet are kept, so no webhook is lost to retention.
   */
  static final String PURGE =
      """
      DELETE FROM room_events WHERE id IN (
        SELECT id FROM room_events
        WHERE created_at < now() - make_interval(days => $1) AND dispatched
        ORDER BY id
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
      """;

  /** Where a room's stream stands: its newest event id, and the newest id of the deployment. */
  public record Positions(long roomMax, long newest) {}

  /** Up to {@code limit} events of the room with an id above {@code afterId}, in id order. */
  public static Future<List<RoomEvent>> after(
      SqlClient db, String roomId, long afterId, int limit) {
    return events(db, AFTER, Tuple.of(roomId, afterId, limit));
  }

  /** Up to {@code limit} events of any room of the org with an id above {@code afterId}. */
  public static Future<List<RoomEvent>> afterInOrg(
      SqlClient db, String orgId, long afterId, int limit) {
    return events(db, AFTER_IN_ORG, Tuple.of(orgId, afterId, limit));
  }

  private static Future<List<RoomEvent>> events(SqlClient db, String sql, Tuple params) {
    return db.preparedQuery(sql)
        .execute(params)
        .map(
            rows -> {
              List<RoomEvent> out = new ArrayList<>(rows.size());
              for (Row r : rows) out.add(RoomEvent.fromRow(r));
              return out;
            });
  }

  public static Future<Positions> positions(SqlClient db, String roomId) {
    return positions(db, POSITIONS, roomId);
  }

  /** Like {@link #positions} for a whole org; {@code roomMax} is then the org's newest id. */
  public static Future<Positions> orgPositions(SqlClient db, String orgId) {
    return positions(db, ORG_POSITIONS, orgId);
  }

  private static Future<Positions> positions(SqlClient db, String sql, String key) {
    return db.preparedQuery(sql)
        .execute(Tuple.of(key))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              return new Positions(r.getLong("room_max"), r.getLong("newest"));
            });
  }

  /** Deletes one batch of events older than {@code days}; returns how many went. */
  public static Future<Integer> purge(SqlClient db, int days, int batch) {
    return db.preparedQuery(PURGE).execute(Tuple.of(days, batch)).map(rows -> rows.rowCount());
  }

  /**
   * Appends a room event in the transaction and publishes it on {@link Addresses#ROOM_EVENTS} after
   * the commit. The transaction-scoped advisory lock on the event's org makes event ids of one org
   * (and so of each of its rooms) commit in id order, so a reader of a room, or of the whole org
   * ({@code GET /v1/events}), resuming after id N can never later see a smaller id appear (no gap
   * at the seam). Transactions that write events of several orgs take them in org id order (the
   * sweeper's batch, the watcher dispatcher), so nodes cannot deadlock. Call it as late as possible
   * in the transaction.
   *
   * <p>The lock serialises an org's event writers. A later performance change may replace it by a
   * commit-horizon read (readers stop below the oldest id still in flight); {@code
   * OrgEventsApiTest}'s test that holds a transaction open mid-commit guards whatever replaces it.
   */
  public static Future<RoomEvent> append(
      Tx tx, String orgId, String roomId, String type, JsonObject data) {
    return tx.conn()
        .preparedQuery(APPEND)
        .execute(Tuple.of(orgId, roomId, type, data))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              RoomEvent e =
                  new RoomEvent(
                      r.getLong("id"),
                      orgId,
                      roomId,
                      type,
                      data,
                      Time.iso(r.getOffsetDateTime("created_at")));
              tx.publishAfterCommit(Addresses.ROOM_EVENTS, e);
              return e;
            });
  }
}
