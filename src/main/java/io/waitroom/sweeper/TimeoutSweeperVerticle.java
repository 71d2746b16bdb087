package io.waitroom.sweeper;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.ThreadMessages;
import io.waitroom.db.Tx;
import io.waitroom.trust.Trust;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies timeouts: a pending check-in past {@code expires_at} becomes approved ({@code
 * auto_approve}, decided by {@code system:timeout}) or expired ({@code cancel}, trust -0.1); {@code
 * hold} never expires. Rows are taken with {@code FOR UPDATE SKIP LOCKED}, so any number of nodes
 * sweep one database without double-applying, and a human decision racing the sweeper has exactly
 * one winner (both are conditional on {@code status = 'pending'}). Nothing is kept in memory: after
 * a restart the next sweep finds whatever fell due meanwhile.
 */
public final class TimeoutSweeperVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TimeoutSweeperVerticle.class);
  static final String SYSTEM_TIMEOUT = "system:timeout";
  static final int BATCH = 100;

  static final String SWEEP =
      """
      WITH due AS (
        SELECT id FROM check_ins
        WHERE status = 'pending' AND timeout_action IN ('auto_approve', 'cancel')
          AND expires_at <= now()
        ORDER BY expires_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE check_ins c SET
        status = CASE c.timeout_action WHEN 'auto_approve' THEN 'approved' ELSE 'expired' END,
        decision_type = CASE c.timeout_action WHEN 'auto_approve' THEN 'approved' ELSE 'expired' END,
        decision_reason = 'timed out after ' || c.timeout_minutes || ' minutes',
        decided_by = 'system:timeout', decided_at = now(), updated_at = now()
      FROM due WHERE c.id = due.id AND c.status = 'pending'
      RETURNING c.*
      """;

  static final String DELETE_OLD_IDEMPOTENCY_KEYS =
      "DELETE FROM idempotency_keys WHERE created_at < now() - interval '25 hours'";

  private final Deps deps;
  private long timer;
  private long housekeeping;
  private boolean running;

  public TimeoutSweeperVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(deps.config().sweepIntervalMs(), id -> sweep());
    housekeeping = vertx.setPeriodic(60_000, id -> housekeeping());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(housekeeping);
    return Future.succeededFuture();
  }

  private void sweep() {
    if (running) return;
    running = true;
    sweepBatch()
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                log.warn("timeout sweep failed: {}", ar.cause().getMessage());
              } else if (ar.result() == BATCH) {
                vertx.runOnContext(v -> sweep()); // more may be due: continue at once
              }
            });
  }

  /** One batch in one transaction; returns how many check-ins timed out. */
  Future<Integer> sweepBatch() {
    return Tx.run(
        vertx,
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(SWEEP)
                .execute(Tuple.of(BATCH))
                .compose(
                    rows -> {
                      List<CheckIn> done = new ArrayList<>();
                      for (Row r : rows) done.add(CheckIn.fromRow(r));
                      // Each expiry event takes its org's lock until commit: take orgs in one
                      // global order (the watcher dispatcher's), so batches on several nodes
                      // cannot deadlock on each other.
                      done.sort(
                          Comparator.comparing(CheckIn::orgId)
                              .thenComparing(CheckIn::roomId)
                              .thenComparing(CheckIn::id));
                      Future<Void> chain = Future.succeededFuture();
                      for (CheckIn ci : done) chain = chain.compose(v -> apply(tx, ci));
                      return chain.map(done.size());
                    }));
  }

  private static Future<Void> apply(Tx tx, CheckIn ci) {
    // Only expiry moves trust; an approval by timeout is nobody's judgement of the agent.
    Future<Double> trust =
        "expired".equals(ci.status())
            ? Trust.apply(tx.conn(), ci.orgId(), ci.trustAgent(), ci.roomId(), "expired")
            : Future.succeededFuture();
    return trust
        .compose(s -> ThreadMessages.statusChange(tx.conn(), ci, "pending", SYSTEM_TIMEOUT))
        .compose(
            m ->
                tx.audit(
                    ci.orgId(),
                    ci.roomId(),
                    "system",
                    SYSTEM_TIMEOUT,
                    "checkin." + ci.status(),
                    "check_in",
                    ci.id(),
                    ci.toJson()))
        .compose(v -> tx.event(ci.orgId(), ci.roomId(), "checkin." + ci.status(), ci.toJson()))
        .mapEmpty();
  }

  private void housekeeping() {
    deps.pool()
        .query(DELETE_OLD_IDEMPOTENCY_KEYS)
        .execute()
        .onFailure(e -> log.warn("idempotency key cleanup failed: {}", e.getMessage()));
  }
}
