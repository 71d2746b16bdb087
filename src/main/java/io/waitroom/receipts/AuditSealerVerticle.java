package io.waitroom.receipts;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.waitroom.Deps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals new audit rows into their org's hash chain every {@code WAITROOM_AUDIT_SEAL_INTERVAL_MS}
 * (and at once again after a full batch). Every node runs one; one seals at a time (see {@link
 * AuditChain}); nothing is kept in memory, so a restart continues from the stored position.
 */
public final class AuditSealerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AuditSealerVerticle.class);

  private final Deps deps;
  private long timer;
  private boolean running;

  public AuditSealerVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(deps.config().auditSealIntervalMs(), id -> seal());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void seal() {
    if (running || deps.draining().get()) return;
    running = true;
    AuditChain.sealBatch(vertx, deps.pool())
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                log.warn("audit sealing failed: {}", ar.cause().getMessage());
              } else if (ar.result() == AuditChain.BATCH) {
                vertx.runOnContext(v -> seal()); // more are ready: continue at once
              }
            });
  }
}
