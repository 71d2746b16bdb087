package io.waitroom.rooms;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.bus.Addresses;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.policy.PolicyDocument;
import io.waitroom.util.Ids;
import io.waitroom.validation.Fields;
import java.util.Locale;

/** {@code /v1/rooms}: create, list, read, and replace policies. */
public final class RoomRoutes {
  private final Deps deps;

  private RoomRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    RoomRoutes r = new RoomRoutes(deps);
    Routes.on(router)
        .post("/v1/rooms", r::create)
        .get("/v1/rooms", r::list)
        .get("/v1/rooms/:room", r::get)
        .put("/v1/rooms/:room/policies", r::putPolicies);
  }

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    String name = Fields.requiredString(body, "name", 1, 200);
    String slug = Fields.optionalString(body, "slug", 100);
    if (slug != null && !Fields.isSlug(slug)) {
      throw ApiException.validation(
          "slug", "must be lowercase letters and digits separated by single hyphens (1-100)");
    }
    String description = Fields.optionalString(body, "description", 2000);
    JsonObject partial = Fields.optionalObject(body, "policies", new JsonObject());
    JsonObject policies = PolicyDocument.mergeOntoDefaults(partial, "policies.").toJson();
    String explicit = slug;
    String base = slug != null ? slug : slugify(name);
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                insertWithFreeSlug(
                        tx, human, base, explicit != null, 1, name, description, policies)
                    .compose(
                        room ->
                            tx.conn()
                                .preparedQuery(RoomSql.ADD_OWNER)
                                .execute(io.vertx.sqlclient.Tuple.of(room.id(), human.id()))
                                .compose(
                                    v ->
                                        tx.audit(
                                            human,
                                            room.id(),
                                            "room.created",
                                            "room",
                                            room.id(),
                                            room.toJson()))
                                .map(room)))
        .map(room -> Reply.created(room.toJson()));
  }

  private Future<Room> insertWithFreeSlug(
      Tx tx,
      Actor.Human human,
      String base,
      boolean explicit,
      int attempt,
      String name,
      String description,
      JsonObject policies) {
    String slug =
        attempt == 1
            ? base
            : attempt <= 10
                ? base + "-" + attempt
                : base + "-" + Ids.secret("", 6).toLowerCase(Locale.ROOT);
    return RoomRepository.insert(
            tx.conn(), human.orgId(), slug, name, description, policies, human.id())
        .compose(
            room -> {
              if (room != null) return Future.succeededFuture(room);
              if (explicit) {
                return Future.failedFuture(
                    ApiException.conflict("slug '" + slug + "' is already taken in this org"));
              }
              if (attempt > 20) {
                return Future.failedFuture(ApiException.conflict("could not find a free slug"));
              }
              return insertWithFreeSlug(
                  tx, human, base, false, attempt + 1, name, description, policies);
            });
  }

  /** Lowercase ASCII letters and digits, other runs become one hyphen; leaves room for a suffix. */
  static String slugify(String name) {
    StringBuilder sb = new StringBuilder();
    for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (alnum) sb.append(c);
      else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '-') sb.append('-');
      if (sb.length() >= 90) break;
    }
    while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '-') sb.setLength(sb.length() - 1);
    return sb.length() == 0 ? "room" : sb.toString();
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    String scope = "rooms:" + actor.orgId();
    Paging page = Paging.of(ctx, scope, 50);
    String[] scopes =
        actor instanceof Actor.Agent a && !a.roomScopes().isEmpty()
            ? a.roomScopes().toArray(String[]::new)
            : null;
    return RoomRepository.list(deps.pool(), actor.orgId(), page.after(), scopes, page.fetch())
        .map(rows -> page.reply(rows, scope, r -> Room.fromRow(r).toJson(), "id"));
  }

  private Future<Reply> get(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    return RoomRepository.visible(deps.pool(), actor, ctx.pathParam("room"))
        .map(room -> Reply.ok(room.toJson()));
  }

  private Future<Reply> putPolicies(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    // Both {"policies": {...}} (the API reference) and the bare document (SPEC 6) are accepted.
    boolean wrapped = body.getValue("policies") instanceof JsonObject;
    JsonObject doc = wrapped ? body.getJsonObject("policies") : body;
    JsonObject policies = PolicyDocument.parse(doc, wrapped ? "policies." : "").toJson();
    // The "before" of the audit row is read under the row lock, in the transaction of the update:
    // read earlier, two concurrent replacements would both record the same "before".
    return InRoom.change(
            deps,
            human,
            ctx.pathParam("room"),
            (room, tx) ->
                tx.conn()
                    .preparedQuery(RoomSql.POLICIES_FOR_UPDATE)
                    .execute(io.vertx.sqlclient.Tuple.of(human.orgId(), room.id()))
                    .compose(
                        locked -> {
                          JsonObject before =
                              (JsonObject) locked.iterator().next().getValue("policies");
                          return RoomRepository.setPolicies(
                                  tx.conn(), human.orgId(), room.id(), policies)
                              .compose(
                                  updated ->
                                      tx.audit(
                                              human,
                                              room.id(),
                                              "room.policies_updated",
                                              "room",
                                              room.id(),
                                              new JsonObject()
                                                  .put("before", before)
                                                  .put("after", policies))
                                          .map(updated));
                        }))
        .map(
            updated -> {
              deps.vertx().eventBus().publish(Addresses.POLICY_INVALIDATE, updated.id());
              return Reply.ok(updated.toJson());
            });
  }
}
