package io.waitroom.watchers;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.db.Tx;
import io.waitroom.events.RoomEvent;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watcher dispatch and webhook delivery, both driven by PostgreSQL so that nothing is lost on a
 * crash and any number of nodes can share the work.
 *
 * <p><b>Dispatch.</b> Woken by every local room event (a doorbell: the message itself is not used)
 * and by a periodic poll (which also catches events committed on other nodes), it takes
 * undispatched events in id order with {@code FOR UPDATE SKIP LOCKED}, matches them against the
 * room's active watchers ({@link WatcherMatcher}), and in the same transaction writes one delivery
 * row per (watcher with a webhook, event), emits a {@code watcher.triggered} event per firing
 * (carrying the trigger chain that bounds cascades) and marks the events dispatched.
 *
 * <p><b>Delivery.</b> Due deliveries are claimed with a lease ({@link WatcherSql#CLAIM}), sent
 * (signed, {@link WebhookSender}), and each attempt is recorded. Failures (network error, timeout,
 * non-2xx) are retried after about 5 s, 30 s, 2 min, 10 min and 45 min (times {@code
 * WAITROOM_WEBHOOK_RETRY_SCALE}); after the sixth attempt the delivery is {@code failed}.
 */
public final class WatcherVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WatcherVerticle.class);

  static final int EVENT_BATCH = 100;
  static final int MAX_IN_FLIGHT = 32;

  /** Longer than any attempt can take (DNS and HTTP are both capped at 5 s). */
  public static final double LEASE_SECONDS = 60;

  static final long[] RETRY_SECONDS = {5, 30, 120, 600, 2700};
  public static final int MAX_ATTEMPTS = RETRY_SECONDS.length + 1;

  private final Deps deps;
  private final AtomicLong pendingGauge = new AtomicLong();
  private WebhookSender sender;
  private MessageConsumer<RoomEvent> doorbell;
  private Counter succeeded;
  private Counter failed;
  private final List<Long> timers = new ArrayList<>();

  private boolean stopping;
  private boolean dispatching;
  private boolean dispatchAgain;
  private DeliveryLoop delivery;
  private Promise<Void> drained;

  public WatcherVerticle(Deps deps) {
    this.deps = deps;
  }

  /**
   * The delay before attempt {@code attempt + 1}, or -1 when {@code attempt} was the last. Web Push
   * deliveries follow the same schedule.
   */
  public static double retryDelaySeconds(int attempt, double scale) {
    if (attempt < 1 || attempt >= MAX_ATTEMPTS) return -1;
    return RETRY_SECONDS[attempt - 1] * scale;
  }

  @Override
  public Future<?> start() {
    sender = WebhookSender.create(vertx, deps.config().webhookAllowPrivate());
    delivery =
        new DeliveryLoop(
                vertx,
                "webhook",
                MAX_IN_FLIGHT,
                capacity ->
                    deps.pool()
                        .preparedQuery(WatcherSql.CLAIM)
                        .execute(Tuple.of(capacity, LEASE_SECONDS)),
                this::attempt)
            .onProgress(this::checkDrained);
    metrics();
    doorbell = vertx.eventBus().localConsumer(Addresses.ROOM_EVENTS, m -> dispatch());
    timers.add(
        vertx.setPeriodic(
            deps.config().watcherPollMs(),
            id -> {
              dispatch();
              deliver();
            }));
    timers.add(vertx.setPeriodic(5_000, id -> refreshPending()));
    timers.add(vertx.setPeriodic(3_600_000, id -> housekeeping()));
    return doorbell
        .completion()
        .onSuccess(
            v -> {
              // Whatever was left undispatched or due before a restart resumes at once.
              dispatch();
              deliver();
              refreshPending();
            });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    delivery.stop();
    timers.forEach(vertx::cancelTimer);
    Future<Void> unregistered = doorbell.unregister();
    if (idle()) return unregistered;
    // Let in-flight attempts finish and be recorded; a straggler's lease simply expires.
    drained = Promise.promise();
    return drained
        .future()
        .timeout(
            WebhookSender.TIMEOUT_MS + WebhookTargets.RESOLVE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture());
  }

  private boolean idle() {
    return delivery.idle() && !dispatching;
  }

  private void checkDrained() {
    if (stopping && drained != null && idle()) drained.tryComplete();
  }

  // ---- dispatch ----

  private void dispatch() {
    if (stopping) return;
    if (dispatching) {
      dispatchAgain = true;
      return;
    }
    dispatching = true;
    dispatchAgain = false;
    dispatchBatch()
        .onComplete(
            ar -> {
              dispatching = false;
              if (ar.failed()) {
                log.warn("watcher dispatch failed: {}", ar.cause().getMessage());
              } else {
                if (ar.result().deliveries() > 0) deliver();
                if (ar.result().events() == EVENT_BATCH) dispatchAgain = true;
              }
              checkDrained();
              if (dispatchAgain && !stopping) vertx.runOnContext(v -> dispatch());
            });
  }

  record Dispatched(int events, int deliveries) {}

  private record Firing(RoomEvent event, Watcher watcher, List<String> chain) {}

  /** One batch of events, one transaction. */
  Future<Dispatched> dispatchBatch() {
    return Tx.run(
        vertx,
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(WatcherSql.TAKE_EVENTS)
                .execute(Tuple.of(EVENT_BATCH))
                .compose(
                    rows -> {
                      List<RoomEvent> events = new ArrayList<>();
                      Map<Long, OffsetDateTime> at = new HashMap<>();
                      Set<String> rooms = new LinkedHashSet<>();
                      for (Row r : rows) {
                        OffsetDateTime created = r.getOffsetDateTime("created_at");
                        RoomEvent e =
                            new RoomEvent(
                                r.getLong("id"),
                                r.getString("org_id"),
                                r.getString("room_id"),
                                r.getString("type"),
                                (JsonObject) r.getValue("data"),
                                Time.iso(created));
                        events.add(e);
                        at.put(e.id(), created);
                        rooms.add(e.roomId());
                      }
                      if (events.isEmpty()) return Future.succeededFuture(new Dispatched(0, 0));
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
                                List<Firing> firings = new ArrayList<>();
                                for (RoomEvent e : events) {
                                  firings.addAll(match(e, at.get(e.id()), byRoom));
                                }
                                return record(tx, events, firings);
                              });
                    }));
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

  private Future<Dispatched> record(Tx tx, List<RoomEvent> events, List<Firing> firings) {
    List<Tuple> deliveries = new ArrayList<>();
    for (Firing f : firings) {
      if (f.watcher().webhookUrl() == null) continue;
      JsonObject payload = f.event().envelope().put("watcher_id", f.watcher().id());
      deliveries.add(
          Tuple.from(
              new Object[] {
                Ids.next(Ids.DELIVERY),
                f.event().orgId(),
                f.watcher().id(),
                f.event().roomId(),
                f.event().id(),
                f.event().type(),
                payload
              }));
    }
    Future<?> inserted =
        deliveries.isEmpty()
            ? Future.succeededFuture()
            : tx.conn().preparedQuery(WatcherSql.INSERT_DELIVERY).executeBatch(deliveries);
    // Org order: the event insert takes a per-org lock; a fixed order rules out deadlocks
    // between nodes dispatching events of the same orgs.
    List<Firing> ordered = new ArrayList<>(firings);
    ordered.sort(
        Comparator.comparing((Firing f) -> f.event().orgId())
            .thenComparing(f -> f.event().roomId())
            .thenComparingLong(f -> f.event().id())
            .thenComparing(f -> f.watcher().id()));
    Future<?> chain = inserted;
    for (Firing f : ordered) {
      chain =
          chain.compose(
              v ->
                  tx.event(
                      f.event().orgId(),
                      f.event().roomId(),
                      WatcherMatcher.TRIGGERED,
                      triggered(f)));
    }
    Long[] ids = events.stream().map(RoomEvent::id).toArray(Long[]::new);
    return chain
        .compose(
            v ->
                tx.conn().preparedQuery(WatcherSql.MARK_DISPATCHED).execute(Tuple.of((Object) ids)))
        .map(v -> new Dispatched(events.size(), deliveries.size()));
  }

  /** {@code watcher.triggered} data: who fired, on what, and the chain that led here. */
  static JsonObject triggered(Firing f) {
    return new JsonObject()
        .put("watcher_id", f.watcher().id())
        .put("agent_id", f.watcher().agentId())
        .put("trigger_event_id", f.event().id())
        .put("trigger_event", f.event().envelope())
        .put("chain", new JsonArray(List.copyOf(f.chain())));
  }

  // ---- delivery ----

  private void deliver() {
    delivery.wake();
  }

  private Future<Void> attempt(Row r) {
    String id = r.getString("id");
    int attempt = r.getInteger("attempts");
    if (!r.getBoolean("is_active")) {
      return deps.pool().preparedQuery(WatcherSql.CANCEL_ONE).execute(Tuple.of(id)).mapEmpty();
    }
    String watcherId = r.getString("watcher_id");
    Buffer body = ((JsonObject) r.getValue("payload")).toBuffer();
    long timestamp = Instant.now().getEpochSecond();
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("Content-Type", "application/json")
            .add("User-Agent", "Waitroom-Webhooks/1")
            .add("X-Watcher-Id", watcherId)
            .add("X-Waitroom-Event", r.getString("event_type"))
            .add("webhook-id", id)
            .add("webhook-timestamp", Long.toString(timestamp))
            .add(
                "webhook-signature",
                WebhookSigner.sign(r.getString("secret"), id, timestamp, body.getBytes()));
    OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
    return sender
        .post(r.getString("webhook_url"), headers, body)
        .compose(outcome -> finish(id, watcherId, attempt, startedAt, outcome));
  }

  private Future<Void> finish(
      String id, String watcherId, int attempt, OffsetDateTime startedAt, WebhookSender.Outcome o) {
    boolean ok = o.ok();
    double delay = ok ? -1 : retryDelaySeconds(attempt, deps.config().webhookRetryScale());
    String status = ok ? "succeeded" : delay < 0 ? "failed" : "pending";
    String error =
        o.error() != null ? o.error() : ok ? null : "unexpected status " + o.statusCode();
    (ok ? succeeded : failed).increment();
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
    return deps.pool()
        .preparedQuery(WatcherSql.FINISH_ATTEMPT)
        .execute(
            Tuple.from(
                new Object[] {
                  id,
                  attempt,
                  status,
                  delay < 0 ? null : delay,
                  o.statusCode(),
                  error,
                  (int) Math.min(Integer.MAX_VALUE, o.durationMs()),
                  startedAt
                }))
        .onSuccess(
            v -> {
              // A retry due before the next poll gets its own wake-up.
              long ms = (long) (delay * 1000);
              if (delay >= 0 && ms < deps.config().watcherPollMs() && !stopping) {
                vertx.setTimer(Math.max(1, ms + 5), t -> deliver());
              }
            })
        .mapEmpty();
  }

  // ---- metrics and housekeeping ----

  private void metrics() {
    MeterRegistry registry = BackendRegistries.getNow(deps.metricsRegistry());
    if (registry == null) {
      registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    }
    Gauge.builder("waitroom.webhook.deliveries.pending", pendingGauge, AtomicLong::get)
        .description("Webhook deliveries waiting for a (re)try, across all nodes")
        .register(registry);
    succeeded =
        Counter.builder("waitroom.webhook.attempts")
            .tag("outcome", "success")
            .description("Webhook delivery attempts made by this node")
            .register(registry);
    failed =
        Counter.builder("waitroom.webhook.attempts").tag("outcome", "failure").register(registry);
  }

  private void refreshPending() {
    deps.pool()
        .query(WatcherSql.COUNT_PENDING)
        .execute()
        .onSuccess(rows -> pendingGauge.set(rows.iterator().next().getLong("n")))
        .onFailure(e -> log.debug("pending count failed: {}", e.getMessage()));
  }

  private void housekeeping() {
    deps.pool()
        .preparedQuery(WatcherSql.DELETE_OLD)
        .execute(Tuple.of(deps.config().eventRetentionDays()))
        .onFailure(e -> log.warn("delivery cleanup failed: {}", e.getMessage()));
  }
}
