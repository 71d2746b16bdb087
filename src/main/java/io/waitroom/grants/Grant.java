package io.waitroom.grants;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.util.Time;

/** A standing grant as stored: conditions under which a room approves without asking. */
public record Grant(
    String id,
    String roomId,
    JsonObject conditions,
    String reason,
    Integer maxUses,
    int uses,
    String expiresAt,
    String createdBy,
    String createdAt,
    String revokedAt,
    String revokedBy) {

  static final String COLUMNS =
      "id, room_id, conditions, reason, max_uses, uses, expires_at, created_by, created_at,"
          + " revoked_at, revoked_by";

  static Grant fromRow(Row r) {
    return new Grant(
        r.getString("id"),
        r.getString("room_id"),
        (JsonObject) r.getValue("conditions"),
        r.getString("reason"),
        r.getInteger("max_uses"),
        r.getInteger("uses"),
        Time.iso(r.getOffsetDateTime("expires_at")),
        r.getString("created_by"),
        Time.iso(r.getOffsetDateTime("created_at")),
        Time.iso(r.getOffsetDateTime("revoked_at")),
        r.getString("revoked_by"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("room_id", roomId)
        .put("conditions", conditions)
        .put("reason", reason)
        .put("max_uses", maxUses)
        .put("uses", uses)
        .put("remaining_uses", maxUses == null ? null : Math.max(0, maxUses - uses))
        .put("expires_at", expiresAt)
        .put("created_by", createdBy)
        .put("created_at", createdAt)
        .put("revoked_at", revokedAt)
        .put("revoked_by", revokedBy);
  }
}
