package io.waitroom.rooms;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.db.Tx;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the routes of things that live in a room ({@code /v1/rooms/:room/...}: grants, watchers)
 * share: the room by slug or id as the caller may see it (another org's is 404), then one
 * transaction in it, or one page of its rows.
 */
public final class InRoom {
  private InRoom() {}

  /** Runs {@code work} in one transaction, in the room {@code ref} names. */
  public static <T> Future<T> change(
      Deps deps, Actor actor, String ref, BiFunction<Room, Tx, Future<T>> work) {
    return RoomRepository.visible(deps.pool(), actor, ref)
        .compose(room -> Tx.run(deps.vertx(), deps.pool(), tx -> work.apply(room, tx)));
  }

  /**
   * A page of the room's {@code kind} (the cursor's scope), newest last: {@code sql} takes the org,
   * the room, the cursor's id and the row count, and lists by {@code id}.
   */
  public static Future<Reply> page(
      RoutingContext ctx,
      Deps deps,
      Actor actor,
      String kind,
      String sql,
      Function<Row, JsonObject> json) {
    return RoomRepository.visible(deps.pool(), actor, ctx.pathParam("room"))
        .compose(
            room -> {
              String scope = kind + ":" + room.id();
              Paging page = Paging.of(ctx, scope, 50);
              return deps.pool()
                  .preparedQuery(sql)
                  .execute(Tuple.of(actor.orgId(), room.id(), page.after(), page.fetch()))
                  .map(rows -> page.reply(rows, scope, json, "id"));
            });
  }
}
