package io.waitroom.mcp;

import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.waitroom.Deps;

/**
 * The node-wide MCP state, one per Vert.x instance and shared by every HTTP verticle: a client's
 * connections land on different verticles, so its session must be visible to all of them.
 */
final class McpNode implements Shareable {
  final McpSessions sessions;
  final McpProtocol protocol;

  private McpNode(Deps deps) {
    LoopbackApi api = new LoopbackApi(deps.vertx(), deps.config());
    sessions = new McpSessions(deps.vertx(), deps.metricsRegistry());
    DecisionWait waits = new DecisionWait(deps.vertx(), deps.waiters(), api);
    protocol = new McpProtocol(new ToolCalls(api, waits), sessions);
  }

  static McpNode of(Deps deps) {
    LocalMap<String, McpNode> map = deps.vertx().sharedData().getLocalMap("waitroom.mcp");
    synchronized (McpNode.class) {
      McpNode node = map.get("node");
      if (node == null) {
        node = new McpNode(deps);
        map.put("node", node);
      }
      return node;
    }
  }
}
