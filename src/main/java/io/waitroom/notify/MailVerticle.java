package io.waitroom.notify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.SMTPException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.checkins.CheckIn;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.events.RoomEvent;
import io.waitroom.watchers.DeliveryLoop;
import io.waitroom.watchers.OutboundQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues and sends e-mails ({@code mail_deliveries}) over SMTP with Vert.x's non-blocking mail
 * client, with the machinery of webhooks and Web Push: the leased claim loop ({@link DeliveryLoop};
 * {@code SKIP LOCKED}, so two nodes never send one row), rung by every {@code checkin.created} and
 * {@code checkin.escalated} event. Before a claim it queues the new check-ins' e-mails from the
 * event log when rung or on the poll's turn ({@link MailQueue#EXPAND}). Each e-mail is rendered
 * when it is sent, from the check-in as it is then, with the recipient's freshly minted action
 * links; one whose check-in was decided in the meantime is skipped. SMTP 4xx answers, timeouts and
 * refused connections are retried with backoff; 5xx answers are given up with the reason logged. A
 * crash between the SMTP server's acceptance and the row's update is the one case that can send an
 * e-mail twice (with the same Message-ID).
 */
public final class MailVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MailVerticle.class);
  static final int MAX_IN_FLIGHT = 8;

  /** A claim waits for this long without a new check-in on this node ... */
  static final long QUIET_MS = 100;

  /** ... or at most this long: e-mails are never held back further by a stream of check-ins. */
  static final long MAX_DEFER_MS = 1000;

  static final String CLAIM =
      """
      WITH due AS (
        SELECT id FROM mail_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE mail_deliveries d
         SET attempts = d.attempts + 1, updated_at = now(),
             next_attempt_at = now() + make_interval(secs => $2)
        FROM due, users u
       WHERE d.id = due.id AND u.id = d.user_id
      RETURNING d.id, d.org_id, d.user_id, d.check_in_id, d.escalation_level, d.attempts,
        u.email, u.name
      """;

  /** Records an attempt, only while this claim still holds the row. $4 seconds (null = none). */
  static final String FINISH =
      """
      UPDATE mail_deliveries SET status = $3,
        next_attempt_at = CASE WHEN $4::float8 IS NULL THEN NULL
                               ELSE now() + make_interval(secs => $4::float8) END,
        last_error = $5, updated_at = now()
      WHERE id = $1 AND attempts = $2 AND status = 'pending'
      """;

  static final String DELETE_OLD =
      """
      DELETE FROM mail_deliveries WHERE id IN (
        SELECT id FROM mail_deliveries
        WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1)
        LIMIT 1000)
      """;

  private final Deps deps;
  private MailClient client;
  private String from;
  private OutboundQueue queue;

  /** When a pass could not read everything committed (held back, or another node's turn). */
  static final double RETRY_EXPAND_S = 0.05;

  /** Events one pass of {@link MailQueue#EXPAND} reads at most. */
  static final int EXPAND_EVENTS = 1000;

  // When this node last committed a check-in that may queue e-mail (System.nanoTime()).
  private long lastCreate = System.nanoTime() - MAX_DEFER_MS * 1_000_000;
  // Whether new check-ins may wait to be queued: rung, read on, or the poll's turn.
  private boolean expandDue = true;
  // When a pass is due even without a ring (System.nanoTime()): the poll's turn, or sooner.
  private long nextPass = System.nanoTime();
  // How soon a pass held back by an open transaction is tried again (doubling while it lasts).
  private double heldBackS = RETRY_EXPAND_S;
  // Whether the last claim took as many e-mails as it asked for: more are due, so the next claim
  // does not wait for a quiet node (under a steady stream of check-ins each would wait a second).
  // A claim that finds fewer has emptied the queue: the next burst is waited out again.
  private boolean draining;

  public MailVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    client = MailClient.create(vertx, SmtpSettings.parse(deps.config().smtpUrl()));
    from = SmtpSettings.from(deps.config());
    queue =
        new OutboundQueue(
            vertx,
            deps.metricsRegistry(),
            new OutboundQueue.Spec(
                "mail",
                MAX_IN_FLIGHT,
                deps.config().watcherPollMs(),
                "E-mails the SMTP server accepted, sent by this node",
                "E-mail attempts that failed (retried or given up)",
                // A new pending check-in or an escalation step may have queued e-mails.
                this::rings,
                15),
            capacity ->
                (draining ? Future.<Void>succeededFuture() : whenQuiet())
                    .compose(v -> expand())
                    .compose(
                        v ->
                            deps.pool()
                                .preparedQuery(CLAIM)
                                .execute(Tuple.of(capacity, DeliveryLoop.LEASE_SECONDS)))
                    .onSuccess(rows -> draining = rows.size() == capacity),
            this::attempt);
    // A first pass before the node serves anything: the first node ever with e-mail on places
    // the cursor there, so no check-in made once it is up can fall before it.
    return expand().compose(v -> queue.start(this::housekeeping));
  }

  private boolean rings(RoomEvent e) {
    if (!"checkin.created".equals(e.type()) && !"checkin.escalated".equals(e.type())) return false;
    lastCreate = System.nanoTime();
    expandDue |= "checkin.created".equals(e.type());
    return true;
  }

  /**
   * Queues the e-mails of the check-ins committed since the last pass ({@link MailQueue#EXPAND}),
   * when rung by one or on the poll's turn (another node's check-ins may ring nowhere). A full pass
   * reads on at once; a check-in committed above the commit horizon is read again shortly. Any
   * failure leaves the cursor where it was and the claim goes on with what is queued.
   */
  private Future<Void> expand() {
    long now = System.nanoTime();
    if (!expandDue && now - nextPass < 0) return Future.succeededFuture();
    expandDue = false;
    nextPass = now + deps.config().watcherPollMs() * 1_000_000L;
    return deps.pool()
        .preparedQuery(MailQueue.EXPAND)
        .execute(Tuple.of(EXPAND_EVENTS))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              if (r.getLong("events") >= EXPAND_EVENTS) {
                expandDue = true;
                queue.retryIn(0);
              } else if (r.getBoolean("held_back")) {
                // Committed above the horizon: an older transaction is still open. Read again
                // shortly, then less and less often while it stays open (up to the poll).
                nextPass = now + (long) (heldBackS * 1e9);
                queue.retryIn(heldBackS);
                heldBackS = Math.min(heldBackS * 2, deps.config().watcherPollMs() / 1000.0);
              } else {
                heldBackS = RETRY_EXPAND_S;
              }
              return (Void) null;
            })
        .recover(
            e -> {
              expandDue = true;
              DatabaseUnavailable.warn(log, "mail queue pass", e);
              return Future.succeededFuture();
            });
  }

  /**
   * Completes once this node has made no check-in for {@link #QUIET_MS}, or {@link #MAX_DEFER_MS}
   * after it was asked. An e-mail costs about as much CPU as the check-in that queued it (SMTP
   * dialogue, MIME, rendering, its links): sent while a burst of check-ins is still arriving, they
   * took a third of the burst's throughput on two cores (bench/run --only mail); sent just behind
   * it, they take the cores the burst no longer needs. Only after an idle spell: once the queue is
   * being drained, claims follow each other at once. Runs on the verticle's event loop, like the
   * claim loop and the doorbell that set {@code lastCreate}.
   */
  private Future<Void> whenQuiet() {
    Promise<Void> quiet = Promise.promise();
    waitQuiet(System.nanoTime(), quiet);
    return quiet.future();
  }

  private void waitQuiet(long asked, Promise<Void> quiet) {
    long now = System.nanoTime();
    long sinceCreate = (now - lastCreate) / 1_000_000;
    long waited = (now - asked) / 1_000_000;
    if (sinceCreate >= QUIET_MS || waited >= MAX_DEFER_MS) {
      quiet.complete();
      return;
    }
    long next = Math.max(1, Math.min(QUIET_MS - sinceCreate, MAX_DEFER_MS - waited));
    vertx.setTimer(next, id -> waitQuiet(asked, quiet));
  }

  @Override
  public Future<?> stop() {
    return queue.stop().compose(v -> client.close()).recover(e -> Future.succeededFuture());
  }

  private Future<Void> attempt(Row r) {
    String id = r.getString("id");
    int attempt = r.getInteger("attempts");
    String orgId = r.getString("org_id");
    String checkInId = r.getString("check_in_id");
    int level = r.getInteger("escalation_level");
    String to = r.getString("email");
    String base = deps.config().publicUrl();
    return CheckInView.read(deps.pool(), orgId, checkInId)
        .compose(
            v -> {
              if (v == null || !CheckIn.OPEN.contains(v.checkIn().status())) {
                return finish(id, attempt, "skipped", -1, "the check-in was decided first");
              }
              return ActionLinks.mint(
                      deps.pool(), base, orgId, r.getString("user_id"), checkInId, "email")
                  .compose(
                      links -> {
                        if (links == null) {
                          return finish(
                              id, attempt, "skipped", -1, "the check-in was decided first");
                        }
                        return client
                            .sendMail(MailMessages.build(from, to, v, links, level, base, id))
                            .transform(ar -> outcome(id, attempt, ar.cause()));
                      });
            })
        .recover(
            e -> {
              // The database, not SMTP: leave the row to its lease and try again later.
              log.warn(
                  "mail attempt could not run delivery_id={} error=\"{}\"", id, e.getMessage());
              return Future.succeededFuture();
            });
  }

  private Future<Void> outcome(String id, int attempt, Throwable error) {
    if (error == null) {
      queue.sent().increment();
      log.debug("mail sent delivery_id={} attempt={}", id, attempt);
      return finish(id, attempt, "sent", -1, null);
    }
    queue.failed().increment();
    boolean permanent = error instanceof SMTPException s && s.isPermanent();
    double delay =
        permanent ? -1 : DeliveryLoop.retryDelaySeconds(attempt, deps.config().webhookRetryScale());
    String status = delay < 0 ? "failed" : "pending";
    String reason =
        error instanceof SMTPException s
            ? "SMTP " + s.getReplyCode() + ": " + s.getReplyMessage()
            : error.getClass().getSimpleName() + ": " + error.getMessage();
    log.info(
        "mail attempt failed delivery_id={} attempt={} next={} error=\"{}\"",
        id,
        attempt,
        status,
        reason);
    return finish(id, attempt, status, delay, reason);
  }

  private Future<Void> finish(String id, int attempt, String status, double delay, String error) {
    return deps.pool()
        .preparedQuery(FINISH)
        .execute(Tuple.from(new Object[] {id, attempt, status, delay < 0 ? null : delay, error}))
        .onSuccess(v -> queue.retryIn(delay))
        .mapEmpty();
  }

  private void housekeeping() {
    deps.pool()
        .preparedQuery(DELETE_OLD)
        .execute(Tuple.of(deps.config().eventRetentionDays()))
        .onFailure(e -> DatabaseUnavailable.warn(log, "mail delivery cleanup", e));
  }
}
