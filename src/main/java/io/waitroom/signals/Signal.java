package io.waitroom.signals;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.util.Time;

/** A signal as stored; {@code createdBy} is the sender's {@code usr_} or {@code ag_} id. */
public record Signal(
    String id,
    String orgId,
    String roomId,
    String type,
    JsonObject payload,
    String createdBy,
    String createdByType,
    String createdAt) {

  static Signal fromRow(Row r) {
    return new Signal(
        r.getString("id"),
        r.getString("org_id"),
        r.getString("room_id"),
        r.getString("type"),
        (JsonObject) r.getValue("payload"),
        r.getString("created_by"),
        r.getString("created_by_type"),
        Time.iso(r.getOffsetDateTime("created_at")));
  }

  /** The API representation (the 201 body's {@code data}). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("room_id", roomId)
        .put("type", type)
        .put("payload", payload)
        .put("created_by", createdBy)
        .put("created_by_type", createdByType)
        .put("created_at", createdAt);
  }

  /**
   * The {@code signal.broadcast} event's data: exactly SPEC 7's {@code {id, type, payload,
   * created_by}}.
   */
  public JsonObject eventData() {
    return new JsonObject()
        .put("id", id)
        .put("type", type)
        .put("payload", payload)
        .put("created_by", createdBy);
  }
}
