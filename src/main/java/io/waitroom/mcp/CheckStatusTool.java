package io.waitroom.mcp;

import static io.waitroom.mcp.Schemas.checkInOutput;
import static io.waitroom.mcp.Schemas.idSchema;
import static io.waitroom.mcp.Schemas.object;
import static io.waitroom.mcp.Schemas.prop;
import static io.waitroom.mcp.Schemas.tool;
import static io.waitroom.mcp.Schemas.waitSchema;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.waitroom.validation.Fields;
import java.util.List;

/** {@code waitroom_check_status}: a check-in's state, or a wait for its decision. */
record CheckStatusTool(DecisionWait waits) implements Tool {
  static final String NAME = "waitroom_check_status";

  static JsonObject definition() {
    return tool(
        NAME,
        "Check a check-in's status",
        "Read the status and decision of a check-in you created. With wait_seconds it waits"
            + " (up to "
            + McpTools.MAX_WAIT_SECONDS
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
        true);
  }

  @Override
  public Future<JsonObject> run(JsonObject args, ToolCalls.Call call) {
    String id = ToolCalls.checkInId(args);
    Integer waitSeconds = Fields.optionalInt(args, "wait_seconds", 0, McpTools.MAX_WAIT_SECONDS);
    if (waitSeconds == null || waitSeconds == 0) {
      return waits.read(id, call).map(ci -> ToolResults.decision(ci, 0, false));
    }
    return waits
        .waitFor(id, waitSeconds, call)
        .map(w -> ToolResults.decision(w.checkIn(), w.waitedSeconds(), true));
  }
}
