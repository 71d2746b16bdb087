package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import io.waitroom.errors.ApiException;
import io.waitroom.events.EventWaiters;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits server-side for a human decision on a check-in, on the long-poll machinery of {@code GET
 * /v1/check-ins/:id/status?wait=N}: a registered {@link EventWaiters} wait woken by the check-in's
 * own events (local or from another node), then one read of the state through the API. No thread
 * and no polling while waiting. Bounded by the caller's {@code wait_seconds}; sends MCP progress
 * notifications every {@link #PROGRESS_MS} when the client gave a progress token; a cancelled
 * request stops waiting at once.
 */
final class DecisionWait {
  static final long PROGRESS_MS = 5_000;

  /** The state at the end of a wait, and how long it took. */
  record Outcome(JsonObject checkIn, int waitedSeconds) {}

  /** Fails a wait whose request was cancelled: nobody is listening for its answer. */
  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  private final Vertx vertx;
  private final EventWaiters waiters;
  private final LoopbackApi api;

  DecisionWait(Vertx vertx, EventWaiters waiters, LoopbackApi api) {
    this.vertx = vertx;
    this.waiters = waiters;
    this.api = api;
  }

  /** The check-in's state now, as {@code GET /v1/check-ins/:id/status} answers it. */
  Future<JsonObject> read(String id, ToolCalls.Call call) {
    return api.call(
            HttpMethod.GET,
            "/v1/check-ins/" + id + "/status",
            call.credential(),
            null,
            call.requestId())
        .map(ToolCalls::unwrap);
  }

  Future<Outcome> waitFor(String id, int seconds, ToolCalls.Call call) {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
    AtomicReference<EventWaiters.Wait> current = new AtomicReference<>();
    call.inFlight()
        .onCancel(
            () -> {
              EventWaiters.Wait w = current.get();
              if (w != null) w.cancel();
            });
    long progressTimer = -1;
    if (call.progressToken() != null) {
      progress(call, id, started, seconds);
      progressTimer = vertx.setPeriodic(PROGRESS_MS, t -> progress(call, id, started, seconds));
    }
    long timer = progressTimer;
    return loop(id, deadline, call, current)
        .map(
            ci ->
                new Outcome(ci, (int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)))
        .eventually(
            () -> {
              if (timer >= 0) vertx.cancelTimer(timer);
              return Future.succeededFuture();
            });
  }

  /** Register first, then read: an event between the read and the wait cannot be missed. */
  private Future<JsonObject> loop(
      String id, long deadline, ToolCalls.Call call, AtomicReference<EventWaiters.Wait> current) {
    if (call.inFlight().cancelled()) return Future.failedFuture(new Cancelled());
    long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    EventWaiters.Wait w = waiters.await(id, remainingMs);
    current.set(w);
    if (call.inFlight().cancelled()) w.cancel();
    return read(id, call)
        .compose(
            ci -> {
              if (remainingMs == 0 || !CheckIn.OPEN.contains(ci.getString("status"))) {
                w.cancel();
                return Future.succeededFuture(ci);
              }
              return w.future()
                  .compose(
                      woken -> {
                        if (call.inFlight().cancelled()) {
                          return Future.<JsonObject>failedFuture(new Cancelled());
                        }
                        return woken ? loop(id, deadline, call, current) : read(id, call);
                      });
            },
            e -> {
              w.cancel();
              boolean unavailable = e instanceof ApiException a && a.status() == 503;
              if (!unavailable || remainingMs == 0 || call.inFlight().cancelled()) {
                return Future.failedFuture(e);
              }
              // The database is away longer than the read's own retries: keep waiting.
              return vertx
                  .timer(Math.min(1_000, remainingMs))
                  .compose(t -> loop(id, deadline, call, current));
            });
  }

  private static void progress(ToolCalls.Call call, String id, long started, int total) {
    if (call.inFlight().cancelled()) return;
    long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    call.sink()
        .accept(
            JsonRpc.notification(
                "notifications/progress",
                new JsonObject()
                    .put("progressToken", call.progressToken())
                    .put("progress", elapsed)
                    .put("total", total)
                    .put(
                        "message",
                        "Waiting for a human decision on check-in "
                            + id
                            + " ("
                            + elapsed
                            + " of "
                            + total
                            + " s)")));
  }
}
