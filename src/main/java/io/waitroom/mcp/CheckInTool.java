package io.waitroom.mcp;

import static io.waitroom.mcp.Schemas.checkInOutput;
import static io.waitroom.mcp.Schemas.enumOf;
import static io.waitroom.mcp.Schemas.integer;
import static io.waitroom.mcp.Schemas.obj;
import static io.waitroom.mcp.Schemas.object;
import static io.waitroom.mcp.Schemas.prop;
import static io.waitroom.mcp.Schemas.roomSchema;
import static io.waitroom.mcp.Schemas.str;
import static io.waitroom.mcp.Schemas.tool;
import static io.waitroom.mcp.Schemas.waitSchema;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import io.waitroom.validation.Fields;
import java.util.List;

/**
 * {@code waitroom_check_in}: a check-in through the API, then, if asked, the wait for its decision.
 */
record CheckInTool(LoopbackApi api, DecisionWait waits) implements Tool {
  static final String NAME = "waitroom_check_in";

  static JsonObject definition() {
    return tool(
        NAME,
        "Check in with a human",
        "Ask a human for approval before a risky or irreversible action (deploys,"
            + " deletions, payments, messages to customers, production changes). The room's"
            + " policy may approve at once, forbid, or hold it for a human who approves,"
            + " rejects or modifies it. Set wait_for_decision to true to wait here for the"
            + " decision (up to wait_seconds, default "
            + McpTools.DEFAULT_WAIT_SECONDS
            + ", max "
            + McpTools.MAX_WAIT_SECONDS
            + "); otherwise poll with waitroom_check_status. Only proceed when the status"
            + " is approved, or modified (then apply the modifications).",
        object(
            List.of("room", "action"),
            prop("room", roomSchema()),
            prop(
                "action",
                str(1, 500, "What you want to do, in one line (e.g. 'Deploy v2 to prod').")),
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
            prop("timeout_minutes", integer(1, 10080, "Minutes until the timeout action applies.")),
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
            prop("wait_seconds", waitSchema(1, McpTools.DEFAULT_WAIT_SECONDS))),
        checkInOutput(),
        false,
        false,
        false);
  }

  @Override
  public Future<JsonObject> run(JsonObject args, ToolCalls.Call call) {
    String room = ToolCalls.room(args);
    Boolean wait = Fields.optionalBool(args, "wait_for_decision");
    Integer waitSeconds = Fields.optionalInt(args, "wait_seconds", 1, McpTools.MAX_WAIT_SECONDS);
    int seconds = waitSeconds == null ? McpTools.DEFAULT_WAIT_SECONDS : waitSeconds;
    JsonObject body = args.copy();
    body.remove("room");
    body.remove("wait_for_decision");
    body.remove("wait_seconds");
    return api.call(
            new LoopbackApi.Request(
                HttpMethod.POST,
                room + "/check-in",
                call.credential(),
                body,
                call.requestId(),
                ToolCalls.newKey()))
        .map(ToolCalls::unwrap)
        .compose(
            ci ->
                Boolean.TRUE.equals(wait) && CheckIn.OPEN.contains(ci.getString("status"))
                    ? waits
                        .waitFor(ci.getString("id"), seconds, call)
                        .map(w -> ToolResults.decision(w.checkIn(), w.waitedSeconds(), true))
                    : Future.succeededFuture(ToolResults.decision(ci, 0, false)));
  }
}
