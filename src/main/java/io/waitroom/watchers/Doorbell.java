package io.waitroom.watchers;

import io.vertx.core.Vertx;

/**
 * Coalesces rings: the first ring arms a timer of {@code delayMs}, and every ring until it fires
 * shares it. Commits ring on every event; the queue loops behind them (watcher dispatch, Web Push)
 * then do one batch per burst instead of one statement per event. Confined to one event loop.
 */
public final class Doorbell {
  /** How long a ring waits for the rings after it. */
  public static final long BATCH_MS = 20;

  private final Vertx vertx;
  private final long delayMs;
  private final Runnable action;
  private long timer = -1;

  public Doorbell(Vertx vertx, Runnable action) {
    this.vertx = vertx;
    this.delayMs = BATCH_MS;
    this.action = action;
  }

  public void ring() {
    if (timer >= 0) return;
    timer =
        vertx.setTimer(
            delayMs,
            id -> {
              timer = -1;
              action.run();
            });
  }

  public void cancel() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
  }
}
