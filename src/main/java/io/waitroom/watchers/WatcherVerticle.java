package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.events.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs watcher dispatch ({@link WatcherDispatcher}) and webhook delivery ({@link WebhookDelivery}),
 * both driven by PostgreSQL so that nothing is lost on a crash and any number of nodes can share
 * the work. Dispatch is woken by every local room event (a doorbell: the message itself is not
 * used) and by a periodic poll, which also catches events committed on other nodes and deliveries
 * that fell due. This class only wires them and owns the timers and the drain on stop.
 */
public final class WatcherVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WatcherVerticle.class);

  private final Deps deps;
  private final List<Long> timers = new ArrayList<>();
  private MessageConsumer<RoomEvent> doorbell;
  private WatcherDispatcher dispatcher;
  private DeliveryLoop delivery;
  private WebhookMetrics metrics;
  private Promise<Void> drained;
  private Doorbell rings;

  public WatcherVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    var sender = WebhookSender.create(vertx, deps.config().webhookAllowPrivate());
    metrics = new WebhookMetrics(deps.metricsRegistry());
    delivery =
        new WebhookDelivery(
                vertx,
                deps.pool(),
                sender,
                metrics,
                deps.config().webhookRetryScale(),
                deps.config().watcherPollMs())
            .loop();
    dispatcher = new WatcherDispatcher(vertx, deps.pool(), delivery::wake);
    // Every committed event rings; one dispatch batch serves a burst of rings.
    rings = new Doorbell(vertx, this::dispatch);
    doorbell = vertx.eventBus().localConsumer(Addresses.ROOM_EVENTS, m -> rings.ring());
    timers.add(
        vertx.setPeriodic(
            deps.config().watcherPollMs(),
            id -> {
              dispatch();
              delivery.wake();
            }));
    timers.add(vertx.setPeriodic(5_000, id -> metrics.refreshPending(deps.pool())));
    timers.add(vertx.setPeriodic(3_600_000, id -> housekeeping()));
    return doorbell
        .completion()
        .onSuccess(
            v -> {
              // Whatever was left undispatched or due before a restart resumes at once.
              dispatch();
              delivery.wake();
              metrics.refreshPending(deps.pool());
            });
  }

  private void dispatch() {
    dispatcher.wake(this::checkDrained);
  }

  @Override
  public Future<?> stop() {
    timers.forEach(vertx::cancelTimer);
    rings.cancel();
    dispatcher.stop();
    delivery.stop(this::checkDrained);
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
    return dispatcher.idle() && delivery.idle();
  }

  private void checkDrained() {
    if (drained != null && idle()) drained.tryComplete();
  }

  private void housekeeping() {
    deps.pool()
        .preparedQuery(WatcherSql.DELETE_OLD)
        .execute(Tuple.of(deps.config().eventRetentionDays()))
        .onFailure(e -> DatabaseUnavailable.warn(log, "delivery cleanup", e));
  }
}
