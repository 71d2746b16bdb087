package io.waitroom.mcp;

import static io.waitroom.mcp.Schemas.integer;
import static io.waitroom.mcp.Schemas.object;
import static io.waitroom.mcp.Schemas.prop;
import static io.waitroom.mcp.Schemas.tool;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.validation.Fields;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code waitroom_list_rooms}: a page of the org's rooms, through the API. */
record ListRoomsTool(LoopbackApi api) implements Tool {
  static final String NAME = "waitroom_list_rooms";

  static JsonObject definition() {
    return tool(
        NAME,
        "List rooms",
        "List the rooms of your organization (their slugs are what the other tools take as"
            + " room). Call this first when you do not know which room to use.",
        object(
            List.of(),
            prop("limit", integer(1, 100, "Page size (default 50).")),
            prop(
                "cursor",
                new JsonObject()
                    .put("type", "string")
                    .put("description", "The cursor of the previous page."))),
        new JsonObject()
            .put("type", "object")
            .put("required", new JsonArray().add("rooms").add("has_more"))
            .put(
                "properties",
                new JsonObject()
                    .put(
                        "rooms",
                        new JsonObject()
                            .put("type", "array")
                            .put(
                                "items",
                                new JsonObject()
                                    .put("type", "object")
                                    .put(
                                        "required",
                                        new JsonArray().add("id").add("slug").add("name"))))
                    .put(
                        "cursor",
                        new JsonObject().put("type", new JsonArray().add("string").add("null")))
                    .put("has_more", new JsonObject().put("type", "boolean"))),
        true,
        false,
        true);
  }

  @Override
  public Future<JsonObject> run(JsonObject args, ToolCalls.Call call) {
    Integer limit = Fields.optionalInt(args, "limit", 1, 100);
    String cursor = Fields.optionalString(args, "cursor", 2000);
    StringBuilder path = new StringBuilder("/v1/rooms?limit=").append(limit == null ? 50 : limit);
    if (cursor != null) {
      path.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    return api.call(HttpMethod.GET, path.toString(), call.credential(), null, call.requestId())
        .map(
            a -> {
              if (!a.ok()) throw a.error();
              JsonObject out =
                  new JsonObject()
                      .put("rooms", a.body().getJsonArray("data"))
                      .put("cursor", a.body().getValue("cursor"))
                      .put("has_more", a.body().getBoolean("has_more", false));
              StringBuilder text = new StringBuilder();
              text.append(out.getJsonArray("rooms").size()).append(" room(s):");
              for (Object o : out.getJsonArray("rooms")) {
                JsonObject r = (JsonObject) o;
                text.append("\n- ")
                    .append(r.getString("slug"))
                    .append(" (")
                    .append(r.getString("name"))
                    .append(", ")
                    .append(r.getString("id"))
                    .append(')');
              }
              if (out.getBoolean("has_more")) {
                text.append("\nMore rooms: call again with cursor=")
                    .append(out.getString("cursor"));
              }
              return ToolResults.ok(text.toString(), out);
            });
  }
}
