package io.waitroom.grants;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.policy.Conditions;
import io.waitroom.rooms.InRoom;
import io.waitroom.util.Ids;
import io.waitroom.validation.Fields;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** {@code /v1/rooms/:room/grants}: standing grants, created, listed and revoked by humans. */
public final class GrantRoutes {
  static final Duration MAX_LIFETIME = Duration.ofDays(30);
  // Clients compute "30 days from now" on their own clocks; a minute of skew is forgiven.
  private static final Duration SKEW = Duration.ofMinutes(1);
  static final int MAX_USES = 100_000;

  private final Deps deps;

  private GrantRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    GrantRoutes r = new GrantRoutes(deps);
    Routes.on(router)
        .post("/v1/rooms/:room/grants", r::create)
        .get("/v1/rooms/:room/grants", r::list)
        .delete("/v1/rooms/:room/grants/:id", r::revoke);
  }

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    JsonObject conditions = Fields.requiredObject(body, "conditions");
    Conditions parsed = Conditions.parse(conditions, "conditions");
    Integer maxUses = Fields.optionalInt(body, "max_uses", 1, MAX_USES);
    String reason = Fields.optionalString(body, "reason", 2000);
    OffsetDateTime expiresAt = expiresAt(body.getValue("expires_at"));
    return InRoom.change(
        deps,
        human,
        ctx.pathParam("room"),
        (room, tx) ->
            tx.conn()
                .preparedQuery(GrantSql.INSERT)
                .execute(
                    Tuple.from(
                        new Object[] {
                          Ids.next(Ids.GRANT),
                          human.orgId(),
                          room.id(),
                          parsed.toJson(),
                          reason,
                          maxUses,
                          expiresAt,
                          human.id()
                        }))
                .map(rows -> Grant.fromRow(rows.iterator().next()))
                .compose(
                    g ->
                        tx.audit(human, room.id(), "grant.created", "grant", g.id(), g.toJson())
                            .map(v -> Reply.created(g.toJson()))));
  }

  /** Required, an ISO-8601 timestamp with an offset, in the future, at most 30 days ahead. */
  static OffsetDateTime expiresAt(Object value) {
    if (value == null) throw ApiException.validation("expires_at", "is required");
    if (!(value instanceof String s)) {
      throw ApiException.validation("expires_at", "must be an ISO-8601 timestamp");
    }
    OffsetDateTime at;
    try {
      at = OffsetDateTime.parse(s);
    } catch (DateTimeParseException e) {
      throw ApiException.validation(
          "expires_at", "must be an ISO-8601 timestamp with an offset, e.g. 2030-01-01T00:00:00Z");
    }
    OffsetDateTime now = OffsetDateTime.now();
    if (!at.isAfter(now)) throw ApiException.validation("expires_at", "must be in the future");
    if (at.isAfter(now.plus(MAX_LIFETIME).plus(SKEW))) {
      throw ApiException.validation("expires_at", "must be at most 30 days ahead");
    }
    return at;
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return InRoom.page(ctx, deps, human, "grants", GrantSql.LIST, r -> Grant.fromRow(r).toJson());
  }

  private Future<Reply> revoke(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String id = ctx.pathParam("id");
    return InRoom.change(
        deps,
        human,
        ctx.pathParam("room"),
        (room, tx) ->
            tx.conn()
                .preparedQuery(GrantSql.REVOKE)
                .execute(Tuple.of(id, human.orgId(), room.id(), human.id()))
                .compose(
                    rows -> {
                      if (rows.size() == 0) return explainMiss(tx, human, room.id(), id);
                      Grant g = Grant.fromRow(rows.iterator().next());
                      return tx.audit(
                              human, room.id(), "grant.revoked", "grant", g.id(), g.toJson())
                          .map(v -> Reply.ok(g.toJson()));
                    }));
  }

  private static Future<Reply> explainMiss(Tx tx, Actor.Human human, String roomId, String id) {
    return tx.conn()
        .preparedQuery(GrantSql.BY_ID)
        .execute(Tuple.of(id, human.orgId(), roomId))
        .compose(
            rows ->
                Future.failedFuture(
                    rows.size() == 0
                        ? ApiException.notFound("grant")
                        : ApiException.conflict("the grant is already revoked")));
  }
}
