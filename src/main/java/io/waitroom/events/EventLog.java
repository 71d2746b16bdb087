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
 * again". Writes go through {@link #append}.
 *
 * <p>The commit horizon (V010): an event's id is its transaction's id (xid8) shifted by {@link
 * #TX_BITS} plus its number in the transaction, so a room's transactions commit in parallel, with
 * no lock held across COMMIT. Readers deliver only ids below {@code
 * pg_snapshot_xmin(pg_current_snapshot()) << TX_BITS}: every transaction below that horizon has
 * ended, and every event still to commit has an id at or above it. So "everything after id N", read
 * below the horizon, never skips an event that commits later and never repeats one (SPEC 8), on any
 * node, and the same holds for an org's stream ({@code GET /v1/events}), which reads below the same
 * horizon. A committed event above the horizon is held back until the older transactions end
 * ({@link Page#heldBack()}: read again shortly).
 */
public final class EventLog {
  private EventLog() {}

  /** Low bits of an event id: its number inside its transaction (up to 4096 per transaction). */
  public static final int TX_BITS = 12;

  /** Room events one transaction can write (their numbers fill {@link #TX_BITS}). */
  public static final int PER_TX = 1 << TX_BITS;

  /** $5 the event's number in its transaction ({@link Tx#nextEventNumber()}). */
  static final String APPEND =
      """
      INSERT INTO room_events (id, org_id, room_id, type, data)
      VALUES ((pg_current_xact_id()::text::bigint << 12) + $5, $1, $2, $3, $4)
      RETURNING id, created_at
      """;

  /**
   * The horizon of this statement's snapshot, in id space: every transaction that wrote an id below
   * it has ended. Every reader of the log past a cursor reads below it (watchers, e-mail).
   */
  public static final String HORIZON =
      "(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 12)";

  /** Every row after $2, each with the horizon (one snapshot: the same value on every row). */
  static final String AFTER =
      "SELECT id, org_id, room_id, type, data, created_at, "
          + HORIZON
          + """
           AS horizon FROM room_events
          WHERE room_id = $1 AND id > $2
          ORDER BY id
          LIMIT $3
          """;

  static final String AFTER_IN_ORG =
      "SELECT id, org_id, room_id, type, data, created_at, "
          + HORIZON
          + """
           AS horizon FROM room_events
          WHERE org_id = $1 AND id > $2
          ORDER BY id
          LIMIT $3
          """;

  /** The org's newest event id, and the newest id handed out at all (see POSITIONS). */
  static final String ORG_POSITIONS =
      "SELECT (SELECT coalesce(max(id), 0) FROM room_events WHERE org_id = $1 AND id < "
          + HORIZON
          + ") AS room_max, greatest((SELECT coalesce(max(id), 0) FROM room_events),"
          + " (pg_snapshot_xmax(pg_current_snapshot())::text::bigint << 12) - 1) AS newest";

  /**
   * The room's newest deliverable id (below the horizon: a live stream starts after it and misses
   * nothing that commits later), and the newest id handed out at all (below the next transaction
   * id, so a resume id stays valid after retention has deleted old rows).
   */
  static final String POSITIONS =
      "SELECT (SELECT coalesce(max(id), 0) FROM room_events WHERE room_id = $1 AND id < "
          + HORIZON
          + ") AS room_max, greatest((SELECT coalesce(max(id), 0) FROM room_events),"
          + " (pg_snapshot_xmax(pg_current_snapshot())::text::bigint << 12) - 1) AS newest";

  /**
   * One batch of expired rows; {@code SKIP LOCKED} lets several nodes purge side by side. Rows the
   * watcher dispatcher has not matched yet are kept, so no webhook is lost to retention.
   */
  static final String PURGE =
      """
      DELETE FROM room_events WHERE id IN (
        SELECT id FROM room_events
        WHERE created_at < now() - make_interval(days => $1)
          AND id <= (SELECT last_event_id FROM watcher_dispatch)
        ORDER BY id
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
      """;

  /** Where a room's stream stands: its newest event id, and the newest id of the deployment. */
  public record Positions(long roomMax, long newest) {}

  /**
   * Deliverable events after an id, in id order. {@code full}: the read hit its limit (read on at
   * once); {@code heldBack}: a committed event above the horizon waits for older transactions to
   * end (read again shortly; no doorbell may ring for a transaction that wrote no event).
   */
  public record Page(List<RoomEvent> events, boolean full, boolean heldBack) {}

  /** Up to {@code limit} events of the room with an id above {@code afterId}, in id order. */
  public static Future<Page> after(SqlClient db, String roomId, long afterId, int limit) {
    return page(db, AFTER, Tuple.of(roomId, afterId, limit), limit);
  }

  /** Up to {@code limit} events of any room of the org with an id above {@code afterId}. */
  public static Future<Page> afterInOrg(SqlClient db, String orgId, long afterId, int limit) {
    return page(db, AFTER_IN_ORG, Tuple.of(orgId, afterId, limit), limit);
  }

  private static Future<Page> page(SqlClient db, String sql, Tuple params, int limit) {
    return db.preparedQuery(sql)
        .execute(params)
        .map(
            rows -> {
              List<RoomEvent> out = new ArrayList<>(rows.size());
              boolean heldBack = false;
              for (Row r : rows) {
                if (r.getLong("id") >= r.getLong("horizon")) {
                  heldBack = true;
                  break;
                }
                out.add(RoomEvent.fromRow(r));
              }
              return new Page(out, !heldBack && rows.size() == limit, heldBack);
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
   * the commit. Its id is the transaction's id and the event's number in it (the commit horizon,
   * above): no lock, so it may come anywhere in the transaction.
   */
  public static Future<RoomEvent> append(
      Tx tx, String orgId, String roomId, String type, JsonObject data) {
    return appendAll(tx, List.of(new NewEvent(orgId, roomId, type, data))).map(all -> all.get(0));
  }

  /** A room event about to be appended. */
  public record NewEvent(String orgId, String roomId, String type, JsonObject data) {}

  /**
   * Appends {@code events} in this order as one batch (one statement sent with its rows, not one
   * round of the protocol each), numbered after the transaction's earlier events; each is published
   * after the commit, as {@link #append}.
   */
  public static Future<List<RoomEvent>> appendAll(Tx tx, List<NewEvent> events) {
    if (events.isEmpty()) return Future.succeededFuture(List.of());
    List<Tuple> rows = new ArrayList<>(events.size());
    for (NewEvent e : events) {
      int n = tx.nextEventNumber();
      if (n >= PER_TX) {
        return Future.failedFuture(
            new IllegalStateException("more than " + PER_TX + " room events in one transaction"));
      }
      rows.add(Tuple.of(e.orgId(), e.roomId(), e.type(), e.data(), n));
    }
    var statement = tx.conn().preparedQuery(APPEND);
    return (rows.size() == 1 ? statement.execute(rows.get(0)) : statement.executeBatch(rows))
        .map(
            first -> {
              List<RoomEvent> out = new ArrayList<>(events.size());
              var result = first;
              for (NewEvent e : events) {
                Row r = result.iterator().next();
                RoomEvent appended =
                    new RoomEvent(
                        r.getLong("id"),
                        e.orgId(),
                        e.roomId(),
                        e.type(),
                        e.data(),
                        Time.iso(r.getOffsetDateTime("created_at")));
                tx.publishAfterCommit(Addresses.ROOM_EVENTS, appended);
                out.add(appended);
                result = result.next();
              }
              return out;
            });
  }
}
