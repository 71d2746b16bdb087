package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.waitroom.Deps;
import io.waitroom.db.DatabaseUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes room events older than {@code WAITROOM_EVENT_RETENTION_DAYS} (replay reaches back at
 * least that far). Runs shortly after start and then every few minutes, in batches taken with
 * {@code FOR UPDATE SKIP LOCKED}, so several nodes may run it at once without blocking each other
 * or deleting anything twice.
 */
public final class EventRetentionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(EventRetentionVerticle.class);
  static final long INTERVAL_MS = 10 * 60_000;
  static final long FIRST_RUN_MS = 30_000;
  static final int BATCH = 5_000;

  private final Deps deps;
  private long timer = -1;
  private long first = -1;
  private boolean running;

  public EventRetentionVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    first = vertx.setTimer(FIRST_RUN_MS, id -> purgeNow());
    timer = vertx.setPeriodic(INTERVAL_MS, id -> purgeNow());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(first);
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void purgeNow() {
    if (running) return;
    running = true;
    purge(deps, 0)
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                DatabaseUnavailable.warn(log, "event retention purge", ar.cause());
              } else if (ar.result() > 0) {
                log.info(
                    "event retention purged count={} older_than_days={}",
                    ar.result(),
                    deps.config().eventRetentionDays());
              }
            });
  }

  /**
   * Deletes expired events batch after batch until a batch finds nothing (rows locked by another
   * node's purge, or by the watcher dispatcher marking them, are left for the next run); returns
   * how many went.
   */
  public static Future<Integer> purge(Deps deps, int soFar) {
    return EventLog.purge(deps.pool(), deps.config().eventRetentionDays(), BATCH)
        .compose(n -> n > 0 ? purge(deps, soFar + n) : Future.succeededFuture(soFar));
  }
}
