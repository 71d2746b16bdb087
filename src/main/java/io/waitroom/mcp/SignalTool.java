package io.waitroom.mcp;

import static io.waitroom.mcp.Schemas.obj;
import static io.waitroom.mcp.Schemas.object;
import static io.waitroom.mcp.Schemas.prop;
import static io.waitroom.mcp.Schemas.roomSchema;
import static io.waitroom.mcp.Schemas.str;
import static io.waitroom.mcp.Schemas.tool;
import static io.waitroom.mcp.Schemas.typed;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code waitroom_signal}: a signal broadcast to a room, through the API. */
record SignalTool(LoopbackApi api) implements Tool {
  static final String NAME = "waitroom_signal";

  static JsonObject definition() {
    return tool(
        NAME,
        "Broadcast a signal",
        "Broadcast a signal (a typed message with a JSON payload) to everyone watching a"
            + " room, e.g. to announce that a deploy finished or a config changed.",
        object(
            List.of("room", "type"),
            prop("room", roomSchema()),
            prop("type", str(1, 200, "The signal type, e.g. 'config_update'.")),
            prop("payload", obj("The signal's data (at most 10 KB)."))),
        object(
            List.of("id", "type"),
            prop("id", typed("string")),
            prop("room_id", typed("string")),
            prop("type", typed("string")),
            prop("payload", typed("object"))),
        false,
        false,
        false);
  }

  @Override
  public Future<JsonObject> run(JsonObject args, ToolCalls.Call call) {
    return ToolCalls.write(
            api, call, ToolCalls.room(args) + "/signal", args, "room", ToolCalls.newKey())
        .map(
            s ->
                ToolResults.ok(
                    "Signal "
                        + s.getString("id")
                        + " ("
                        + s.getString("type")
                        + ") broadcast to the room.",
                    s));
  }
}
