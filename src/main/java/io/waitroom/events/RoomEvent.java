package io.waitroom.events;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.util.Time;

/**
 * One row of {@code room_events}: the envelope that SSE, WebSocket and webhooks all carry.
 *
 * @param id the increasing event id
 * @param orgId not on the wire; used to scope delivery
 */
public record RoomEvent(
    long id, String orgId, String roomId, String type, JsonObject data, String timestamp) {

  /** The SPEC envelope: {@code {id, event, room_id, data, timestamp}}. */
  public JsonObject envelope() {
    return new JsonObject()
        .put("id", id)
        .put("event", type)
        .put("room_id", roomId)
        .put("data", data)
        .put("timestamp", timestamp);
  }

  public JsonObject toJson() {
    return envelope().put("org_id", orgId);
  }

  /** A {@code room_events} row (id, org_id, room_id, type, data, created_at). */
  public static RoomEvent fromRow(Row r) {
    return new RoomEvent(
        r.getLong("id"),
        r.getString("org_id"),
        r.getString("room_id"),
        r.getString("type"),
        (JsonObject) r.getValue("data"),
        Time.iso(r.getOffsetDateTime("created_at")));
  }

  public static RoomEvent fromJson(JsonObject j) {
    return new RoomEvent(
        j.getLong("id"),
        j.getString("org_id"),
        j.getString("room_id"),
        j.getString("event"),
        j.getJsonObject("data"),
        j.getString("timestamp"));
  }
}
