package io.waitroom.sweeper;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.Deps;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInTransitions;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.db.Tx;
import io.waitroom.notify.MailQueue;
import io.waitroom.push.PushQueue;
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
  static final String SYSTEM_ESCALATION = "system:escalation";
  static final int BATCH = 100;

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
        .compose(timedOut -> escalateBatch().map(escalated -> Math.max(timedOut, escalated)))
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                DatabaseUnavailable.warn(log, "timeout sweep", ar.cause());
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
            CheckInTransitions.applyAll(
                    tx, Change.timeOut(BATCH, SYSTEM_TIMEOUT).signedBy(deps.receipts()))
                .map(List::size));
  }

  /**
   * One batch of due escalation steps in one transaction (one step per check-in; a check-in two
   * steps behind gets the next on the following sweep, so steps fire in order): each raises the
   * urgency, writes {@code checkin.escalated} with the level and whom it notifies, and posts an
   * {@code escalation} message in the thread, and queues a Web Push and (when e-mail is on) an
   * e-mail to the humans it notifies.
   */
  Future<Integer> escalateBatch() {
    int unit = deps.config().timeoutUnitSeconds();
    Change.By by = Change.By.system(SYSTEM_ESCALATION);
    return Tx.run(
        vertx,
        deps.pool(),
        tx ->
            CheckInTransitions.applyAll(tx, Change.escalate(BATCH, unit, SYSTEM_ESCALATION))
                .compose(
                    escalated -> {
                      Future<Void> chain = Future.succeededFuture();
                      for (CheckIn ci : escalated) {
                        chain =
                            chain.compose(
                                v ->
                                    CheckInTransitions.post(tx, by, ci, note(ci))
                                        .compose(m -> PushQueue.escalated(tx, ci))
                                        .compose(
                                            m ->
                                                deps.config().mailEnabled()
                                                    ? MailQueue.escalated(tx, ci)
                                                    : Future.<Void>succeededFuture()));
                      }
                      return chain.map(escalated.size());
                    }));
  }

  private static Change.Note note(CheckIn ci) {
    JsonObject step = ci.escalationStep();
    Object notify = step.getValue("notify");
    String whom =
        "all".equals(notify)
            ? "every human of the org"
            : ((JsonArray) notify).isEmpty()
                ? "nobody in particular"
                : ((JsonArray) notify).encode();
    return new Change.Note(
        "escalation",
        "Escalated to level "
            + ci.escalationLevel()
            + " after "
            + step.getInteger("after_minutes")
            + " minutes without an answer; urgency "
            + ci.urgency()
            + "; notifies "
            + whom,
        new JsonObject()
            .put("level", ci.escalationLevel())
            .put("urgency", ci.urgency())
            .put("notify", notify),
        null);
  }

  private void housekeeping() {
    deps.pool()
        .query(DELETE_OLD_IDEMPOTENCY_KEYS)
        .execute()
        .onFailure(e -> DatabaseUnavailable.warn(log, "idempotency key cleanup", e));
  }
}
