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
 * Webhook delivery, one user of the shared {@link DeliveryLoop}: due deliveries are claimed with a
 * lease ({@link WatcherSql#CLAIM}), up to {@value #MAX_IN_FLIGHT} at once, sent signed ({@link
 * WebhookSigner}, {@link WebhookSender}), and each attempt is recorded; failures follow the loop's
 * retry schedule and after the sixth attempt the delivery is {@code failed}.
 */
final class WebhookDelivery {
  private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);

  static final int MAX_IN_FLIGHT = 32;

  private final Pool pool;
  private final WebhookSender sender;
  private final WebhookMetrics metrics;
  private final double retryScale;
  private final DeliveryLoop loop;

  WebhookDelivery(
      Vertx vertx,
      Pool pool,
      WebhookSender sender,
      WebhookMetrics metrics,
      double retryScale,
      long pollMs) {
    this.pool = pool;
    this.sender = sender;
    this.metrics = metrics;
    this.retryScale = retryScale;
    this.loop =
        new DeliveryLoop(
            vertx,
            "webhook",
            MAX_IN_FLIGHT,
            pollMs,
            capacity ->
                pool.preparedQuery(WatcherSql.CLAIM)
                    .execute(Tuple.of(capacity, DeliveryLoop.LEASE_SECONDS)),
            this::attempt);
  }

  DeliveryLoop loop() {
    return loop;
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
    double delay = ok ? -1 : DeliveryLoop.retryDelaySeconds(attempt, retryScale);
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
        .onSuccess(v -> loop.retryIn(delay))
        .mapEmpty();
  }
}
