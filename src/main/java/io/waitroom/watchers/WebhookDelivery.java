package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * Attempts at once: an attempt holds its place until its outcome is written, so most of them are
   * waiting for a batch of outcomes to commit, not on a connection ({@link #CONNECTIONS_PER_HOST}).
   */
  static final int MAX_IN_FLIGHT = 128;

  /** Open connections to one target host at most (a webhook consumer's fair share). */
  static final int CONNECTIONS_PER_HOST = 32;

  private final Pool pool;
  private final WebhookSender sender;
  private final WebhookMetrics metrics;
  private final double retryScale;
  private final DeliveryLoop loop;
  // Outcomes waiting for the next batch statement, and whether one is in flight (event loop only).
  private List<Finished> finished = new ArrayList<>();
  private boolean recording;

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
    Finished f =
        new Finished(
            id,
            attempt,
            status,
            delay < 0 ? null : delay,
            o.statusCode(),
            error,
            (int) Math.min(Integer.MAX_VALUE, o.durationMs()),
            startedAt,
            Promise.promise());
    finished.add(f);
    if (!recording) record();
    return f.recorded.future().onSuccess(v -> loop.retryIn(delay));
  }

  /**
   * Writes every outcome waiting, in one statement; outcomes that finish meanwhile wait for the
   * next one (at most one statement in flight), so under load one transaction records a batch of
   * attempts instead of one each, and when it is quiet an outcome is written at once.
   */
  private void record() {
    if (finished.isEmpty()) {
      recording = false;
      return;
    }
    recording = true;
    List<Finished> batch = finished;
    finished = new ArrayList<>();
    int n = batch.size();
    String[] ids = new String[n];
    Integer[] attempts = new Integer[n];
    String[] statuses = new String[n];
    Double[] delays = new Double[n];
    Integer[] codes = new Integer[n];
    String[] errors = new String[n];
    Integer[] durations = new Integer[n];
    OffsetDateTime[] started = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      Finished f = batch.get(i);
      ids[i] = f.id();
      attempts[i] = f.attempt();
      statuses[i] = f.status();
      delays[i] = f.delay();
      codes[i] = f.code();
      errors[i] = f.error();
      durations[i] = f.durationMs();
      started[i] = f.startedAt();
    }
    pool.preparedQuery(WatcherSql.FINISH_ATTEMPTS)
        .execute(
            Tuple.from(
                new Object[] {ids, attempts, statuses, delays, codes, errors, durations, started}))
        .onComplete(
            ar -> {
              for (Finished f : batch) {
                if (ar.succeeded()) f.recorded().complete();
                else f.recorded().fail(ar.cause());
              }
              record();
            });
  }

  /** One attempt's outcome, waiting to be written. */
  private record Finished(
      String id,
      int attempt,
      String status,
      Double delay,
      Integer code,
      String error,
      int durationMs,
      OffsetDateTime startedAt,
      Promise<Void> recorded) {}
}
