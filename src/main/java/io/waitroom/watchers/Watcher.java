package io.waitroom.watchers;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.util.Time;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A watcher as stored. {@code eventTypes} are what the agent sent (aliases kept); {@code
 * matchTypes} their canonical expansion, empty meaning every type. The signing secret is not part
 * of it: it is shown once at creation and read only by the delivery worker.
 */
public record Watcher(
    String id,
    String orgId,
    String roomId,
    String agentId,
    List<String> eventTypes,
    Set<String> matchTypes,
    JsonObject filter,
    String webhookUrl,
    boolean active,
    OffsetDateTime createdAt,
    OffsetDateTime removedAt,
    String removedBy) {

  static final String COLUMNS =
      "id, org_id, room_id, agent_id, event_types, match_types, filter, webhook_url, is_active,"
          + " created_at, removed_at, removed_by";

  static Watcher fromRow(Row r) {
    return new Watcher(
        r.getString("id"),
        r.getString("org_id"),
        r.getString("room_id"),
        r.getString("agent_id"),
        Arrays.asList(r.getArrayOfStrings("event_types")),
        new LinkedHashSet<>(Arrays.asList(r.getArrayOfStrings("match_types"))),
        (JsonObject) r.getValue("filter"),
        r.getString("webhook_url"),
        r.getBoolean("is_active"),
        r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("removed_at"),
        r.getString("removed_by"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("org_id", orgId)
        .put("room_id", roomId)
        .put("agent_id", agentId)
        .put("event_types", new JsonArray(List.copyOf(eventTypes)))
        .put("filter", filter)
        .put("webhook_url", webhookUrl)
        .put("is_active", active)
        .put("created_at", Time.iso(createdAt))
        .put("removed_at", Time.iso(removedAt))
        .put("removed_by", removedBy);
  }
}
