package io.waitroom.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Node-wide stream metrics in the Prometheus registry: open SSE and WebSocket connections ({@code
 * waitroom_streams_open{transport}}), slow consumers cut off, and the event lag (commit to
 * delivery, {@code waitroom_event_lag_seconds}).
 */
public final class StreamMetrics {
  private final AtomicInteger sse = new AtomicInteger();
  private final AtomicInteger ws = new AtomicInteger();
  private final Counter slowConsumers;
  private final Timer lag;

  public StreamMetrics(String registryName) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) registry = new SimpleMeterRegistry(); // metrics disabled
    Gauge.builder("waitroom.streams.open", sse, AtomicInteger::get)
        .description("Open real-time connections")
        .tag("transport", "sse")
        .register(registry);
    Gauge.builder("waitroom.streams.open", ws, AtomicInteger::get)
        .description("Open real-time connections")
        .tag("transport", "ws")
        .register(registry);
    slowConsumers =
        Counter.builder("waitroom.streams.slow.consumer.disconnects")
            .description("Streams closed because the client did not read fast enough")
            .register(registry);
    lag =
        Timer.builder("waitroom.event.lag")
            .description("Time from an event's commit to its delivery to this node's streams")
            .register(registry);
  }

  void opened(boolean webSocket) {
    (webSocket ? ws : sse).incrementAndGet();
  }

  void closed(boolean webSocket) {
    (webSocket ? ws : sse).decrementAndGet();
  }

  void slowConsumer() {
    slowConsumers.increment();
  }

  void delivered(RoomEvent e) {
    try {
      Duration d = Duration.between(Instant.parse(e.timestamp()), Instant.now());
      lag.record(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException | NullPointerException ignored) {
      // an event without a usable timestamp has no lag to report
    }
  }

  public int openSse() {
    return sse.get();
  }

  public int openWebSockets() {
    return ws.get();
  }
}
