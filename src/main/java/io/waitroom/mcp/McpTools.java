package io.waitroom.mcp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import io.waitroom.events.EventTypes;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The six tools as {@code tools/list} describes them: names from the Integrations page, input
 * schemas with the API's limits and enums, output schemas, annotations, and descriptions written
 * for a model deciding whether to call them.
 */
final class McpTools {
  static final String CHECK_IN = "waitroom_check_in";
  static final String CHECK_STATUS = "waitroom_check_status";
  static final String WATCH = "waitroom_watch";
  static final String SIGNAL = "waitroom_signal";
  static final String LIST_ROOMS = "waitroom_list_rooms";
  static final String WITHDRAW = "waitroom_withdraw";
  static final Set<String> NAMES =
      Set.of(CHECK_IN, CHECK_STATUS, WATCH, SIGNAL, LIST_ROOMS, WITHDRAW);

  /** How long {@code wait_for_decision} / {@code wait_seconds} wait: default and maximum. */
  static final int DEFAULT_WAIT_SECONDS = 50;

  static final int MAX_WAIT_SECONDS = 600;

  private McpTools() {}

  static JsonArray list() {
    return new JsonArray()
        .add(
            tool(
                CHECK_IN,
                "Check in with a human",
                "Ask a human for approval before a risky or irreversible action (deploys,"
                    + " deletions, payments, messages to customers, production changes). The room's"
                    + " policy may approve at once, forbid, or hold it for a human who approves,"
                    + " rejects or modifies it. Set wait_for_decision to true to wait here for the"
                    + " decision (up to wait_seconds, default "
                    + DEFAULT_WAIT_SECONDS
                    + ", max "
                    + MAX_WAIT_SECONDS
                    + "); otherwise poll with waitroom_check_status. Only proceed when the status"
                    + " is approved, or modified (then apply the modifications).",
                object(
                    List.of("room", "action"),
                    prop("room", roomSchema()),
                    prop(
                        "action",
                        str(
                            1,
                            500,
                            "What you want to do, in one line (e.g. 'Deploy v2 to prod').")),
                    prop("description", str(0, 5000, "Details a human needs to decide.")),
                    prop(
                        "risk_level",
                        enumOf(CheckIn.RISK_LEVELS, "How risky the action is (default medium).")),
                    prop(
                        "urgency",
                        enumOf(CheckIn.URGENCIES, "How soon you need an answer (default normal).")),
                    prop(
                        "context",
                        obj(
                            "Structured facts for the human and the policy rules (at most 10 KB),"
                                + " e.g. {\"env\": \"prod\"}.")),
                    prop(
                        "timeout_minutes",
                        integer(1, 10080, "Minutes until the timeout action applies.")),
                    prop(
                        "timeout_action",
                        enumOf(
                            CheckIn.TIMEOUT_ACTIONS,
                            "What happens when nobody decides in time (default: the room's).")),
                    prop(
                        "wait_for_decision",
                        new JsonObject()
                            .put("type", "boolean")
                            .put("description", "Wait for the human's decision before returning.")),
                    prop("wait_seconds", waitSchema(1, DEFAULT_WAIT_SECONDS))),
                checkInOutput(),
                false,
                false,
                false))
        .add(
            tool(
                CHECK_STATUS,
                "Check a check-in's status",
                "Read the status and decision of a check-in you created. With wait_seconds it waits"
                    + " (up to "
                    + MAX_WAIT_SECONDS
                    + " s) until a human decides, so call it again with wait_seconds when a"
                    + " check-in is still pending instead of polling quickly. The result also"
                    + " shows its urgency and escalation_level (steps fired while nobody"
                    + " answered), and, when several humans must approve, the quorum, the votes"
                    + " so far and approvals_needed.",
                object(
                    List.of("check_in_id"),
                    prop("check_in_id", idSchema("The check-in id (ci_...).")),
                    prop("wait_seconds", waitSchema(0, 0))),
                checkInOutput(),
                true,
                false,
                true))
        .add(
            tool(
                WATCH,
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
                new JsonObject()
                    .put("type", "object")
                    .put("required", new JsonArray().add("id").add("room_id"))
                    .put(
                        "properties",
                        new JsonObject()
                            .put("id", new JsonObject().put("type", "string"))
                            .put("room_id", new JsonObject().put("type", "string"))
                            .put("secret", new JsonObject().put("type", "string"))
                            .put("event_types", new JsonObject().put("type", "array"))
                            .put("is_active", new JsonObject().put("type", "boolean"))),
                false,
                false,
                false))
        .add(
            tool(
                SIGNAL,
                "Broadcast a signal",
                "Broadcast a signal (a typed message with a JSON payload) to everyone watching a"
                    + " room, e.g. to announce that a deploy finished or a config changed.",
                object(
                    List.of("room", "type"),
                    prop("room", roomSchema()),
                    prop("type", str(1, 200, "The signal type, e.g. 'config_update'.")),
                    prop("payload", obj("The signal's data (at most 10 KB)."))),
                new JsonObject()
                    .put("type", "object")
                    .put("required", new JsonArray().add("id").add("type"))
                    .put(
                        "properties",
                        new JsonObject()
                            .put("id", new JsonObject().put("type", "string"))
                            .put("room_id", new JsonObject().put("type", "string"))
                            .put("type", new JsonObject().put("type", "string"))
                            .put("payload", new JsonObject().put("type", "object"))),
                false,
                false,
                false))
        .add(
            tool(
                LIST_ROOMS,
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
                                new JsonObject()
                                    .put("type", new JsonArray().add("string").add("null")))
                            .put("has_more", new JsonObject().put("type", "boolean"))),
                true,
                false,
                true))
        .add(
            tool(
                WITHDRAW,
                "Withdraw a check-in",
                "Withdraw a pending check-in you created, when the action is no longer needed."
                    + " Only pending check-ins can be withdrawn.",
                object(
                    List.of("check_in_id"),
                    prop("check_in_id", idSchema("The check-in id (ci_...)."))),
                checkInOutput(),
                false,
                true,
                true));
  }

  private static JsonObject tool(
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

  private static JsonObject checkInOutput() {
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

  private static JsonObject roomSchema() {
    return idSchema("The room's slug or id (see waitroom_list_rooms).");
  }

  private static JsonObject idSchema(String description) {
    return new JsonObject()
        .put("type", "string")
        .put("minLength", 1)
        .put("maxLength", 100)
        .put("pattern", ToolCalls.PATH_SEGMENT.pattern())
        .put("description", description);
  }

  private static JsonObject waitSchema(int min, int dflt) {
    return integer(
            min,
            MAX_WAIT_SECONDS,
            "How long to wait for a decision, in seconds (default " + dflt + ").")
        .put("default", dflt);
  }

  private static Set<String> eventTypes() {
    Set<String> all = new TreeSet<>(EventTypes.CANONICAL);
    all.add("checkin.decided"); // approved + rejected + modified
    return all;
  }

  private static Object[] prop(String name, JsonObject schema) {
    return new Object[] {name, schema};
  }

  private static JsonObject object(List<String> required, Object[]... props) {
    JsonObject p = new JsonObject();
    for (Object[] kv : props) p.put((String) kv[0], kv[1]);
    JsonObject o = new JsonObject().put("type", "object").put("properties", p);
    if (!required.isEmpty()) o.put("required", new JsonArray(required));
    return o;
  }

  private static JsonObject str(int min, int max, String description) {
    JsonObject s = new JsonObject().put("type", "string").put("maxLength", max);
    if (min > 0) s.put("minLength", min);
    return s.put("description", description);
  }

  private static JsonObject integer(int min, int max, String description) {
    return new JsonObject()
        .put("type", "integer")
        .put("minimum", min)
        .put("maximum", max)
        .put("description", description);
  }

  private static JsonObject obj(String description) {
    return new JsonObject().put("type", "object").put("description", description);
  }

  private static JsonObject enumOf(Set<String> values, String description) {
    JsonObject e =
        new JsonObject()
            .put("type", "string")
            .put("enum", new JsonArray(List.copyOf(new TreeSet<>(values))));
    if (description != null) e.put("description", description);
    return e;
  }
}
