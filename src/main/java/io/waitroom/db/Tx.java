package io.waitroom.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.util.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One SQL transaction of a state change: its connection, its audit rows, and an outbox of event-bus
 * messages that are published only after the commit, so a subscriber never hears of a change that
 * rolled back. What the messages are (room events) is for the caller to say.
 */
public final class Tx {
  /** Who an audit row names: an agent, a human, or the server itself. */
  public interface Author {
    String orgId();

    /** {@code agent}, {@code human} or {@code system}. */
    String type();

    String id();
  }

  private record Outgoing(String address, Object message) {}

  private final SqlConnection conn;
  private final List<Outgoing> outbox = new ArrayList<>();
  private int events;
  private Future<?> commit;

  private Tx(SqlConnection conn) {
    this.conn = conn;
  }

  public SqlConnection conn() {
    return conn;
  }

  /**
   * Runs {@code work} in one transaction on one pooled connection and commits it; any failure rolls
   * it back. As {@code Pool.withTransaction}, with fewer round trips: BEGIN is not waited for but
   * pipelined ahead of the work's first statement, and a work that says so ({@link #commitNow}) has
   * its COMMIT sent right behind its last statement instead of after their answers. The connection
   * runs them in order; a statement that fails aborts the transaction in PostgreSQL (a COMMIT
   * behind it rolls back) and fails the work, which is then the answer.
   *
   * <p>BEGIN, COMMIT and ROLLBACK are sent as plain statements, not through Vert.x's {@code
   * Transaction}, which holds COMMIT back until every statement before it has answered.
   */
  public static <T> Future<T> run(Vertx vertx, Pool pool, Function<Tx, Future<T>> work) {
    List<Outgoing> committed = new ArrayList<>();
    return pool.withConnection(
            conn -> {
              Future<?> begun = conn.query("BEGIN").execute();
              Tx tx = new Tx(conn);
              Future<T> done;
              try {
                done = work.apply(tx);
              } catch (RuntimeException e) {
                done = Future.failedFuture(e);
              }
              Future<T> result = done;
              return Future.join(begun, result)
                  .transform(
                      settled -> {
                        Future<?> end;
                        if (tx.commit != null) end = tx.commit;
                        else if (settled.succeeded()) end = conn.query("COMMIT").execute();
                        else end = conn.query("ROLLBACK").execute();
                        return end.transform(
                            ended -> {
                              if (begun.failed()) return Future.failedFuture(begun.cause());
                              if (result.failed()) return Future.failedFuture(result.cause());
                              if (ended.failed()) return Future.failedFuture(ended.cause());
                              committed.addAll(tx.outbox);
                              return Future.succeededFuture(result.result());
                            });
                      });
            })
        .onSuccess(v -> committed.forEach(o -> vertx.eventBus().publish(o.address(), o.message())));
  }

  /**
   * Sends COMMIT now, behind the statements already sent, without waiting for their answers: for a
   * work whose every statement has been sent and that does nothing after them that could fail it. A
   * hot row locked by the last statement (an agent's trust row) is then held for the commit alone,
   * not also for the answer's way back and the event loop's turn. If any of those statements fails,
   * PostgreSQL rolls the transaction back at this COMMIT and the work fails.
   */
  public void commitNow() {
    if (commit == null) commit = conn.query("COMMIT").execute();
  }

  /** The number of this transaction's next room event (0, 1, ...): its order in the transaction. */
  public int nextEventNumber() {
    return events++;
  }

  /** Publishes {@code message} on {@code address} once this transaction has committed. */
  public void publishAfterCommit(String address, Object message) {
    outbox.add(new Outgoing(address, message));
  }

  static final String AUDIT =
      """
      INSERT INTO audit_log
        (id, org_id, room_id, actor_type, actor_id, event_type, target_type, target_id, snapshot)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      """;

  /** Appends an audit row (the table refuses UPDATE and DELETE). */
  public Future<Void> audit(
      Author by,
      String roomId,
      String eventType,
      String targetType,
      String targetId,
      JsonObject snapshot) {
    return audit(by.orgId(), roomId, by.type(), by.id(), eventType, targetType, targetId, snapshot);
  }

  /** Appends an audit row naming an author of another org scope (the server's own changes). */
  public Future<Void> audit(
      String orgId,
      String roomId,
      String actorType,
      String actorId,
      String eventType,
      String targetType,
      String targetId,
      JsonObject snapshot) {
    // The one place an audit row's columns meet AUDIT's placeholders, in order.
    Tuple row =
        Tuple.of(
            Ids.next(Ids.AUDIT),
            orgId,
            roomId,
            actorType,
            actorId,
            eventType,
            targetType,
            targetId,
            snapshot == null ? new JsonObject() : snapshot);
    return conn.preparedQuery(AUDIT).execute(row).mapEmpty();
  }
}
