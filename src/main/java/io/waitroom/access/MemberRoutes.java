package io.waitroom.access;

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
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Time;
import io.waitroom.validation.Fields;
import java.util.Set;

/**
 * A room's members: its creator ({@code owner}) and the humans admins or the owner add as {@code
 * approver} or {@code viewer}. Once a room has an approver member, only its approver members and
 * its owner may decide, vote and review there (enforced in the decision's statement, {@link
 * AccessSql#mayDecide}); its notifications go to them.
 */
public final class MemberRoutes {
  static final Set<String> MEMBER_ROLES = Set.of("approver", "viewer");

  private final Deps deps;

  private MemberRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    MemberRoutes r = new MemberRoutes(deps);
    router.get("/v1/rooms/:room/members").handler(Http.handle(r::list));
    router.put("/v1/rooms/:room/members/:human_id").handler(Http.handle(r::put));
    router.delete("/v1/rooms/:room/members/:human_id").handler(Http.handle(r::remove));
  }

  static JsonObject json(Row r) {
    return new JsonObject()
        .put("human_id", r.getString("user_id"))
        .put("name", r.getString("name"))
        .put("email", r.getString("email"))
        .put("role", r.getString("role"))
        .put("org_role", r.getString("org_role"))
        .put("added_by", r.getString("added_by"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")));
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(
            room ->
                deps.pool()
                    .preparedQuery(AccessSql.MEMBERS)
                    .execute(Tuple.of(room.id()))
                    .map(
                        rows -> {
                          JsonArray out = new JsonArray();
                          rows.forEach(r -> out.add(json(r)));
                          return Reply.ok(
                              new JsonObject()
                                  .put("room_id", room.id())
                                  .put("members", out)
                                  .put(
                                      "restricted",
                                      out.stream()
                                          .anyMatch(
                                              m ->
                                                  "approver"
                                                      .equals(
                                                          ((JsonObject) m).getString("role")))));
                        }));
  }

  private Future<Reply> put(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String role = Fields.requiredEnum(Requests.body(ctx), "role", "role", MEMBER_ROLES);
    String target = ctx.pathParam("human_id");
    return manageable(ctx, human)
        .compose(
            room ->
                Tx.run(
                    deps.vertx(),
                    deps.pool(),
                    tx ->
                        humanOfOrg(tx, human, target)
                            .compose(
                                t ->
                                    tx.conn()
                                        .preparedQuery(AccessSql.PUT_MEMBER)
                                        .execute(Tuple.of(room.id(), target, role, human.id())))
                            .compose(
                                rows -> {
                                  if (rows.size() == 0) throw ownerIsFixed();
                                  Row r = rows.iterator().next();
                                  JsonObject m =
                                      new JsonObject()
                                          .put("room_id", room.id())
                                          .put("human_id", target)
                                          .put("role", r.getString("role"))
                                          .put("added_by", r.getString("added_by"))
                                          .put(
                                              "created_at",
                                              Time.iso(r.getOffsetDateTime("created_at")));
                                  return tx.audit(
                                          human, room.id(), "member.set", "human", target, m)
                                      .map(v -> Reply.ok(m));
                                })));
  }

  private Future<Reply> remove(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String target = ctx.pathParam("human_id");
    return manageable(ctx, human)
        .compose(
            room ->
                Tx.run(
                    deps.vertx(),
                    deps.pool(),
                    tx ->
                        tx.conn()
                            .preparedQuery(AccessSql.DELETE_MEMBER)
                            .execute(Tuple.of(room.id(), target))
                            .compose(
                                rows -> {
                                  if (rows.size() == 1) {
                                    JsonObject m =
                                        new JsonObject()
                                            .put("room_id", room.id())
                                            .put("human_id", target)
                                            .put("role", rows.iterator().next().getString("role"));
                                    return tx.audit(
                                            human, room.id(), "member.removed", "human", target, m)
                                        .map(v -> Reply.ok(m.put("removed", true)));
                                  }
                                  return tx.conn()
                                      .preparedQuery(AccessSql.MEMBER_ROLE)
                                      .execute(Tuple.of(room.id(), target))
                                      .map(
                                          found -> {
                                            if (found.size() == 1) throw ownerIsFixed();
                                            throw ApiException.notFound("member");
                                          });
                                })));
  }

  /** The room, if the caller is an admin or the room's owner; 404 outside the org, else 403. */
  private Future<Room> manageable(RoutingContext ctx, Actor.Human human) {
    Role role = ctx.get(RoleGate.ROLE);
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(
            room -> {
              if (role == Role.ADMIN) return Future.succeededFuture(room);
              return deps.pool()
                  .preparedQuery(AccessSql.IS_OWNER)
                  .execute(Tuple.of(room.id(), human.id()))
                  .map(
                      rows -> {
                        if (rows.size() == 0) {
                          throw new ApiException(
                              403,
                              "FORBIDDEN",
                              "changing a room's members needs the admin role or owning the room;"
                                  + " you are "
                                  + (role == null ? "viewer" : role.wire()),
                              new JsonObject().put("required_role", "admin"));
                        }
                        return room;
                      });
            });
  }

  /** The human {@code id} of the caller's org; 404 for anyone else's. */
  static Future<Row> humanOfOrg(Tx tx, Actor.Human caller, String id) {
    if (id == null || id.length() > 100) return Future.failedFuture(ApiException.notFound("human"));
    return tx.conn()
        .preparedQuery(AccessSql.HUMAN)
        .execute(Tuple.of(id, caller.orgId()))
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("human");
              return rows.iterator().next();
            });
  }

  private static ApiException ownerIsFixed() {
    return ApiException.conflict(
        "this human owns the room: the owner is always a member and may always decide there");
  }
}
