package io.waitroom.slack;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckIn;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.InRoom;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Time;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack: the org's installation ({@code /v1/integrations/slack}), the channel a room posts to
 * ({@code /v1/rooms/:room/slack}), a human's link to their Slack user ({@code /v1/me/slack}), and
 * the interactivity endpoint Slack calls ({@code /v1/integrations/slack/interactions}, see {@link
 * SlackInteractions}).
 */
public final class SlackRoutes {
  private static final Logger log = LoggerFactory.getLogger(SlackRoutes.class);

  public static final String INTERACTIONS = "/v1/integrations/slack/interactions";

  /** The order of HttpVerticle's second route (the allowed hosts): see {@link #mount}. */
  static final int AFTER_REQUEST_ID_AND_HOSTS = 1;

  /** Slack's ids: channels C/G/D..., users U/W... (upper-case letters and digits). */
  static final Pattern CHANNEL = Pattern.compile("^[CGD][A-Z0-9]{2,30}$");

  static final Pattern USER = Pattern.compile("^[UW][A-Z0-9]{2,30}$");

  private final Deps deps;
  private final SlackApi api;

  private SlackRoutes(Deps deps) {
    this.deps = deps;
    this.api = new SlackApi(deps.vertx(), deps.config().slackApiUrl());
  }

  public static void mount(Router router, Deps deps) {
    SlackRoutes r = new SlackRoutes(deps);
    SlackInteractions interactions = new SlackInteractions(deps, r.api);
    // Slack calls this one with a signed form body and no credentials of ours: it must run ahead
    // of the API's middleware (JSON-only bodies, bearer auth, rate limits), which would refuse
    // it; its signature is its authentication. It is ordered right behind the two routes every
    // request passes first (HttpVerticle: the request id, order 0, and the allowed hosts, order
    // 1; a route of equal order sorts after those registered before it), so it keeps both, and a
    // path the router cannot decode still fails after the request id is set.
    router.post(INTERACTIONS).order(AFTER_REQUEST_ID_AND_HOSTS).handler(interactions::handle);
    Routes.on(router)
        .put("/v1/integrations/slack", r::install)
        .get("/v1/integrations/slack", r::installed)
        .delete("/v1/integrations/slack", r::uninstall)
        .put("/v1/rooms/:room/slack", r::setRoom)
        .get("/v1/rooms/:room/slack", r::room)
        .delete("/v1/rooms/:room/slack", r::deleteRoom)
        .put("/v1/me/slack", r::link)
        .get("/v1/me/slack", r::myLink)
        .delete("/v1/me/slack", r::unlink);
  }

  // ---- installation ----

  private Future<Reply> install(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    String token = secret(body, "bot_token", 500);
    String signing = secret(body, "signing_secret", 200);
    if (!token.startsWith("xoxb-")) {
      throw ApiException.validation("bot_token", "must be a bot token (xoxb-...)");
    }
    return api.call("auth.test", token, new JsonObject())
        .recover(
            e ->
                Future.failedFuture(
                    new ApiException(
                        502,
                        "SLACK_UNREACHABLE",
                        "Slack could not be reached to check bot_token: " + e.getMessage(),
                        null)))
        .compose(
            a -> {
              if (!a.ok()) {
                throw new ApiException(
                    400,
                    "VALIDATION_ERROR",
                    "bot_token: Slack's auth.test refused it: " + a.error(),
                    new JsonObject().put("field", "bot_token").put("slack_error", a.error()));
              }
              JsonObject b = a.body();
              JsonObject shown =
                  new SlackStore.Install(
                          human.orgId(),
                          b.getString("team_id"),
                          b.getString("team"),
                          b.getString("user_id"),
                          null,
                          null)
                      .toJson();
              return SecretBox.of(deps.vertx(), deps.config())
                  .compose(
                      box ->
                          Tx.run(
                              deps.vertx(),
                              deps.pool(),
                              tx ->
                                  tx.conn()
                                      .preparedQuery(SlackStore.UPSERT_INSTALL)
                                      .execute(
                                          Tuple.from(
                                              new Object[] {
                                                human.orgId(),
                                                b.getString("team_id"),
                                                b.getString("team"),
                                                b.getString("user_id"),
                                                Buffer.buffer(box.seal(token)),
                                                Buffer.buffer(box.seal(signing)),
                                                human.id()
                                              }))
                                      .compose(
                                          v ->
                                              tx.audit(
                                                  human,
                                                  null,
                                                  "slack.installed",
                                                  "slack_install",
                                                  b.getString("team_id"),
                                                  shown))))
                  .map(
                      v -> {
                        log.info(
                            "slack installed org_id={} team_id={} by={}",
                            human.orgId(),
                            b.getString("team_id"),
                            human.id());
                        return Reply.ok(shown);
                      });
            });
  }

  private static String secret(JsonObject body, String field, int max) {
    Object v = body.getValue(field);
    if (!(v instanceof String s) || s.isBlank()) {
      throw ApiException.validation(field, "is required (a string)");
    }
    if (s.length() > max) throw ApiException.validation(field, "at most " + max + " characters");
    return s.strip();
  }

  private Future<Reply> installed(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return deps.pool()
        .preparedQuery(SlackStore.INSTALL)
        .execute(Tuple.of(human.orgId()))
        .map(
            rows -> {
              if (rows.size() == 0) return Reply.ok(new JsonObject().put("installed", false));
              Row r = rows.iterator().next();
              return Reply.ok(
                  new SlackStore.Install(
                          human.orgId(),
                          r.getString("team_id"),
                          r.getString("team_name"),
                          r.getString("bot_user_id"),
                          null,
                          null)
                      .toJson());
            });
  }

  private Future<Reply> uninstall(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(SlackStore.DELETE_INSTALL)
                    .execute(Tuple.of(human.orgId()))
                    .compose(
                        rows -> {
                          if (rows.size() == 0) throw ApiException.notFound("Slack installation");
                          Row r = rows.iterator().next();
                          JsonObject was =
                              new JsonObject()
                                  .put("installed", false)
                                  .put(
                                      "team",
                                      new JsonObject()
                                          .put("id", r.getString("team_id"))
                                          .put("name", r.getString("team_name")))
                                  .put("bot_user", r.getString("bot_user_id"));
                          return tx.audit(
                                  human,
                                  null,
                                  "slack.uninstalled",
                                  "slack_install",
                                  r.getString("team_id"),
                                  was)
                              .map(was);
                        }))
        .map(
            was -> {
              log.info("slack uninstalled org_id={} by={}", human.orgId(), human.id());
              return Reply.ok(was);
            });
  }

  // ---- a room's channel ----

  private Future<Reply> setRoom(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    Object channel = body.getValue("channel");
    if (!(channel instanceof String c) || !CHANNEL.matcher(c).matches()) {
      throw ApiException.validation(
          "channel", "must be a Slack channel id such as C0123456789 (not its #name)");
    }
    Object risk = body.getValue("min_risk", "low");
    if (!(risk instanceof String r) || !CheckIn.RISK_LEVELS.contains(r)) {
      throw ApiException.validation("min_risk", "must be one of low, medium, high, critical");
    }
    return InRoom.change(
        deps,
        human,
        ctx.pathParam("room"),
        (room, tx) ->
            tx.conn()
                .preparedQuery(SlackStore.UPSERT_ROOM)
                .execute(Tuple.of(room.id(), human.orgId(), channel, risk))
                .compose(
                    rows -> {
                      JsonObject shown = roomJson(room.id(), rows.iterator().next());
                      return tx.audit(
                              human, room.id(), "slack.room_configured", "room", room.id(), shown)
                          .map(v -> Reply.ok(shown));
                    }));
  }

  private Future<Reply> room(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(
            room ->
                deps.pool()
                    .preparedQuery(SlackStore.ROOM)
                    .execute(Tuple.of(room.id()))
                    .map(
                        rows -> {
                          if (rows.size() == 0)
                            throw ApiException.notFound("Slack channel of the room");
                          return Reply.ok(roomJson(room.id(), rows.iterator().next()));
                        }));
  }

  private Future<Reply> deleteRoom(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return InRoom.change(
        deps,
        human,
        ctx.pathParam("room"),
        (room, tx) ->
            tx.conn()
                .preparedQuery(SlackStore.DELETE_ROOM)
                .execute(Tuple.of(room.id()))
                .compose(
                    rows -> {
                      if (rows.size() == 0) {
                        throw ApiException.notFound("Slack channel of the room");
                      }
                      JsonObject was = roomJson(room.id(), rows.iterator().next());
                      return tx.audit(
                              human, room.id(), "slack.room_removed", "room", room.id(), was)
                          .map(v -> Reply.ok(was));
                    }));
  }

  private static JsonObject roomJson(String roomId, Row r) {
    return new JsonObject()
        .put("room_id", roomId)
        .put("channel", r.getString("channel"))
        .put("min_risk", r.getString("min_risk"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")))
        .put("updated_at", Time.iso(r.getOffsetDateTime("updated_at")));
  }

  // ---- a human's Slack user ----

  private Future<Reply> link(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    Object user = body.getValue("slack_user_id");
    if (!(user instanceof String u) || !USER.matcher(u).matches()) {
      throw ApiException.validation(
          "slack_user_id", "must be a Slack member id such as U0123456789");
    }
    return deps.pool()
        .preparedQuery(SlackStore.LINK)
        .execute(Tuple.of(human.orgId(), user, human.id()))
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof PgException p && "23505".equals(p.getSqlState())
                        ? ApiException.conflict(
                            "slack_user_id: this Slack user is already linked to another human")
                        : e))
        .compose(v -> deps.pool().preparedQuery(SlackStore.MY_LINK).execute(Tuple.of(human.id())))
        .map(rows -> Reply.ok(linkJson(rows.iterator().next())));
  }

  private Future<Reply> myLink(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return deps.pool()
        .preparedQuery(SlackStore.MY_LINK)
        .execute(Tuple.of(human.id()))
        .map(
            rows ->
                Reply.ok(
                    rows.size() == 0
                        ? new JsonObject().put("slack_user_id", null).put("linked_at", null)
                        : linkJson(rows.iterator().next())));
  }

  private Future<Reply> unlink(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return deps.pool()
        .preparedQuery(SlackStore.UNLINK)
        .execute(Tuple.of(human.id()))
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("Slack link");
              return Reply.ok(linkJson(rows.iterator().next()));
            });
  }

  private static JsonObject linkJson(Row r) {
    return new JsonObject()
        .put("slack_user_id", r.getString("slack_user_id"))
        .put("linked_at", Time.iso(r.getOffsetDateTime("created_at")));
  }
}
