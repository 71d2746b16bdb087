package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.Decisions;
import io.waitroom.checkins.Status;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.notify.CheckInView;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/integrations/slack/interactions}: what Slack sends when someone clicks a button
 * of a posted check-in or submits the reject modal. The request is Slack's only if its {@code
 * X-Slack-Signature} is {@code v0=} + HMAC-SHA256 of {@code v0:<timestamp>:<raw body>} under the
 * signing secret of the org that owns the check-in it names (compared in constant time) and its
 * timestamp is within 5 minutes; otherwise 401 and nothing happens. Slack is answered at once (it
 * waits 3 s); the decision follows, as the Waitroom human the clicking Slack user is (linked on the
 * dashboard, or the same e-mail address), through {@link Decisions#decide} with {@code via:
 * "slack"}: so double clicks, two people at once and a payload delivered twice decide once, and
 * whoever lost is told so in an ephemeral message.
 */
final class SlackInteractions {
  private static final Logger log = LoggerFactory.getLogger(SlackInteractions.class);

  static final long MAX_SKEW_SECONDS = 5 * 60;
  static final int MAX_BODY = 64 * 1024;

  private final Deps deps;
  private final SlackApi api;

  SlackInteractions(Deps deps, SlackApi api) {
    this.deps = deps;
    this.api = api;
  }

  /** A verified interaction: the payload, and the installation and check-in it concerns. */
  private record Verified(JsonObject payload, SlackStore.Install install, String checkInId) {}

  void handle(RoutingContext ctx) {
    String length = ctx.request().getHeader("Content-Length");
    long declared;
    try {
      declared = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      declared = -1;
    }
    if (declared < 0 || declared > MAX_BODY) {
      answer(ctx, declared > MAX_BODY ? 413 : 411, null);
      return;
    }
    ctx.request()
        .body()
        .compose(raw -> verify(ctx, raw))
        .onComplete(
            ar -> {
              if (ar.failed() && ar.cause() instanceof ApiException refused) {
                log.info(
                    "slack interaction refused request_id={} why=\"{}\"",
                    Http.requestId(ctx),
                    refused.getMessage());
                answer(ctx, 401, null);
                return;
              }
              if (ar.failed()) {
                // Not verified either way (the database, most likely): Slack shows the user an
                // error and nothing happened, so a click again is safe.
                DatabaseUnavailable.warn(
                    log, "slack interaction " + Http.requestId(ctx), ar.cause());
                ctx.response()
                    .putHeader(
                        "Retry-After", Integer.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
                answer(ctx, 503, null);
                return;
              }
              try {
                act(ctx, ar.result());
              } catch (RuntimeException e) {
                log.warn(
                    "slack interaction failed request_id={} error=\"{}\"",
                    Http.requestId(ctx),
                    e.getMessage());
                answer(ctx, 200, null);
              }
            });
  }

  private static void answer(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status);
    if (body == null) {
      ctx.response().end();
    } else {
      ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  // ---- verification ----

  private Future<Verified> verify(RoutingContext ctx, Buffer raw) {
    String timestamp = ctx.request().getHeader("X-Slack-Request-Timestamp");
    String signature = ctx.request().getHeader("X-Slack-Signature");
    if (timestamp == null || signature == null) return refuse("no Slack signature");
    long ts;
    try {
      ts = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return refuse("a malformed timestamp");
    }
    if (Math.abs(System.currentTimeMillis() / 1000 - ts) > MAX_SKEW_SECONDS) {
      return refuse("a stale timestamp");
    }
    JsonObject payload;
    try {
      payload = payloadOf(raw.toString(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return refuse("no readable payload");
    }
    String checkInId = checkInOf(payload);
    if (checkInId == null) return refuse("no check-in named");
    return deps.pool()
        .preparedQuery(SlackStore.CHECK_IN_ORG)
        .execute(Tuple.of(checkInId))
        .compose(
            rows -> {
              if (rows.size() == 0) return refuse("an unknown check-in");
              String orgId = rows.iterator().next().getString("org_id");
              return SecretBox.of(deps.vertx(), deps.config())
                  .compose(box -> SlackStore.install(deps.pool(), box, orgId));
            })
        .compose(
            install -> {
              if (install == null) return refuse("no Slack installation");
              if (!signed(install.secret(), timestamp.trim(), raw, signature)) {
                return refuse("a bad signature");
              }
              JsonObject team = payload.getJsonObject("team");
              if (team != null
                  && team.getString("id") != null
                  && !team.getString("id").equals(install.teamId())) {
                return refuse("another Slack workspace");
              }
              return Future.succeededFuture(new Verified(payload, install, checkInId));
            });
  }

  private static <T> Future<T> refuse(String why) {
    return Future.failedFuture(ApiException.unauthorized(why));
  }

  /** Slack's v0 signature of the raw body, compared in constant time. */
  static boolean signed(String secret, String timestamp, Buffer raw, String signature) {
    byte[] expected =
        ("v0=" + sign(secret, timestamp, raw.getBytes())).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, signature.trim().getBytes(StandardCharsets.UTF_8));
  }

  /** Hex HMAC-SHA256 of {@code v0:<timestamp>:<body>}. */
  static String sign(String secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JSON of the form body's {@code payload} field. */
  static JsonObject payloadOf(String form) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && "payload".equals(pair.substring(0, eq))) {
        return new JsonObject(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    throw new IllegalArgumentException("no payload field");
  }

  /** The check-in a button carries as its value, or the reject modal in its metadata. */
  static String checkInOf(JsonObject payload) {
    String type = payload.getString("type");
    if ("block_actions".equals(type)) {
      var actions = payload.getJsonArray("actions");
      if (actions == null || actions.isEmpty()) return null;
      return actions.getJsonObject(0).getString("value");
    }
    if ("view_submission".equals(type)) {
      JsonObject view = payload.getJsonObject("view");
      if (view == null || view.getString("private_metadata") == null) return null;
      return new JsonObject(view.getString("private_metadata")).getString("check_in_id");
    }
    return null;
  }

  // ---- acting ----

  private void act(RoutingContext ctx, Verified v) {
    JsonObject p = v.payload();
    String user = p.getJsonObject("user", new JsonObject()).getString("id");
    if ("view_submission".equals(p.getString("type"))) {
      JsonObject view = p.getJsonObject("view");
      JsonObject meta = new JsonObject(view.getString("private_metadata"));
      String reason = reasonOf(view);
      String refused =
          reason == null
              ? "A reason is required."
              : reason.codePointCount(0, reason.length()) > 2000
                  ? "At most 2000 characters."
                  : null;
      if (refused != null) {
        // The modal stays open, with the message under its reason field.
        answer(
            ctx,
            200,
            new JsonObject()
                .put("response_action", "errors")
                .put("errors", new JsonObject().put(SlackBlocks.REASON_BLOCK, refused)));
        return;
      }
      answer(ctx, 200, null);
      decide(v, user, meta.getString("channel"), Status.REJECTED, reason);
      return;
    }
    JsonObject action = p.getJsonArray("actions").getJsonObject(0);
    String channel = channelOf(p);
    switch (action.getString("action_id", "")) {
      case SlackBlocks.APPROVE -> {
        answer(ctx, 200, null);
        decide(v, user, channel, Status.APPROVED, null);
      }
      case SlackBlocks.REJECT -> {
        answer(ctx, 200, null);
        openRejectModal(v, user, channel, p.getString("trigger_id"));
      }
      default -> answer(ctx, 200, null);
    }
  }

  private static String channelOf(JsonObject p) {
    JsonObject channel = p.getJsonObject("channel");
    if (channel != null && channel.getString("id") != null) return channel.getString("id");
    JsonObject container = p.getJsonObject("container");
    return container == null ? null : container.getString("channel_id");
  }

  private static String reasonOf(JsonObject view) {
    try {
      String value =
          view.getJsonObject("state")
              .getJsonObject("values")
              .getJsonObject(SlackBlocks.REASON_BLOCK)
              .getJsonObject(SlackBlocks.REASON_INPUT)
              .getString("value");
      return value == null || value.isBlank() ? null : value.strip();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** views.open at once: its trigger_id lives 3 s, so this call cannot wait for the queue. */
  private void openRejectModal(Verified v, String user, String channel, String triggerId) {
    CheckInView.read(deps.pool(), v.install().orgId(), v.checkInId())
        .compose(
            view -> {
              if (view == null) return Future.succeededFuture();
              if (!"pending".equals(view.checkIn().status())) {
                return tellAlreadyDecided(v, user, channel, view);
              }
              return api.call(
                      "views.open",
                      v.install().token(),
                      new JsonObject()
                          .put("trigger_id", triggerId)
                          .put(
                              "view",
                              SlackBlocks.rejectModal(
                                  v.checkInId(), channel, view.checkIn().action())))
                  .compose(
                      a -> {
                        if (a.ok()) return Future.succeededFuture();
                        log.info(
                            "slack views.open failed check_in_id={} error={}",
                            v.checkInId(),
                            a.error());
                        return tell(
                            v,
                            user,
                            channel,
                            "Waitroom could not open the reject form ("
                                + a.error()
                                + "): try again, or reject in Waitroom.");
                      });
            })
        .onFailure(
            e -> DatabaseUnavailable.warn(log, "slack reject modal for " + v.checkInId(), e));
  }

  /** Decides as the human the Slack user is, or tells the Slack user why not. */
  private void decide(Verified v, String user, String channel, Status outcome, String reason) {
    human(v.install(), user)
        .compose(
            human -> {
              if (human == null) {
                return tell(
                    v,
                    user,
                    channel,
                    "Your Slack account is not linked to Waitroom: link it on the Notifications"
                        + " page of the dashboard ("
                        + deps.config().publicUrl()
                        + "/#/notifications), or use the same e-mail address in both. Nothing"
                        + " was decided.");
              }
              return Tx.<CheckIn>run(
                      deps.vertx(),
                      deps.pool(),
                      tx ->
                          Decisions.decide(
                              tx,
                              human,
                              v.checkInId(),
                              outcome,
                              reason,
                              null,
                              Decisions.VIA_SLACK,
                              deps.receipts()))
                  .compose(
                      ci -> {
                        log.info(
                            "slack decision check_in_id={} by={} outcome={} status={}",
                            ci.id(),
                            human.id(),
                            outcome.wire(),
                            ci.status());
                        return Future.<Void>succeededFuture();
                      })
                  .recover(e -> refused(v, user, channel, human, e));
            })
        .onFailure(e -> DatabaseUnavailable.warn(log, "slack decision on " + v.checkInId(), e));
  }

  /** The decision lost (or was not allowed): the Slack user is told who decided, or why not. */
  private Future<Void> refused(
      Verified v, String user, String channel, Actor.Human human, Throwable e) {
    if (!(e instanceof ApiException api)) return Future.failedFuture(e);
    return CheckInView.read(deps.pool(), v.install().orgId(), v.checkInId())
        .compose(
            view -> {
              if (view == null) return Future.succeededFuture();
              if (!"pending".equals(view.checkIn().status())) {
                // A second click (or the same payload again) by whoever decided: nothing to say.
                if (human.id().equals(view.checkIn().decidedBy())) return Future.succeededFuture();
                return tellAlreadyDecided(v, user, channel, view);
              }
              return tell(v, user, channel, "Not decided: " + api.getMessage());
            });
  }

  private Future<Void> tellAlreadyDecided(
      Verified v, String user, String channel, CheckInView view) {
    String status = view.checkIn().status();
    String text =
        switch (status) {
          case "approved", "rejected", "modified" ->
              "This was already " + status + " by " + view.deciderLabel() + ".";
          case "expired" -> "This check-in already expired.";
          case "withdrawn" -> "The agent already withdrew this check-in.";
          default -> "This check-in is no longer pending (" + status + ").";
        };
    return tell(v, user, channel, text);
  }

  private Future<Void> tell(Verified v, String user, String channel, String text) {
    if (channel == null || user == null) return Future.succeededFuture();
    return SlackQueue.ephemeral(
        deps.pool(), v.install().orgId(), v.checkInId(), channel, user, text);
  }

  /**
   * The Waitroom human a Slack user is: the one human of the org with the address Slack has for the
   * user ({@code users.info}, scope {@code users:read.email}), else the one who linked the Slack
   * user on the dashboard; null when neither. The address wins over a link, so a link someone else
   * made to a Slack user whose address is theirs cannot take that user's clicks.
   */
  private Future<Actor.Human> human(SlackStore.Install install, String slackUser) {
    if (slackUser == null) return Future.succeededFuture();
    return byEmail(install, slackUser)
        .compose(
            found -> {
              if (found != null) return Future.succeededFuture(found);
              return deps.pool()
                  .preparedQuery(SlackStore.LINKED)
                  .execute(Tuple.of(install.orgId(), slackUser))
                  .map(rows -> rows.size() == 1 ? human(install, rows.iterator().next()) : null);
            });
  }

  private Future<Actor.Human> byEmail(SlackStore.Install install, String slackUser) {
    return api.form("users.info", install.token(), Map.of("user", slackUser))
        .recover(
            e -> {
              log.info("slack users.info failed user={} error=\"{}\"", slackUser, e.getMessage());
              return Future.succeededFuture(null);
            })
        .compose(
            a -> {
              if (a == null) return Future.succeededFuture();
              if (!a.ok()) {
                log.info("slack users.info refused user={} error={}", slackUser, a.error());
                return Future.succeededFuture();
              }
              String email =
                  a.body()
                      .getJsonObject("user", new JsonObject())
                      .getJsonObject("profile", new JsonObject())
                      .getString("email");
              if (email == null || email.isBlank()) return Future.succeededFuture();
              return deps.pool()
                  .preparedQuery(SlackStore.BY_EMAIL)
                  .execute(Tuple.of(install.orgId(), email))
                  .map(found -> found.size() == 1 ? human(install, found.iterator().next()) : null);
            });
  }

  private static Actor.Human human(SlackStore.Install install, Row r) {
    return new Actor.Human(
        r.getString("id"), install.orgId(), r.getString("subject"), r.getString("name"));
  }
}
