package io.waitroom.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Task-flow steps for tests, each through the public API. */
final class Tasks {
  private Tasks() {}

  static Res post(Fixtures f, JsonObject body) {
    return f.api.post("/v1/rooms/" + f.roomSlug + "/tasks", f.human, body);
  }

  static JsonObject task(Fixtures f, String action) {
    Res r = post(f, new JsonObject().put("action", action));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static Res verb(Api api, String id, String verb, String credential) {
    return api.post("/v1/check-ins/" + id + "/" + verb, credential, null);
  }

  /** A task claimed by {@code key}. */
  static String claimed(Fixtures f, String key, String action) {
    String id = task(f, action).getString("id");
    Res r = verb(f.api, id, "claim", key);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return id;
  }

  static Res message(Api api, String id, String credential, JsonObject body) {
    return api.post("/v1/check-ins/" + id + "/messages", credential, body);
  }

  static Res say(Api api, String id, String credential, String type, String body) {
    return message(
        api, id, credential, new JsonObject().put("message_type", type).put("body", body));
  }

  static JsonObject get(Api api, String id, String credential) {
    Res r = api.get("/v1/check-ins/" + id, credential);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data();
  }

  static String status(Api api, String id, String credential) {
    return get(api, id, credential).getString("status");
  }

  static List<String> participants(Api api, String id, String credential) {
    List<String> out = new ArrayList<>();
    JsonArray p = get(api, id, credential).getJsonArray("participants");
    for (Object o : p) {
      JsonObject j = (JsonObject) o;
      out.add(j.getString("role") + ":" + j.getString("agent_id"));
    }
    return out;
  }

  /** One stored room event: its type and data. */
  record Event(long id, String type, JsonObject data) {}

  /** The room's event log, in id order, straight from the table the streams replay. */
  static List<Event> events(String databaseUrl, String roomId) {
    String db = databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1);
    try (Connection c = TestDb.instance().getDatabase("postgres", db).getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT id, type, data::text FROM room_events WHERE room_id = ? ORDER BY id")) {
      s.setString(1, roomId);
      List<Event> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Event(rs.getLong(1), rs.getString(2), new JsonObject(rs.getString(3))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The types of the events about one check-in (by {@code data.id} or {@code data.check_in_id}).
   */
  static List<String> eventTypes(String databaseUrl, String roomId, String checkInId) {
    return events(databaseUrl, roomId).stream()
        .filter(
            e ->
                checkInId.equals(e.data().getString("id"))
                    || checkInId.equals(e.data().getString("check_in_id")))
        .map(Event::type)
        .toList();
  }

  static long count(String databaseUrl, String sql) {
    return TestDb.queryLong(databaseUrl, sql);
  }
}
