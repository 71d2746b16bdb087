package io.waitroom.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import io.waitroom.bus.Addresses;
import io.waitroom.db.DatabaseUnavailable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Long-poll support, one per node (in {@code Deps}): waits for the next room event about a given
 * object (a check-in, by its {@code ci_} id) without holding a thread per waiter.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #awaitCheckIn(String, long)} returns a future that completes with {@code true} as
 *       soon as this node sees a room event whose {@code data.id} equals the id: an event committed
 *       on this node ({@code Addresses.ROOM_EVENTS}) or on another node and relayed by the cluster
 *       bridge ({@code Addresses.ROOM_EVENTS_REMOTE}). It completes with {@code false} when {@code
 *       timeoutMs} passes first. It never fails.
 *   <li>The wait is registered when the method returns; events published before that are not seen.
 *       So <b>register first, then read the state</b>, or use {@link #poll}, which does exactly
 *       that in a loop.
 *   <li>A wake-up is a hint, not a state: it may be spurious (an event about the check-in that did
 *       not change its status, or a bulk wake after the Redis bridge reconnected, when events of
 *       other nodes may have been missed). Always re-read the state from the database.
 *   <li>The future completes on the Vert.x context that registered the wait (the request's event
 *       loop), so its callbacks may write the HTTP response directly.
 *   <li>Cost: one map entry and one Vert.x timer per waiter; no thread, no database connection
 *       while waiting. Thread-safe; 10,000 concurrent waiters are routine.
 * </ul>
 *
 * <p>Typical use for {@code GET /v1/check-ins/:id/status?wait=N}:
 *
 * <pre>{@code
 * deps.waiters().poll(ci.id(), waitSeconds * 1000L,
 *     () -> CheckInRepository.visible(deps.pool(), actor, id),
 *     ci -> !CheckIn.OPEN.contains(ci.status()))
 * }</pre>
 */
public final class EventWaiters {
  /** How soon a long-poll whose read found the database unreachable reads again. */
  static final long UNAVAILABLE_RETRY_MS = 1_000;

  private final Vertx vertx;
  private final Map<String, Set<Wait>> waits = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private volatile boolean closed;

  public EventWaiters(Vertx vertx, String metricsRegistry) {
    this.vertx = vertx;
    var bus = vertx.eventBus();
    bus.<RoomEvent>consumer(Addresses.ROOM_EVENTS, m -> onEvent(m.body()));
    bus.<RoomEvent>consumer(Addresses.ROOM_EVENTS_REMOTE, m -> onEvent(m.body()));
    bus.consumer(Addresses.ROOM_STREAMS_RESYNC, m -> wakeAll());
    MeterRegistry registry =
        metricsRegistry == null ? null : BackendRegistries.getNow(metricsRegistry);
    if (registry != null) {
      Gauge.builder("waitroom.longpoll.waiters", size, AtomicInteger::get)
          .description("Long-poll requests waiting for an event")
          .register(registry);
    }
  }

  /**
   * Waits for the next event about check-in {@code checkInId}; see the class comment.
   *
   * @return {@code true} when woken by an event, {@code false} after {@code timeoutMs}
   */
  public Future<Boolean> awaitCheckIn(String checkInId, long timeoutMs) {
    return await(checkInId, timeoutMs).future();
  }

  /**
   * Registers a wait for the next event whose {@code data.id} is {@code dataId} (any kind of id).
   * The returned handle can be cancelled, which completes its future with {@code false}.
   */
  public Wait await(String dataId, long timeoutMs) {
    Wait w = new Wait(dataId, vertx.getOrCreateContext());
    if (timeoutMs <= 0 || closed) {
      w.promise.complete(false);
      return w;
    }
    waits.compute(
        dataId,
        (k, set) -> {
          Set<Wait> s = set == null ? ConcurrentHashMap.newKeySet() : set;
          s.add(w);
          return s;
        });
    size.incrementAndGet();
    w.timer = vertx.setTimer(timeoutMs, id -> w.finish(false));
    if (closed) w.finish(false); // close() ran while this registered
    return w;
  }

  /**
   * Shutdown: every wait ends now as if timed out, and later ones end at once, so long-polls answer
   * with the current state instead of holding the graceful shutdown. Idempotent.
   */
  public void close() {
    closed = true;
    List<Wait> everyone = new ArrayList<>();
    for (String key : List.copyOf(waits.keySet())) {
      Set<Wait> set = waits.remove(key);
      if (set != null) everyone.addAll(set);
    }
    for (Wait w : everyone) w.finish(false);
  }

  /**
   * The long-poll loop: registers a wait, reads the state, and returns it as soon as {@code done}
   * holds or {@code timeoutMs} has passed (then with a final read). Registration always precedes
   * the read, so an event between the read and the wait cannot be missed. A read that finds the
   * database unreachable is tried again every second until the time is up (a restart of PostgreSQL
   * does not end the wait); any other failed read fails the returned future.
   */
  public <T> Future<T> poll(
      String dataId, long timeoutMs, Supplier<Future<T>> read, Predicate<T> done) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
    return pollLoop(dataId, deadline, read, done);
  }

  private <T> Future<T> pollLoop(
      String dataId, long deadline, Supplier<Future<T>> read, Predicate<T> done) {
    // Rounded up: truncating let a ?wait=N answer up to a millisecond before N seconds were over.
    long remainingNanos = deadline - System.nanoTime();
    long remainingMs = remainingNanos <= 0 ? 0 : (remainingNanos + 999_999) / 1_000_000;
    Wait w = await(dataId, remainingMs);
    Future<T> state;
    try {
      state = read.get();
    } catch (RuntimeException e) {
      w.cancel();
      return Future.failedFuture(e);
    }
    return state.compose(
        value -> {
          if (remainingMs <= 0 || done.test(value)) {
            w.cancel();
            return Future.succeededFuture(value);
          }
          return w.future()
              .compose(
                  woken ->
                      woken
                          ? pollLoop(dataId, deadline, read, done)
                          : read.get()); // timed out: answer with the current state
        },
        e -> {
          w.cancel();
          if (!DatabaseUnavailable.is(e) || remainingMs <= 0) return Future.failedFuture(e);
          // The database is restarting: keep waiting (no thread, a timer) and read again; only a
          // wait whose time runs out while it is still away fails (503).
          DatabaseUnavailable.report("long-poll " + dataId, e);
          Promise<T> again = Promise.promise();
          vertx.setTimer(
              Math.min(UNAVAILABLE_RETRY_MS, remainingMs),
              t -> pollLoop(dataId, deadline, read, done).onComplete(again));
          return again.future();
        });
  }

  /** How many waits are registered right now. */
  public int size() {
    return size.get();
  }

  private void onEvent(RoomEvent e) {
    JsonObject data = e.data();
    if (data == null || waits.isEmpty()) return;
    Object id = data.getValue("id");
    if (!(id instanceof String key)) return;
    Set<Wait> set = waits.remove(key);
    if (set == null) return;
    for (Wait w : set) w.finish(true);
  }

  /** Wakes everyone: used when events may have been missed (the Redis bridge reconnected). */
  private void wakeAll() {
    List<Wait> everyone = new ArrayList<>();
    for (String key : List.copyOf(waits.keySet())) {
      Set<Wait> set = waits.remove(key);
      if (set != null) everyone.addAll(set);
    }
    for (Wait w : everyone) w.finish(true);
  }

  /** One registered wait. */
  public final class Wait {
    private final String key;
    private final Context context;
    private final Promise<Boolean> promise = Promise.promise();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile long timer = -1;

    private Wait(String key, Context context) {
      this.key = key;
      this.context = context;
    }

    /** {@code true} when an event woke it; {@code false} on timeout or cancel. Never fails. */
    public Future<Boolean> future() {
      return promise.future();
    }

    /** Stops waiting (completes with {@code false} unless already complete). */
    public void cancel() {
      finish(false);
    }

    private void finish(boolean woken) {
      if (!done.compareAndSet(false, true)) return;
      if (promise.future().isComplete()) return; // timeoutMs <= 0: never registered
      size.decrementAndGet();
      if (timer >= 0) vertx.cancelTimer(timer);
      waits.computeIfPresent(
          key,
          (k, set) -> {
            set.remove(this);
            return set.isEmpty() ? null : set;
          });
      if (Vertx.currentContext() == context) promise.complete(woken);
      else context.runOnContext(v -> promise.tryComplete(woken));
    }
  }
}
