package io.waitroom.stats;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.events.RoomEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code waitroom_decision_seconds}: time from a check-in's creation to its decision, by room and
 * outcome, as a Prometheus histogram. Fed by this node's own committed decision events (the local
 * {@code ROOM_EVENTS} address never carries another node's), so a fleet's nodes sum without
 * counting a decision twice. One instance per node.
 */
public final class DecisionMetricsVerticle extends VerticleBase {
  /** Bucket bounds in seconds: from a quick tap to a day's wait. */
  static final double[] BUCKETS = {
    1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400
  };

  private final Deps deps;
  private MeterRegistry registry;
  private MessageConsumer<RoomEvent> consumer;

  public DecisionMetricsVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    registry = BackendRegistries.getNow(deps.metricsRegistry());
    if (registry == null) registry = new SimpleMeterRegistry();
    consumer = vertx.eventBus().localConsumer(Addresses.ROOM_EVENTS, m -> observe(m.body()));
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void observe(RoomEvent e) {
    String outcome = Outcomes.ofEvent(e.type(), e.data());
    if (outcome == null) return;
    JsonObject decision = e.data().getJsonObject("decision");
    Instant created = Instant.parse(e.data().getString("created_at"));
    Instant decided = Instant.parse(decision.getString("decided_at"));
    double seconds = Math.max(0, Duration.between(created, decided).toNanos() / 1e9);
    DistributionSummary.builder("waitroom.decision")
        .baseUnit("seconds")
        .description("Time from a check-in's creation to its decision, by room and outcome")
        .tag("room", e.roomId())
        .tag("outcome", outcome)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(seconds);
  }
}
