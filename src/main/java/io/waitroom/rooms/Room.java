package io.waitroom.rooms;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.util.Time;

/** A room as stored. */
public record Room(
    String id,
    String orgId,
    String slug,
    String name,
    String description,
    JsonObject policies,
    String createdBy,
    String createdAt,
    String updatedAt) {

  public static Room fromRow(Row r) {
    return new Room(
        r.getString("id"),
        r.getString("org_id"),
        r.getString("slug"),
        r.getString("name"),
        r.getString("description"),
        (JsonObject) r.getValue("policies"),
        r.getString("created_by"),
        Time.iso(r.getOffsetDateTime("created_at")),
        Time.iso(r.getOffsetDateTime("updated_at")));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("org_id", orgId)
        .put("slug", slug)
        .put("name", name)
        .put("description", description)
        .put("policies", policies)
        .put("created_by", createdBy)
        .put("created_at", createdAt)
        .put("updated_at", updatedAt);
  }
}
