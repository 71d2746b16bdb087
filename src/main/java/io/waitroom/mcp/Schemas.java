package io.waitroom.mcp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import io.waitroom.events.EventTypes;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The JSON Schema pieces the tools' definitions are written with (one tool per class). */
final class Schemas {
  private Schemas() {}

  /** A tool as {@code tools/list} describes it, with its annotations. */
  static JsonObject tool(
      String name,
      String title,
      String description,
      JsonObject input,
      JsonObject output,
      boolean readOnly,
      boolean destructive,
      boolean idempotent) {
    return new JsonObject()
        .put("name", name)
        .put("title", title)
        .put("description", description)
        .put("inputSchema", input)
        .put("outputSchema", output)
        .put(
            "annotations",
            new JsonObject()
                .put("title", title)
                .put("readOnlyHint", readOnly)
                .put("destructiveHint", destructive)
                .put("idempotentHint", idempotent)
                .put("openWorldHint", false));
  }

  static JsonObject checkInOutput() {
    JsonArray nullableString = new JsonArray().add("string").add("null");
    return new JsonObject()
        .put("type", "object")
        .put(
            "required",
            new JsonArray()
                .add("id")
                .add("room_id")
                .add("status")
                .add("action")
                .add("urgency")
                .add("escalation_level"))
        .put(
            "properties",
            new JsonObject()
                .put("id", new JsonObject().put("type", "string"))
                .put("room_id", new JsonObject().put("type", "string"))
                .put("action", new JsonObject().put("type", "string"))
                .put(
                    "status",
                    enumOf(
                        Set.of(
                            "pending",
                            "approved",
                            "rejected",
                            "modified",
                            "expired",
                            "withdrawn",
                            "in_progress",
                            "submitted"),
                        null))
                .put("decision_reason", new JsonObject().put("type", nullableString))
                .put(
                    "modifications",
                    new JsonObject().put("type", new JsonArray().add("object").add("null")))
                .put("expires_at", new JsonObject().put("type", nullableString))
                .put(
                    "payload_hash",
                    new JsonObject()
                        .put("type", "string")
                        .put(
                            "description",
                            "sha256: + hex of SHA-256 over the RFC 8785 canonical JSON of"
                                + " {action, description, risk_level, urgency, context}."))
                .put(
                    "receipt",
                    new JsonObject()
                        .put("type", nullableString)
                        .put(
                            "description",
                            "The decision's signed receipt (compact JWS, EdDSA; keys at"
                                + " /.well-known/jwks.json); null until decided."))
                .put("urgency", enumOf(CheckIn.URGENCIES, "Raised by escalation steps."))
                .put(
                    "escalation_level",
                    new JsonObject()
                        .put("type", "integer")
                        .put("minimum", 0)
                        .put("description", "Escalation steps fired so far (0 before the first)."))
                .put(
                    "quorum",
                    new JsonObject()
                        .put("type", new JsonArray().add("object").add("null"))
                        .put(
                            "description",
                            "N-of-M approval: required, approvers (null: any human), reject"
                                + " (any | majority); null when one human decides.")
                        .put(
                            "properties",
                            new JsonObject()
                                .put("required", new JsonObject().put("type", "integer"))
                                .put(
                                    "approvers",
                                    new JsonObject()
                                        .put("type", new JsonArray().add("array").add("null")))
                                .put("reject", enumOf(Set.of("any", "majority"), null))))
                .put(
                    "votes",
                    new JsonObject()
                        .put("type", new JsonArray().add("array").add("null"))
                        .put("description", "A quorum check-in's votes, oldest first.")
                        .put(
                            "items",
                            new JsonObject()
                                .put("type", "object")
                                .put(
                                    "required",
                                    new JsonArray().add("voter").add("verdict").add("at"))
                                .put(
                                    "properties",
                                    new JsonObject()
                                        .put("voter", new JsonObject().put("type", "string"))
                                        .put(
                                            "verdict",
                                            enumOf(
                                                Set.of("approved", "rejected", "modified"), null))
                                        .put("reason", new JsonObject().put("type", nullableString))
                                        .put(
                                            "modifications",
                                            new JsonObject()
                                                .put(
                                                    "type",
                                                    new JsonArray().add("object").add("null")))
                                        .put("at", new JsonObject().put("type", "string")))))
                .put(
                    "approvals_needed",
                    new JsonObject()
                        .put("type", new JsonArray().add("integer").add("null"))
                        .put("minimum", 0)
                        .put(
                            "description",
                            "Approvals still missing; 0 once decided; null without a quorum.")));
  }

  static JsonObject roomSchema() {
    return idSchema("The room's slug or id (see waitroom_list_rooms).");
  }

  static JsonObject idSchema(String description) {
    return new JsonObject()
        .put("type", "string")
        .put("minLength", 1)
        .put("maxLength", 100)
        .put("pattern", ToolCalls.PATH_SEGMENT.pattern())
        .put("description", description);
  }

  static JsonObject waitSchema(int min, int dflt) {
    return integer(
            min,
            McpTools.MAX_WAIT_SECONDS,
            "How long to wait for a decision, in seconds (default " + dflt + ").")
        .put("default", dflt);
  }

  static Set<String> eventTypes() {
    Set<String> all = new TreeSet<>(EventTypes.CANONICAL);
    all.add("checkin.decided"); // approved + rejected + modified
    return all;
  }

  static Object[] prop(String name, JsonObject schema) {
    return new Object[] {name, schema};
  }

  static JsonObject object(List<String> required, Object[]... props) {
    JsonObject p = new JsonObject();
    for (Object[] kv : props) p.put((String) kv[0], kv[1]);
    JsonObject o = new JsonObject().put("type", "object").put("properties", p);
    if (!required.isEmpty()) o.put("required", new JsonArray(required));
    return o;
  }

  static JsonObject str(int min, int max, String description) {
    JsonObject s = new JsonObject().put("type", "string").put("maxLength", max);
    if (min > 0) s.put("minLength", min);
    return s.put("description", description);
  }

  static JsonObject integer(int min, int max, String description) {
    return new JsonObject()
        .put("type", "integer")
        .put("minimum", min)
        .put("maximum", max)
        .put("description", description);
  }

  /** A bare {@code {"type": ...}}. */
  static JsonObject typed(String type) {
    return new JsonObject().put("type", type);
  }

  static JsonObject obj(String description) {
    return new JsonObject().put("type", "object").put("description", description);
  }

  static JsonObject enumOf(Set<String> values, String description) {
    JsonObject e =
        new JsonObject()
            .put("type", "string")
            .put("enum", new JsonArray(List.copyOf(new TreeSet<>(values))));
    if (description != null) e.put("description", description);
    return e;
  }
}
