package io.waitroom.watchers;

import io.vertx.core.Vertx;

/**
 * Coalesces rings: the first ring arms a timer of {@code delayMs}, and every ring until it fires
 * shares it. Commits ring on every event; the queue loops behind them (watcher dispatch, Web Push)
 * then do one batch per burst instead of one statement per event. Confined to one event loop.
 */
public final class Doorbell {
  private final Vertx vertx;
  private final long delayMs;
  private final Runnable action;
  private long timer = -1;

  public Doorbell(Vertx vertx, long delayMs, Runnable action) {
    this.vertx = vertx;
    this.delayMs = delayMs;
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
