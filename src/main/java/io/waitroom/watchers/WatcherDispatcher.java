package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.db.Tx;
import io.waitroom.events.EventLog;
import io.waitroom.events.RoomEvent;
import io.waitroom.util.Ids;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watcher dispatch: holds the one dispatch cursor ({@code watcher_dispatch}, {@code SKIP LOCKED}:
 * another node holding it is dispatching), takes the events after it and below the commit horizon
 * in id order, matches them against the room's active watchers ({@link WatcherMatcher}), and in the
 * same transaction writes one delivery row per (watcher with a webhook, event), emits a {@code
 * watcher.triggered} event per firing (carrying the trigger chain that bounds cascades) and
 * advances the cursor. Runs one batch at a time; a wake-up during a batch runs another after it.
 */
final class WatcherDispatcher {
  private static final Logger log = LoggerFactory.getLogger(WatcherDispatcher.class);

  static final int EVENT_BATCH = 100;

  /**
   * The {@code watcher.triggered} events one batch may write: one transaction holds {@link
   * EventLog#PER_TX} room events, and an event with more matching watchers than this fires the
   * first ones only (logged).
   */
  static final int MAX_FIRINGS = EventLog.PER_TX - 96;

  /**
   * @param more events are waiting beyond this batch (it was full, or cut): run another now
   * @param busy another node held the cursor: nothing was taken, try again shortly
   */
  record Dispatched(int deliveries, boolean more, boolean busy) {
    static final Dispatched NOTHING = new Dispatched(0, false, false);
    static final Dispatched BUSY = new Dispatched(0, false, true);
  }

  /** How soon to try again when another node holds the cursor. */
  static final long BUSY_RETRY_MS = 20;

  private record Firing(RoomEvent event, Watcher watcher, List<String> chain) {}

  private final Vertx vertx;
  private final Pool pool;
  private final Runnable deliveriesWritten;
  private boolean running;
  private boolean again;
  private boolean stopped;

  /**
   * @param deliveriesWritten called after a batch that wrote deliveries (to send them now)
   */
  WatcherDispatcher(Vertx vertx, Pool pool, Runnable deliveriesWritten) {
    this.vertx = vertx;
    this.pool = pool;
    this.deliveriesWritten = deliveriesWritten;
  }

  boolean idle() {
    return !running;
  }

  /** No batch starts after this; one in flight finishes. */
  void stop() {
    stopped = true;
  }

  /** Runs a batch now, or right after the running one. */
  void wake(Runnable whenIdle) {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    dispatchBatch()
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                DatabaseUnavailable.warn(log, "watcher dispatch", ar.cause());
              } else {
                if (ar.result().deliveries() > 0) deliveriesWritten.run();
                if (ar.result().more()) again = true;
              }
              whenIdle.run();
              if (stopped) return;
              if (again) {
                vertx.runOnContext(v -> wake(whenIdle));
              } else if (ar.succeeded() && ar.result().busy()) {
                vertx.setTimer(BUSY_RETRY_MS, id -> wake(whenIdle));
              }
            });
  }

  /** One batch of events, one transaction. */
  Future<Dispatched> dispatchBatch() {
    return Tx.run(
        vertx,
        pool,
        tx ->
            tx.conn()
                .preparedQuery(WatcherSql.TAKE_CURSOR)
                .execute()
                .compose(
                    cursor -> {
                      if (cursor.size() == 0) {
                        return Future.succeededFuture(Dispatched.BUSY);
                      }
                      long after = cursor.iterator().next().getLong("last_event_id");
                      return take(tx, after);
                    }));
  }

  private static Future<Dispatched> take(Tx tx, long after) {
    return tx.conn()
        .preparedQuery(WatcherSql.TAKE_EVENTS)
        .execute(Tuple.of(after, EVENT_BATCH))
        .compose(
            rows -> {
              List<RoomEvent> events = new ArrayList<>();
              Map<Long, OffsetDateTime> at = new HashMap<>();
              Set<String> rooms = new LinkedHashSet<>();
              for (Row r : rows) {
                RoomEvent e = RoomEvent.fromRow(r);
                events.add(e);
                at.put(e.id(), r.getOffsetDateTime("created_at"));
                rooms.add(e.roomId());
              }
              if (events.isEmpty()) {
                return Future.succeededFuture(Dispatched.NOTHING);
              }
              return tx.conn()
                  .preparedQuery(WatcherSql.ACTIVE_IN_ROOMS)
                  .execute(Tuple.of((Object) rooms.toArray(String[]::new)))
                  .compose(
                      watcherRows -> {
                        Map<String, List<Watcher>> byRoom = new HashMap<>();
                        for (Row r : watcherRows) {
                          Watcher w = Watcher.fromRow(r);
                          byRoom.computeIfAbsent(w.roomId(), k -> new ArrayList<>()).add(w);
                        }
                        // A batch stops before its firings outgrow one transaction's room events
                        // (many watchers in one room): the rest is the next batch's.
                        List<Firing> firings = new ArrayList<>();
                        List<RoomEvent> taken = new ArrayList<>();
                        for (RoomEvent e : events) {
                          List<Firing> more = match(e, at.get(e.id()), byRoom);
                          if (!taken.isEmpty() && firings.size() + more.size() > MAX_FIRINGS) break;
                          if (more.size() > MAX_FIRINGS) {
                            log.warn(
                                "event {} matches {} watchers; the first {} fire",
                                e.id(),
                                more.size(),
                                MAX_FIRINGS);
                            more = more.subList(0, MAX_FIRINGS);
                          }
                          firings.addAll(more);
                          taken.add(e);
                        }
                        boolean more = events.size() == EVENT_BATCH || taken.size() < events.size();
                        return record(tx, taken, firings)
                            .map(deliveries -> new Dispatched(deliveries, more, false));
                      });
            });
  }

  private static List<Firing> match(
      RoomEvent e, OffsetDateTime eventAt, Map<String, List<Watcher>> byRoom) {
    List<Firing> out = new ArrayList<>();
    List<String> chain = WatcherMatcher.chainOf(e.type(), e.data());
    for (Watcher w : byRoom.getOrDefault(e.roomId(), List.of())) {
      // A watcher sees what happens after it subscribed, never another org's events.
      if (!w.orgId().equals(e.orgId()) || w.createdAt().isAfter(eventAt)) continue;
      if (!WatcherMatcher.mayFire(chain, w.id())) continue;
      if (!WatcherMatcher.matches(w.matchTypes(), w.filter(), e.type(), e.data())) continue;
      List<String> next = new ArrayList<>(chain);
      next.add(w.id());
      out.add(new Firing(e, w, next));
    }
    return out;
  }

  /** Writes the batch's deliveries and firings and advances the cursor; answers the deliveries. */
  private static Future<Integer> record(Tx tx, List<RoomEvent> events, List<Firing> firings) {
    List<Tuple> deliveries = new ArrayList<>();
    for (Firing f : firings) {
      if (f.watcher().webhookUrl() == null) continue;
      JsonObject payload = f.event().envelope().put("watcher_id", f.watcher().id());
      deliveries.add(
          Tuple.of(
              Ids.next(Ids.DELIVERY),
              f.event().orgId(),
              f.watcher().id(),
              f.event().roomId(),
              f.event().id(),
              f.event().type(),
              payload));
    }
    Future<?> inserted =
        deliveries.isEmpty()
            ? Future.succeededFuture()
            : tx.conn().preparedQuery(WatcherSql.INSERT_DELIVERY).executeBatch(deliveries);
    // Every watcher.triggered event goes in one batch on the transaction's connection (they do
    // not depend on each other), in event order: ids follow the order of the batch.
    List<Firing> ordered = new ArrayList<>(firings);
    ordered.sort(
        Comparator.comparingLong((Firing f) -> f.event().id())
            .thenComparing(f -> f.watcher().id()));
    List<EventLog.NewEvent> triggered = new ArrayList<>(ordered.size());
    for (Firing f : ordered) {
      triggered.add(
          new EventLog.NewEvent(
              f.event().orgId(), f.event().roomId(), WatcherMatcher.TRIGGERED, triggered(f)));
    }
    Future<?> chain = Future.all(inserted, EventLog.appendAll(tx, triggered));
    long last = events.get(events.size() - 1).id();
    return chain
        .compose(v -> tx.conn().preparedQuery(WatcherSql.ADVANCE_CURSOR).execute(Tuple.of(last)))
        .map(v -> deliveries.size());
  }

  /** {@code watcher.triggered} data: who fired, on what, and the chain that led here. */
  private static JsonObject triggered(Firing f) {
    return new JsonObject()
        .put("watcher_id", f.watcher().id())
        .put("agent_id", f.watcher().agentId())
        .put("trigger_event_id", f.event().id())
        .put("trigger_event", f.event().envelope())
        .put("chain", new JsonArray(List.copyOf(f.chain())));
  }
}
