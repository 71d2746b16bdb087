package io.waitroom.watchers;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The webhook meters: attempts by outcome (this node) and deliveries pending (all nodes). */
final class WebhookMetrics {
  private static final Logger log = LoggerFactory.getLogger(WebhookMetrics.class);

  private final AtomicLong pending = new AtomicLong();
  private final Counter succeeded;
  private final Counter failed;

  WebhookMetrics(String registryName) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) registry = new SimpleMeterRegistry();
    Gauge.builder("waitroom.webhook.deliveries.pending", pending, AtomicLong::get)
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

  void attempt(boolean ok) {
    (ok ? succeeded : failed).increment();
  }

  /** Re-reads the pending count from the database (it spans every node). */
  void refreshPending(Pool pool) {
    pool.query(WatcherSql.COUNT_PENDING)
        .execute()
        .onSuccess(rows -> pending.set(rows.iterator().next().getLong("n")))
        .onFailure(e -> log.debug("pending count failed: {}", e.getMessage()));
  }
}
