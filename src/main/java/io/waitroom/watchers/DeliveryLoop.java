package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook delivery: due deliveries are claimed with a lease ({@link WatcherSql#CLAIM}), up to
 * {@value #MAX_IN_FLIGHT} at once, sent signed ({@link WebhookSigner}, {@link WebhookSender}), and
 * each attempt is recorded. Failures (network error, timeout, non-2xx) are retried after about 5 s,
 * 30 s, 2 min, 10 min and 45 min (times {@code WAITROOM_WEBHOOK_RETRY_SCALE}); after the sixth
 * attempt the delivery is {@code failed}.
 */
final class DeliveryLoop {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);

  static final int MAX_IN_FLIGHT = 32;

  /** Longer than any attempt can take (DNS and HTTP are both capped at 5 s). */
  static final double LEASE_SECONDS = 60;

  static final long[] RETRY_SECONDS = {5, 30, 120, 600, 2700};
  static final int MAX_ATTEMPTS = RETRY_SECONDS.length + 1;

  private final Vertx vertx;
  private final Pool pool;
  private final WebhookSender sender;
  private final WebhookMetrics metrics;
  private final double retryScale;
  private final long pollMs;
  private boolean claiming;
  private boolean again;
  private boolean stopped;
  private int inFlight;
  private Runnable whenIdle = () -> {};

  DeliveryLoop(
      Vertx vertx,
      Pool pool,
      WebhookSender sender,
      WebhookMetrics metrics,
      double retryScale,
      long pollMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.sender = sender;
    this.metrics = metrics;
    this.retryScale = retryScale;
    this.pollMs = pollMs;
  }

  /** The delay before attempt {@code attempt + 1}, or -1 when {@code attempt} was the last. */
  static double retryDelaySeconds(int attempt, double scale) {
    if (attempt < 1 || attempt >= MAX_ATTEMPTS) return -1;
    return RETRY_SECONDS[attempt - 1] * scale;
  }

  boolean idle() {
    return inFlight == 0 && !claiming;
  }

  /** Claims nothing more; attempts in flight finish and are recorded, then {@code idle} runs. */
  void stop(Runnable idle) {
    stopped = true;
    whenIdle = idle;
  }

  /** Claims and sends what is due, as far as there is room in flight. */
  void wake() {
    if (stopped) return;
    int capacity = MAX_IN_FLIGHT - inFlight;
    if (claiming || capacity <= 0) {
      again = true;
      return;
    }
    claiming = true;
    again = false;
    pool.preparedQuery(WatcherSql.CLAIM)
        .execute(Tuple.of(capacity, LEASE_SECONDS))
        .onComplete(
            ar -> {
              claiming = false;
              if (ar.failed()) {
                log.warn("webhook claim failed: {}", ar.cause().getMessage());
                settled();
                return;
              }
              int n = 0;
              for (Row r : ar.result()) {
                n++;
                inFlight++;
                attempt(r)
                    .onComplete(
                        done -> {
                          if (done.failed()) {
                            log.warn("webhook attempt not recorded: {}", done.cause().getMessage());
                          }
                          inFlight--;
                          settled();
                          if (again) wake();
                        });
              }
              if (n == capacity) again = true;
              settled();
              if (again && inFlight < MAX_IN_FLIGHT) vertx.runOnContext(v -> wake());
            });
  }

  private void settled() {
    if (idle()) whenIdle.run();
  }

  private Future<Void> attempt(Row r) {
    String id = r.getString("id");
    int attempt = r.getInteger("attempts");
    if (!r.getBoolean("is_active")) {
      return pool.preparedQuery(WatcherSql.CANCEL_ONE).execute(Tuple.of(id)).mapEmpty();
    }
    String watcherId = r.getString("watcher_id");
    Buffer body = ((JsonObject) r.getValue("payload")).toBuffer();
    var headers =
        WebhookSigner.headers(
            r.getString("secret"), id, watcherId, r.getString("event_type"), body);
    OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
    return sender
        .post(r.getString("webhook_url"), headers, body)
        .compose(outcome -> finish(id, watcherId, attempt, startedAt, outcome));
  }

  private Future<Void> finish(
      String id, String watcherId, int attempt, OffsetDateTime startedAt, WebhookSender.Outcome o) {
    boolean ok = o.ok();
    double delay = ok ? -1 : retryDelaySeconds(attempt, retryScale);
    String status = ok ? "succeeded" : delay < 0 ? "failed" : "pending";
    String error =
        o.error() != null ? o.error() : ok ? null : "unexpected status " + o.statusCode();
    metrics.attempt(ok);
    if (ok) {
      log.debug(
          "webhook delivered delivery_id={} watcher_id={} attempt={} status_code={} duration_ms={}",
          id,
          watcherId,
          attempt,
          o.statusCode(),
          o.durationMs());
    } else {
      log.info(
          "webhook attempt failed delivery_id={} watcher_id={} attempt={} status_code={}"
              + " duration_ms={} next={} error=\"{}\"",
          id,
          watcherId,
          attempt,
          o.statusCode(),
          o.durationMs(),
          status,
          error);
    }
    Tuple row =
        Tuple.of(
            id,
            attempt,
            status,
            delay < 0 ? null : delay,
            o.statusCode(),
            error,
            (int) Math.min(Integer.MAX_VALUE, o.durationMs()),
            startedAt);
    return pool.preparedQuery(WatcherSql.FINISH_ATTEMPT)
        .execute(row)
        .onSuccess(
            v -> {
              // A retry due before the next poll gets its own wake-up.
              long ms = (long) (delay * 1000);
              if (delay >= 0 && ms < pollMs && !stopped) {
                vertx.setTimer(Math.max(1, ms + 5), t -> wake());
              }
            })
        .mapEmpty();
  }
}
