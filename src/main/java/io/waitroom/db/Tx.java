package io.waitroom.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.bus.Addresses;
import io.waitroom.events.RoomEvent;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One SQL transaction of a state change. Room events and audit rows are written through it on the
 * same connection, and the events are published on the event bus only after the commit, so a
 * subscriber never sees an event whose change rolled back.
 */
public final class Tx {
  private final SqlConnection conn;
  private final List<RoomEvent> events = new ArrayList<>();

  private Tx(SqlConnection conn) {
    this.conn = conn;
  }

  public SqlConnection conn() {
    return conn;
  }

  public static <T> Future<T> run(Vertx vertx, Pool pool, Function<Tx, Future<T>> work) {
    List<RoomEvent> committed = new ArrayList<>();
    return pool.withTransaction(
            conn -> {
              Tx tx = new Tx(conn);
              return work.apply(tx).onSuccess(v -> committed.addAll(tx.events));
            })
        .onSuccess(v -> publish(vertx, committed));
  }

  public static void publish(Vertx vertx, List<RoomEvent> events) {
    for (RoomEvent e : events) vertx.eventBus().publish(Addresses.ROOM_EVENTS, e);
  }

  /**
   * Appends a room event. The transaction-scoped advisory lock on the event's org makes event ids
   * of one org (and so of each of its rooms) commit in id order, so a reader of a room, or of the
   * whole org ({@code GET /v1/events}), resuming after id N can never later see a smaller id appear
   * (no gap at the seam). Transactions that write events of several orgs take them in org id order.
   * Call it as late as possible in the transaction.
   */
  public Future<RoomEvent> event(String orgId, String roomId, String type, JsonObject data) {
    return conn.preparedQuery(
            """
            INSERT INTO room_events (org_id, room_id, type, data)
            SELECT $1, $2, $3, $4 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 7))) l
            RETURNING id, created_at
            """)
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
              events.add(e);
              return e;
            });
  }

  /** Appends an audit row (the table refuses UPDATE and DELETE). */
  public Future<Void> audit(
      String orgId,
      String roomId,
      String actorType,
      String actorId,
      String eventType,
      String targetType,
      String targetId,
      JsonObject snapshot) {
    return conn.preparedQuery(
            """
            INSERT INTO audit_log
              (id, org_id, room_id, actor_type, actor_id, event_type, target_type, target_id, snapshot)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """)
        .execute(
            Tuple.from(
                new Object[] {
                  Ids.next(Ids.AUDIT),
                  orgId,
                  roomId,
                  actorType,
                  actorId,
                  eventType,
                  targetType,
                  targetId,
                  snapshot == null ? new JsonObject() : snapshot
                }))
        .mapEmpty();
  }

  public Future<Void> audit(
      Actor actor,
      String roomId,
      String eventType,
      String targetType,
      String targetId,
      JsonObject snapshot) {
    return audit(
        actor.orgId(), roomId, actor.type(), actor.id(), eventType, targetType, targetId, snapshot);
  }
}
