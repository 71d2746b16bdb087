package io.waitroom.mcp;

import static io.waitroom.mcp.Schemas.checkInOutput;
import static io.waitroom.mcp.Schemas.idSchema;
import static io.waitroom.mcp.Schemas.object;
import static io.waitroom.mcp.Schemas.prop;
import static io.waitroom.mcp.Schemas.tool;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code waitroom_withdraw}: a pending check-in withdrawn, through the API. */
record WithdrawTool(LoopbackApi api) implements Tool {
  static final String NAME = "waitroom_withdraw";

  static JsonObject definition() {
    return tool(
        NAME,
        "Withdraw a check-in",
        "Withdraw a pending check-in you created, when the action is no longer needed."
            + " Only pending check-ins can be withdrawn.",
        object(List.of("check_in_id"), prop("check_in_id", idSchema("The check-in id (ci_...)."))),
        checkInOutput(),
        false,
        true,
        true);
  }

  @Override
  public Future<JsonObject> run(JsonObject args, ToolCalls.Call call) {
    return api.call(
            HttpMethod.DELETE,
            "/v1/check-ins/" + ToolCalls.checkInId(args),
            call.credential(),
            null,
            call.requestId())
        .map(ToolCalls::unwrap)
        .map(ci -> ToolResults.ok("Check-in " + ci.getString("id") + " is withdrawn.", ci));
  }
}
