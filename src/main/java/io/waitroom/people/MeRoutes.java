package io.waitroom.people;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckIn;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import java.util.ArrayList;
import java.util.List;

/**
 * The signed-in human: who they are ({@code GET /v1/me}), the org's humans ({@code GET
 * /v1/humans}), and their notification preferences ({@code GET/PUT /v1/me/notifications}).
 */
public final class MeRoutes {
  static final String ME = "SELECT id, org_id, name, email, notify, role FROM users WHERE id = $1";

  static final String HUMANS =
      """
      SELECT id, name, email, role FROM users WHERE org_id = $1 AND ($2::text IS NULL OR id > $2)
      ORDER BY id LIMIT $3
      """;

  static final String SET_NOTIFY = "UPDATE users SET notify = $2 WHERE id = $1 RETURNING email";

  /** Room ids and slugs of org $1: the slugs a preference names, or the ids it stores. */
  static final String ROOMS =
      """
      SELECT id, slug FROM rooms WHERE org_id = $1 AND (slug = ANY ($2::text[]) OR id = ANY ($2))
      """;

  private final Deps deps;

  private MeRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    MeRoutes r = new MeRoutes(deps);
    Routes.on(router)
        .get("/v1/me", r::me)
        .get("/v1/me/notifications", r::notifications)
        .put("/v1/me/notifications", r::setNotifications)
        .get("/v1/humans", r::humans);
  }

  private Future<Row> self(Actor.Human human) {
    return deps.pool()
        .preparedQuery(ME)
        .execute(Tuple.of(human.id()))
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("human");
              return rows.iterator().next();
            });
  }

  private Future<Reply> me(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return self(human)
        .map(
            r ->
                Reply.ok(
                    new JsonObject()
                        .put("id", r.getString("id"))
                        .put("name", r.getString("name"))
                        .put("email", r.getString("email"))
                        .put("org_id", r.getString("org_id"))
                        .put("role", r.getString("role"))));
  }

  private Future<Reply> humans(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    var page = io.waitroom.http.Paging.of(ctx, "humans:" + human.orgId(), 50);
    return deps.pool()
        .preparedQuery(HUMANS)
        .execute(Tuple.of(human.orgId(), page.after(), page.fetch()))
        .map(
            rows ->
                page.reply(
                    rows,
                    "humans:" + human.orgId(),
                    r ->
                        new JsonObject()
                            .put("id", r.getString("id"))
                            .put("name", r.getString("name"))
                            .put("email", r.getString("email"))
                            .put("role", r.getString("role")),
                    "id"));
  }

  // ---- notification preferences ----

  private Future<Reply> notifications(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return self(human)
        .compose(r -> view(human, r.getString("email"), (JsonObject) r.getValue("notify")));
  }

  private Future<Reply> setNotifications(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    Object emailValue = body.getValue("email");
    if (emailValue != null && !(emailValue instanceof JsonObject)) {
      throw ApiException.validation("email", "email must be an object");
    }
    JsonObject email = emailValue == null ? new JsonObject() : (JsonObject) emailValue;
    Object enabled = email.getValue("enabled");
    if (enabled != null && !(enabled instanceof Boolean)) {
      throw ApiException.validation("email.enabled", "email.enabled must be true or false");
    }
    Object minRisk = email.getValue("min_risk");
    if (minRisk != null && !(minRisk instanceof String s && CheckIn.RISK_LEVELS.contains(s))) {
      throw ApiException.validation(
          "email.min_risk", "email.min_risk must be one of low, medium, high, critical");
    }
    Object rooms = email.getValue("rooms");
    Future<Picked> picked;
    if (rooms == null || "all".equals(rooms)) {
      picked = Future.succeededFuture(new Picked("all", "all"));
    } else if (rooms instanceof JsonArray list) {
      if (list.size() > 500) {
        throw ApiException.validation("email.rooms", "email.rooms lists at most 500 rooms");
      }
      List<String> slugs = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof String s) || s.isEmpty() || s.length() > 100) {
          throw ApiException.validation(
              "email.rooms[" + i + "]", "email.rooms[" + i + "] must be a room slug");
        }
        slugs.add(s);
      }
      picked = roomIds(human.orgId(), slugs);
    } else {
      throw ApiException.validation(
          "email.rooms", "email.rooms must be \"all\" or a list of room slugs");
    }
    return picked.compose(
        r -> {
          JsonObject notify =
              new JsonObject()
                  .put(
                      "email",
                      new JsonObject()
                          .put("enabled", enabled == null || (Boolean) enabled)
                          .put("rooms", r.ids())
                          .put("min_risk", minRisk == null ? "low" : minRisk));
          // The answer is made from what was just resolved and stored: no second read.
          return deps.pool()
              .preparedQuery(SET_NOTIFY)
              .execute(Tuple.of(human.id(), notify))
              .map(rows -> answer(rows.iterator().next().getString("email"), notify, r.slugs()));
        });
  }

  /** The rooms a preference names: as stored (ids) and as shown (slugs), or both "all". */
  private record Picked(Object ids, Object slugs) {}

  /** The rooms' ids and slugs, in the order given; an unknown slug is a 400 naming it. */
  private Future<Picked> roomIds(String orgId, List<String> slugs) {
    return deps.pool()
        .preparedQuery(ROOMS)
        .execute(Tuple.of(orgId, (Object) slugs.toArray(String[]::new)))
        .map(
            rows -> {
              JsonArray ids = new JsonArray();
              JsonArray shown = new JsonArray();
              for (int i = 0; i < slugs.size(); i++) {
                String want = slugs.get(i);
                Row found = null;
                for (Row r : rows) {
                  if (want.equals(r.getString("slug")) || want.equals(r.getString("id"))) {
                    found = r;
                  }
                }
                if (found == null) {
                  throw ApiException.validation(
                      "email.rooms[" + i + "]", "email.rooms[" + i + "]: no room '" + want + "'");
                }
                if (!ids.contains(found.getString("id"))) {
                  ids.add(found.getString("id"));
                  shown.add(found.getString("slug"));
                }
              }
              return new Picked(ids, shown);
            });
  }

  /**
   * The stored preferences with their rooms as slugs (one read, only when they name rooms), as
   * {@link #answer} shows them.
   */
  private Future<Reply> view(Actor.Human human, String address, JsonObject notify) {
    Object rooms =
        notify == null
            ? null
            : notify.getValue("email") instanceof JsonObject e ? e.getValue("rooms") : null;
    if (!(rooms instanceof JsonArray ids) || ids.isEmpty()) {
      return Future.succeededFuture(
          answer(address, notify, rooms instanceof JsonArray ? new JsonArray() : "all"));
    }
    return deps.pool()
        .preparedQuery(ROOMS)
        .execute(
            Tuple.of(
                human.orgId(), (Object) ids.stream().map(String::valueOf).toArray(String[]::new)))
        .map(
            rows -> {
              JsonArray slugs = new JsonArray();
              for (Object id : ids) {
                for (Row r : rows) if (id.equals(r.getString("id"))) slugs.add(r.getString("slug"));
              }
              return answer(address, notify, slugs);
            });
  }

  /**
   * The preferences as the human set them ({@code rooms} by slug), the defaults where unset, plus
   * what they lead to: the address e-mail goes to and whether it will be sent at all.
   */
  private Reply answer(String address, JsonObject notify, Object rooms) {
    JsonObject email =
        notify == null || notify.getJsonObject("email") == null
            ? new JsonObject()
            : notify.getJsonObject("email");
    boolean enabled = email.getValue("enabled") instanceof Boolean b ? b : true;
    boolean smtp = deps.config().mailEnabled();
    return Reply.ok(
        new JsonObject()
            .put(
                "email",
                new JsonObject()
                    .put("enabled", enabled)
                    .put("rooms", rooms)
                    .put("min_risk", email.getString("min_risk", "low"))
                    .put("address", address)
                    .put("active", smtp && enabled && address != null)));
  }
}
