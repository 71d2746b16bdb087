package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.util.Time;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of {@code room_events}, the truth behind every stream: the bus and Redis only say "look
 * again". Writes go through {@link io.waitroom.db.Tx#event}, whose per-org advisory lock makes an
 * org's ids (and so each room's) commit in id order, so "everything after id N" of a room or of an
 * org never skips an event that commits later.
 */
public final class EventLog {
  private EventLog() {}

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
    return db.preparedQuery(AFTER)
        .execute(Tuple.of(roomId, afterId, limit))
        .map(
            rows -> {
              List<RoomEvent> out = new ArrayList<>(rows.size());
              for (Row r : rows) out.add(fromRow(r));
              return out;
            });
  }

  /** Up to {@code limit} events of any room of the org with an id above {@code afterId}. */
  public static Future<List<RoomEvent>> afterInOrg(
      SqlClient db, String orgId, long afterId, int limit) {
    return db.preparedQuery(AFTER_IN_ORG)
        .execute(Tuple.of(orgId, afterId, limit))
        .map(
            rows -> {
              List<RoomEvent> out = new ArrayList<>(rows.size());
              for (Row r : rows) out.add(fromRow(r));
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

  static RoomEvent fromRow(Row r) {
    return new RoomEvent(
        r.getLong("id"),
        r.getString("org_id"),
        r.getString("room_id"),
        r.getString("type"),
        (JsonObject) r.getValue("data"),
        Time.iso(r.getOffsetDateTime("created_at")));
  }
}
