package io.waitroom.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionRollbackException;
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

  private Tx(SqlConnection conn) {
    this.conn = conn;
  }

  public SqlConnection conn() {
    return conn;
  }

  /**
   * Runs {@code work} in one transaction on one pooled connection and commits it; any failure rolls
   * it back. As {@code Pool.withTransaction}, with one round trip less: BEGIN is not waited for but
   * pipelined ahead of the work's first statement (the connection runs them in order, and a
   * statement that fails marks the transaction failed, so COMMIT then rolls back and fails).
   */
  public static <T> Future<T> run(Vertx vertx, Pool pool, Function<Tx, Future<T>> work) {
    List<Outgoing> committed = new ArrayList<>();
    return pool.withConnection(
            conn -> {
              Future<Transaction> begun = conn.begin();
              Tx tx = new Tx(conn);
              Future<T> done;
              try {
                done = work.apply(tx);
              } catch (RuntimeException e) {
                done = Future.failedFuture(e);
              }
              Future<T> result = done;
              return begun.compose(
                  t ->
                      result.compose(
                          value ->
                              t.commit()
                                  .map(
                                      v -> {
                                        committed.addAll(tx.outbox);
                                        return value;
                                      }),
                          error ->
                              error instanceof TransactionRollbackException
                                  ? Future.failedFuture(error)
                                  : t.rollback().transform(v -> Future.failedFuture(error))));
            })
        .onSuccess(v -> committed.forEach(o -> vertx.eventBus().publish(o.address(), o.message())));
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
