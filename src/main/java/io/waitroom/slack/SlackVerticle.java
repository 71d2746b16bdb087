package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.notify.CheckInView;
import io.waitroom.watchers.DeliveryLoop;
import io.waitroom.watchers.OutboundQueue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the queued Slack calls ({@code slack_calls}, filled by {@link SlackQueue} and the
 * interactions' ephemeral answers) with the machinery of webhooks, push and e-mail: the leased
 * claim loop ({@link DeliveryLoop}; {@code SKIP LOCKED}, so two nodes never send one row). A
 * message is rendered when it is sent, from the check-in as it then is; a check-in's updates and
 * replies wait for its post, and its updates go one at a time, oldest first, so the last one sent
 * shows the last state. Slack's 429 is retried after its {@code Retry-After} (without spending an
 * attempt); 5xx and network failures with the webhook backoff; any other Slack error is given up
 * with its code logged (never the token).
 */
public final class SlackVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SlackVerticle.class);
  static final int MAX_IN_FLIGHT = 8;

  static final String CLAIM =
      """
      WITH due AS (
        SELECT d.id FROM slack_calls d
        WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.kind NOT IN ('update', 'reply') OR NOT EXISTS (
            SELECT 1 FROM slack_calls p
            WHERE p.check_in_id = d.check_in_id AND p.status = 'pending'
              AND (p.kind = 'post'
                OR (p.kind = d.kind AND (p.created_at, p.id) < (d.created_at, d.id)))))
        ORDER BY d.next_attempt_at LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE slack_calls c
         SET attempts = c.attempts + 1, updated_at = now(),
             next_attempt_at = now() + make_interval(secs => $2)
        FROM due
       WHERE c.id = due.id
      RETURNING c.id, c.org_id, c.check_in_id, c.kind, c.payload, c.attempts
      """;

  /**
   * Records an attempt, only while this claim still holds the row. $4 seconds (null = none), $6 the
   * attempts to keep (a rate-limited attempt is not counted).
   */
  static final String FINISH =
      """
      UPDATE slack_calls SET status = $3,
        next_attempt_at = CASE WHEN $4::float8 IS NULL THEN NULL
                               ELSE now() + make_interval(secs => $4::float8) END,
        last_error = $5, attempts = $6, updated_at = now()
      WHERE id = $1 AND attempts = $2 AND status = 'pending'
      """;

  static final String POSTED =
      "UPDATE slack_messages SET ts = $2, channel = $3 WHERE check_in_id = $1";

  static final String MESSAGE = "SELECT channel, ts FROM slack_messages WHERE check_in_id = $1";

  static final String DELETE_OLD =
      """
      DELETE FROM slack_calls WHERE id IN (
        SELECT id FROM slack_calls
        WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1)
        LIMIT 1000)
      """;

  /** Why an attempt is not sent (and not retried). */
  private static final class Skip extends RuntimeException {
    Skip(String why) {
      super(why, null, false, false);
    }
  }

  private final Deps deps;
  private SlackApi api;
  private SecretBox box;
  private OutboundQueue queue;

  public SlackVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    api = new SlackApi(vertx, deps.config().slackApiUrl());
    queue =
        new OutboundQueue(
            vertx,
            deps.metricsRegistry(),
            new OutboundQueue.Spec(
                "slack",
                MAX_IN_FLIGHT,
                deps.config().watcherPollMs(),
                "Slack Web API calls Slack accepted, sent by this node",
                "Slack Web API calls that failed (retried, rate limited or given up)",
                // Any change of a check-in committed on this node may have queued a call; other
                // nodes' are found by the poll (a call is queued by whichever node's transaction
                // made it necessary).
                e -> e.type().startsWith("checkin."),
                15),
            capacity ->
                deps.pool()
                    .preparedQuery(CLAIM)
                    .execute(Tuple.of(capacity, DeliveryLoop.LEASE_SECONDS)),
            this::attempt);
    // The secrets' key first: every attempt decrypts the org's bot token with it.
    return SecretBox.of(vertx, deps.config())
        .compose(
            b -> {
              box = b;
              return queue.start(this::housekeeping);
            });
  }

  @Override
  public Future<?> stop() {
    return queue.stop();
  }

  private Future<Void> attempt(Row r) {
    String id = r.getString("id");
    int attempt = r.getInteger("attempts");
    String orgId = r.getString("org_id");
    String kind = r.getString("kind");
    JsonObject payload = (JsonObject) r.getJson("payload");
    String checkInId = r.getString("check_in_id");
    return SlackStore.install(deps.pool(), box, orgId)
        .compose(
            install -> {
              if (install == null) throw new Skip("the Slack app is not installed");
              return switch (kind) {
                case "post", "update" -> message(install, checkInId, kind);
                case "reply" -> reply(install, checkInId, payload);
                default ->
                    api.call(
                        "chat.postEphemeral",
                        install.token(),
                        new JsonObject()
                            .put("channel", payload.getString("channel"))
                            .put("user", payload.getString("user"))
                            .put("text", payload.getString("text")));
              };
            })
        .transform(
            ar -> {
              if (ar.failed() && ar.cause() instanceof Skip s) {
                return finish(id, attempt, attempt, "skipped", -1, s.getMessage());
              }
              if (ar.failed()) {
                return outcome(id, attempt, kind, null, ar.cause())
                    .recover(e -> Future.succeededFuture());
              }
              SlackApi.Answer a = ar.result();
              Future<Void> recorded =
                  a.ok() && "post".equals(kind)
                      ? deps.pool()
                          .preparedQuery(POSTED)
                          .execute(
                              Tuple.of(
                                  checkInId,
                                  a.body().getString("ts"),
                                  a.body().getString("channel")))
                          .mapEmpty()
                      : Future.succeededFuture();
              return recorded.compose(v -> outcome(id, attempt, kind, a, null));
            })
        .recover(
            e -> {
              // The database, not Slack: leave the row to its lease and try again later.
              DatabaseUnavailable.warn(log, "slack call " + id, e);
              return Future.succeededFuture();
            });
  }

  /** chat.postMessage or chat.update of a check-in's message, rendered from its state now. */
  private Future<SlackApi.Answer> message(
      SlackStore.Install install, String checkInId, String kind) {
    return deps.pool()
        .preparedQuery(MESSAGE)
        .execute(Tuple.of(checkInId))
        .compose(
            rows -> {
              if (rows.size() == 0) throw new Skip("no Slack message for this check-in");
              Row m = rows.iterator().next();
              String ts = m.getString("ts");
              if ("update".equals(kind) && ts == null)
                throw new Skip("the message was never posted");
              return CheckInView.read(deps.pool(), install.orgId(), checkInId)
                  .compose(
                      v -> {
                        if (v == null) throw new Skip("the check-in is gone");
                        return names(v)
                            .compose(
                                names -> {
                                  JsonObject body =
                                      SlackBlocks.message(
                                              v, names, deps.config().publicUrl(), Instant.now())
                                          .put("channel", m.getString("channel"));
                                  if ("post".equals(kind)) {
                                    return api.call("chat.postMessage", install.token(), body);
                                  }
                                  return api.call(
                                      "chat.update", install.token(), body.put("ts", ts));
                                });
                      });
            });
  }

  /** The names of the decider and voters of a check-in, by usr_ id. */
  private Future<Map<String, String>> names(CheckInView v) {
    List<String> ids = new ArrayList<>();
    if (v.checkIn().decidedBy() != null) ids.add(v.checkIn().decidedBy());
    JsonArray votes = v.checkIn().votes();
    if (votes != null) {
      for (int i = 0; i < votes.size(); i++) ids.add(votes.getJsonObject(i).getString("voter"));
    }
    if (ids.isEmpty()) return Future.succeededFuture(Map.of());
    return deps.pool()
        .preparedQuery(SlackStore.NAMES)
        .execute(Tuple.tuple().addArrayOfString(ids.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, String> names = new HashMap<>();
              for (Row n : rows) {
                if (n.getString("name") != null) names.put(n.getString("id"), n.getString("name"));
              }
              return names;
            });
  }

  /** An escalation step's reply in the message's thread, mentioning the linked humans it names. */
  private Future<SlackApi.Answer> reply(
      SlackStore.Install install, String checkInId, JsonObject payload) {
    Object notify = payload.getValue("notify");
    String[] humans =
        notify instanceof JsonArray list
            ? list.stream().map(String::valueOf).toArray(String[]::new)
            : new String[0];
    return deps.pool()
        .preparedQuery(MESSAGE)
        .execute(Tuple.of(checkInId))
        .compose(
            rows -> {
              if (rows.size() == 0 || rows.iterator().next().getString("ts") == null) {
                throw new Skip("the message was never posted");
              }
              Row m = rows.iterator().next();
              return deps.pool()
                  .preparedQuery(SlackStore.SLACK_USERS)
                  .execute(Tuple.tuple().addString(install.orgId()).addArrayOfString(humans))
                  .compose(
                      users -> {
                        JsonArray mentions = new JsonArray();
                        for (Row u : users) mentions.add(u.getString("slack_user_id"));
                        return api.call(
                            "chat.postMessage",
                            install.token(),
                            new JsonObject()
                                .put("channel", m.getString("channel"))
                                .put("thread_ts", m.getString("ts"))
                                .put(
                                    "text",
                                    SlackBlocks.escalation(
                                        payload.getInteger("level", 0), mentions)));
                      });
            });
  }

  private Future<Void> outcome(
      String id, int attempt, String kind, SlackApi.Answer a, Throwable error) {
    if (a != null && a.ok()) {
      queue.sent().increment();
      log.debug("slack call sent call_id={} kind={} attempt={}", id, kind, attempt);
      return finish(id, attempt, attempt, "sent", -1, null);
    }
    queue.failed().increment();
    if (a != null && a.rateLimited()) {
      double wait = a.retryAfterSeconds() == null ? 30 : a.retryAfterSeconds();
      log.info("slack rate limited call_id={} kind={} retry_after={}", id, kind, wait);
      return finish(id, attempt, attempt - 1, "pending", wait, "rate limited (429)");
    }
    boolean retry = a == null || a.transientFailure();
    double delay =
        retry ? DeliveryLoop.retryDelaySeconds(attempt, deps.config().webhookRetryScale()) : -1;
    String status = delay < 0 ? "failed" : "pending";
    String reason =
        a != null ? a.error() : error.getClass().getSimpleName() + ": " + error.getMessage();
    log.info(
        "slack call failed call_id={} kind={} attempt={} next={} error=\"{}\"",
        id,
        kind,
        attempt,
        status,
        reason);
    return finish(id, attempt, attempt, status, delay, reason);
  }

  private Future<Void> finish(
      String id, int attempt, int keep, String status, double delay, String error) {
    return deps.pool()
        .preparedQuery(FINISH)
        .execute(
            Tuple.from(new Object[] {id, attempt, status, delay < 0 ? null : delay, error, keep}))
        .onSuccess(v -> queue.retryIn(delay))
        .mapEmpty();
  }

  private void housekeeping() {
    deps.pool()
        .preparedQuery(DELETE_OLD)
        .execute(Tuple.of(deps.config().eventRetentionDays()))
        .onFailure(e -> DatabaseUnavailable.warn(log, "slack call cleanup", e));
  }
}
