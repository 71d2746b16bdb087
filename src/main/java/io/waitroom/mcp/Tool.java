package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One MCP tool: what {@code tools/list} says about it, and what a call does with its arguments (one
 * call on the node's own API, {@link LoopbackApi}).
 */
interface Tool {
  /** Runs the call; {@link io.waitroom.errors.ApiException}s (validation too) fail the future. */
  Future<JsonObject> run(JsonObject args, ToolCalls.Call call);
}
