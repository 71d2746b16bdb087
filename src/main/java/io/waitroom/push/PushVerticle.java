package io.waitroom.push;

import com.interaso.webpush.WebPush;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.db.Tx;
import io.waitroom.notify.ActionLinks;
import io.waitroom.watchers.DeliveryLoop;
import io.waitroom.watchers.OutboundQueue;
import io.waitroom.watchers.WebhookSender;
import io.waitroom.watchers.WebhookTargets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued Web Push messages ({@code push_deliveries}, filled by {@link PushQueue}) with the
 * webhook machinery: the same leased claim loop ({@link DeliveryLoop}), sender (SSRF guard at send
 * time, 5 s deadline, no redirects: {@link WebhookSender}) and retry schedule ({@link
 * DeliveryLoop#retryDelaySeconds}). Each attempt encrypts the payload afresh (RFC 8291 aes128gcm)
 * and signs a VAPID JWT (RFC 8292) for the push service's origin. A push service that answers 404
 * or 410 has dropped the subscription: it is deleted, with its queue.
 */
public final class PushVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(PushVerticle.class);
  static final int MAX_IN_FLIGHT = 16;

  /** How long a push service keeps an undelivered message (a pending check-in rarely outlives). */
  static final int TTL_SECONDS = 24 * 3600;

  private final Deps deps;
  private WebhookSender sender;
  private OutboundQueue queue;

  public PushVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    sender = WebhookSender.create(vertx, deps.config().webhookAllowPrivate());
    long drainSeconds = (WebhookSender.TIMEOUT_MS + WebhookTargets.RESOLVE_TIMEOUT_MS + 999) / 1000;
    queue =
        new OutboundQueue(
            vertx,
            deps.metricsRegistry(),
            new OutboundQueue.Spec(
                "push",
                MAX_IN_FLIGHT,
                deps.config().watcherPollMs(),
                "Web Push messages a push service accepted, sent by this node",
                "Web Push attempts that failed (retried, given up, or subscription gone)",
                // Created and escalated check-ins queue pushes; decided ones replace them.
                e -> e.type().startsWith("checkin.") && !"checkin.message".equals(e.type()),
                drainSeconds),
            capacity ->
                deps.pool()
                    .preparedQuery(PushSql.CLAIM)
                    .execute(Tuple.of(capacity, DeliveryLoop.LEASE_SECONDS)),
            this::attempt);
    return queue.start(this::housekeeping);
  }

  @Override
  public Future<?> stop() {
    return queue.stop();
  }

  private record Request(MultiMap headers, Buffer body) {}

  private Future<Void> attempt(Row r) {
    String id = r.getString("id");
    int attempt = r.getInteger("attempts");
    JsonObject payload = (JsonObject) r.getValue("payload");
    String type = payload.getString("type");
    if (!"checkin.pending".equals(type) && !"checkin.escalated".equals(type)) {
      return send(r, payload);
    }
    // The subscription's human's own action links, minted now: none once the check-in is
    // decided, and then there is nothing to announce.
    return ActionLinks.mint(
            deps.pool(),
            deps.config().publicUrl(),
            r.getString("org_id"),
            r.getString("user_id"),
            r.getString("check_in_id"),
            "push")
        .compose(
            links -> {
              if (links == null) {
                return record(
                    id,
                    attempt,
                    "skipped",
                    -1,
                    new WebhookSender.Outcome(null, null, 0),
                    "the check-in was decided first");
              }
              return send(r, withActions(payload, links));
            });
  }

  /**
   * The notification's actions: Approve (posted by the service worker itself) for low and medium
   * risk, Review (opens the confirmation page) for high and critical; Reject always opens its page,
   * because a rejection needs a reason.
   */
  static JsonObject withActions(JsonObject payload, ActionLinks.Minted links) {
    String risk = payload.getString("risk_level");
    boolean oneTap = "low".equals(risk) || "medium".equals(risk);
    JsonArray actions = new JsonArray();
    actions.add(
        oneTap
            ? action("approve", "Approve", links.approve(), true)
            : action("review", "Review", links.approve(), false));
    actions.add(action("reject", "Reject…", links.reject(), false));
    return payload
        .copy()
        .put("actions", actions)
        .put("links", new JsonObject().put("open", links.open()));
  }

  private static JsonObject action(String name, String title, String url, boolean post) {
    return new JsonObject()
        .put("action", name)
        .put("title", title)
        .put("url", url)
        .put("post", post);
  }

  private Future<Void> send(Row r, JsonObject payload) {
    String id = r.getString("id");
    int attempt = r.getInteger("attempts");
    String endpoint = r.getString("endpoint");
    WebPush webPush = deps.push().webPush();
    // ECDH, HKDF, AES-GCM and an ES256 signature: CPU work, kept off the event loop.
    return vertx
        .executeBlocking(
            () -> {
              byte[] body =
                  webPush.getBody(
                      payload.toBuffer().getBytes(),
                      PushRoutes.decode(r.getString("p256dh")),
                      PushRoutes.decode(r.getString("auth")));
              Map<String, String> h =
                  webPush.getHeaders(endpoint, TTL_SECONDS, null, urgency(payload));
              MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(h);
              headers.add("User-Agent", "Waitroom-Push/1");
              return new Request(headers, Buffer.buffer(body));
            },
            false)
        .compose(req -> sender.post(endpoint, req.headers(), req.body()))
        .recover(
            e ->
                Future.succeededFuture(
                    new WebhookSender.Outcome(null, "cannot build the push: " + e.getMessage(), 0)))
        .compose(o -> finish(id, r.getString("subscription_id"), attempt, o));
  }

  static WebPush.Urgency urgency(JsonObject payload) {
    String u = payload.getString("urgency");
    if ("urgent".equals(u) || "high".equals(u) || "high".equals(payload.getString("risk_level")))
      return WebPush.Urgency.High;
    if ("low".equals(u)) return WebPush.Urgency.Low;
    return WebPush.Urgency.Normal;
  }

  private Future<Void> finish(
      String id, String subscriptionId, int attempt, WebhookSender.Outcome o) {
    if (o.ok()) {
      queue.sent().increment();
      log.debug("push sent delivery_id={} attempt={} status_code={}", id, attempt, o.statusCode());
      return record(id, attempt, "sent", -1, o, null);
    }
    queue.failed().increment();
    Integer code = o.statusCode();
    if (code != null && (code == 404 || code == 410)) {
      log.info("push subscription gone subscription_id={} status_code={}", subscriptionId, code);
      return removeGone(subscriptionId, code);
    }
    double delay = DeliveryLoop.retryDelaySeconds(attempt, deps.config().webhookRetryScale());
    String status = delay < 0 ? "failed" : "pending";
    String error = o.error() != null ? o.error() : "unexpected status " + code;
    log.info(
        "push attempt failed delivery_id={} attempt={} status_code={} next={} error=\"{}\"",
        id,
        attempt,
        code,
        status,
        error);
    return record(id, attempt, status, delay, o, error);
  }

  private Future<Void> record(
      String id, int attempt, String status, double delay, WebhookSender.Outcome o, String error) {
    return deps.pool()
        .preparedQuery(PushSql.FINISH)
        .execute(
            Tuple.from(
                new Object[] {
                  id, attempt, status, delay < 0 ? null : delay, o.statusCode(), error
                }))
        .onSuccess(v -> queue.retryIn(delay))
        .mapEmpty();
  }

  private Future<Void> removeGone(String subscriptionId, int code) {
    return Tx.run(
        vertx,
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(PushSql.DELETE_GONE)
                .execute(Tuple.of(subscriptionId))
                .compose(
                    rows -> {
                      if (rows.size() == 0) return Future.succeededFuture();
                      return tx.audit(
                          rows.iterator().next().getString("org_id"),
                          null,
                          "system",
                          "system:push",
                          "push.unsubscribed",
                          "push_subscription",
                          subscriptionId,
                          new JsonObject().put("push_service_status", code));
                    }));
  }

  private void housekeeping() {
    deps.pool()
        .preparedQuery(PushSql.DELETE_OLD)
        .execute(Tuple.of(deps.config().eventRetentionDays()))
        // Action links (minted by pushes, e-mails and the API) a week past their expiry.
        .compose(v -> deps.pool().query(ActionLinks.DELETE_OLD).execute())
        .onFailure(e -> DatabaseUnavailable.warn(log, "push delivery cleanup", e));
  }
}
