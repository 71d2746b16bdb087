package io.waitroom.rooms;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Room storage, always scoped to one org. */
public final class RoomRepository {
  private RoomRepository() {}

  /** The room by slug or id in the caller's org; 404 otherwise; 403 outside an agent's scopes. */
  public static Future<Room> visible(SqlClient db, Actor actor, String ref) {
    return find(db, actor.orgId(), ref)
        .map(
            room -> {
              if (room == null) throw ApiException.notFound("room");
              if (actor instanceof Actor.Agent a && !a.mayUseRoom(room.id())) {
                throw ApiException.forbidden("this agent key is not scoped to room " + room.slug());
              }
              return room;
            });
  }

  public static Future<Room> find(SqlClient db, String orgId, String ref) {
    if (ref == null || ref.isEmpty() || ref.length() > 200) return Future.succeededFuture(null);
    return db.preparedQuery(RoomSql.BY_REF)
        .execute(Tuple.of(orgId, ref))
        .map(rows -> rows.size() == 0 ? null : Room.fromRow(rows.iterator().next()));
  }

  /** Inserts with this slug; null when the slug is taken in the org. */
  static Future<Room> insert(
      SqlClient db,
      String orgId,
      String slug,
      String name,
      String description,
      JsonObject policies,
      String createdBy) {
    return db.preparedQuery(RoomSql.INSERT)
        .execute(
            Tuple.from(
                new Object[] {
                  Ids.next(Ids.ROOM), orgId, slug, name, description, policies, createdBy
                }))
        .map(rows -> rows.size() == 0 ? null : Room.fromRow(rows.iterator().next()));
  }

  static Future<RowSet<Row>> list(
      SqlClient db, String orgId, String after, String[] scopes, int fetch) {
    return db.preparedQuery(RoomSql.LIST).execute(Tuple.of(orgId, after, scopes, fetch));
  }

  static Future<Room> setPolicies(SqlClient db, String orgId, String roomId, JsonObject policies) {
    return db.preparedQuery(RoomSql.SET_POLICIES)
        .execute(Tuple.of(orgId, roomId, policies))
        .map(rows -> rows.size() == 0 ? null : Room.fromRow(rows.iterator().next()));
  }

  /** Maps each given slug or id to its room id; a missing one is absent from the map. */
  public static Future<Map<String, String>> idsByRefs(
      SqlClient db, String orgId, List<String> refs) {
    return db.preparedQuery(RoomSql.IDS_BY_REFS)
        // Not Tuple.of(orgId, array): the array would be spread into the varargs.
        .execute(Tuple.tuple().addString(orgId).addArrayOfString(refs.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, String> out = new HashMap<>();
              for (Row r : rows) {
                out.put(r.getString("id"), r.getString("id"));
                out.put(r.getString("slug"), r.getString("id"));
              }
              return out;
            });
  }
}
