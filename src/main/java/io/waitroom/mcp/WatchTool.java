package io.waitroom.mcp;

import static io.waitroom.mcp.Schemas.enumOf;
import static io.waitroom.mcp.Schemas.eventTypes;
import static io.waitroom.mcp.Schemas.obj;
import static io.waitroom.mcp.Schemas.object;
import static io.waitroom.mcp.Schemas.prop;
import static io.waitroom.mcp.Schemas.roomSchema;
import static io.waitroom.mcp.Schemas.tool;
import static io.waitroom.mcp.Schemas.typed;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code waitroom_watch}: a watcher on a room, through the API. */
record WatchTool(LoopbackApi api) implements Tool {
  static final String NAME = "waitroom_watch";

  static JsonObject definition() {
    return tool(
        NAME,
        "Watch a room",
        "Subscribe to events in a room (decisions, signals, new check-ins). With"
            + " webhook_url, matching events are POSTed there, signed with the returned"
            + " secret (shown only once); without it the watcher only records"
            + " watcher.triggered events in the room.",
        object(
            List.of("room"),
            prop("room", roomSchema()),
            prop(
                "event_types",
                new JsonObject()
                    .put("type", "array")
                    .put("maxItems", 50)
                    .put("items", enumOf(eventTypes(), null))
                    .put("description", "Event types to watch; empty or absent = all.")),
            prop(
                "filter",
                obj("Every key must equal the event data's field (dotted paths allowed).")),
            prop(
                "webhook_url",
                new JsonObject()
                    .put("type", "string")
                    .put("format", "uri")
                    .put("maxLength", 2000)
                    .put("description", "http(s) URL to deliver matching events to."))),
        object(
            List.of("id", "room_id"),
            prop("id", typed("string")),
            prop("room_id", typed("string")),
            prop("secret", typed("string")),
            prop("event_types", typed("array")),
            prop("is_active", typed("boolean"))),
        false,
        false,
        false);
  }

  @Override
  public Future<JsonObject> run(JsonObject args, ToolCalls.Call call) {
    // Not idempotent in the API: a 503 is not retried (it may have made the watcher).
    return ToolCalls.write(api, call, ToolCalls.room(args) + "/watch", args, "room", null)
        .map(w -> ToolResults.ok(text(w), w));
  }

  private static String text(JsonObject w) {
    return "Watcher "
        + w.getString("id")
        + " is active"
        + (w.getString("webhook_url") == null
            ? ""
            : " and delivers to " + w.getString("webhook_url"))
        + ". Keep its secret to verify deliveries; it is not shown again.";
  }
}
