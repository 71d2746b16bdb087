package io.waitroom.watchers;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.waitroom.bus.Addresses;
import io.waitroom.events.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a durable outbound queue's sender verticle (Web Push, e-mail, Slack) runs beside its own
 * sending: the leased claim loop ({@link DeliveryLoop}), rung by the committed room events that may
 * have queued something ({@link Doorbell}: one claim per burst), polled for what other nodes
 * queued, an hourly housekeeping, the {@code waitroom.<name>.sent} and {@code .failed} counters,
 * and a stop that lets the attempts in flight finish (at most {@code drainSeconds}).
 */
public final class OutboundQueue {
  /** How a sender describes its queue. */
  public record Spec(
      String name,
      int maxInFlight,
      long pollMs,
      String sentDescription,
      String failedDescription,
      Predicate<RoomEvent> rings,
      long drainSeconds) {}

  private final Vertx vertx;
  private final Spec spec;
  private final DeliveryLoop loop;
  private final Counter sent;
  private final Counter failed;
  private final List<Long> timers = new ArrayList<>();
  private Doorbell rings;
  private MessageConsumer<RoomEvent> doorbell;
  private Promise<Void> drained;

  /**
   * @param claim claims up to the given number of due rows (with the loop's lease)
   * @param attempt sends one claimed row and records the outcome
   */
  public OutboundQueue(
      Vertx vertx,
      String metricsRegistry,
      Spec spec,
      Function<Integer, Future<RowSet<Row>>> claim,
      Function<Row, Future<Void>> attempt) {
    this.vertx = vertx;
    this.spec = spec;
    this.loop =
        new DeliveryLoop(vertx, spec.name(), spec.maxInFlight(), spec.pollMs(), claim, attempt);
    MeterRegistry registry = BackendRegistries.getNow(metricsRegistry);
    if (registry == null) registry = new SimpleMeterRegistry();
    sent =
        Counter.builder("waitroom." + spec.name() + ".sent")
            .description(spec.sentDescription())
            .register(registry);
    failed =
        Counter.builder("waitroom." + spec.name() + ".failed")
            .description(spec.failedDescription())
            .register(registry);
  }

  /**
   * Listens for the events that ring, then polls and runs {@code housekeeping} hourly; the first
   * claim follows at once.
   */
  public Future<Void> start(Runnable housekeeping) {
    rings = new Doorbell(vertx, loop::wake);
    doorbell =
        vertx
            .eventBus()
            .localConsumer(
                Addresses.ROOM_EVENTS,
                m -> {
                  if (spec.rings().test(m.body())) rings.ring();
                });
    return doorbell
        .completion()
        .onSuccess(
            v -> {
              timers.add(vertx.setPeriodic(spec.pollMs(), id -> loop.wake()));
              timers.add(vertx.setPeriodic(3_600_000, id -> housekeeping.run()));
              loop.wake();
            });
  }

  /** Claims nothing more; completes when the attempts in flight are recorded (or time is up). */
  public Future<Void> stop() {
    loop.stop(
        () -> {
          if (drained != null) drained.tryComplete();
        });
    timers.forEach(vertx::cancelTimer);
    if (rings != null) rings.cancel();
    Future<Void> unregistered = doorbell == null ? Future.succeededFuture() : doorbell.unregister();
    if (loop.idle()) return unregistered;
    drained = Promise.promise();
    return drained
        .future()
        .timeout(spec.drainSeconds(), TimeUnit.SECONDS)
        .recover(e -> Future.succeededFuture());
  }

  /** After a failed attempt: a retry due sooner than the poll gets a wake-up of its own. */
  public void retryIn(double delaySeconds) {
    loop.retryIn(delaySeconds);
  }

  public Counter sent() {
    return sent;
  }

  public Counter failed() {
    return failed;
  }
}
