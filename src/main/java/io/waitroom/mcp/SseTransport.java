package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.http.Http;

/**
 * The HTTP+SSE transport of MCP 2024-11-05: {@code GET /sse} opens the session's stream and names
 * the message endpoint in an {@code endpoint} event; the client POSTs each message to {@code
 * /messages?sessionId=...} (202), and every answer and notification travels on the stream. The
 * session ends with the stream. A POST must reach the node holding the stream (sticky sessions
 * behind a load balancer); elsewhere it is 404.
 */
final class SseTransport {
  static final String MESSAGES = "/messages";

  private final Deps deps;
  private final McpSessions sessions;
  private final McpProtocol protocol;

  SseTransport(Deps deps, McpNode node) {
    this.deps = deps;
    this.sessions = node.sessions;
    this.protocol = node.protocol;
  }

  void open(RoutingContext ctx) {
    Actor.Agent agent = ctx.get(AuthHandler.ACTOR);
    McpSession s = sessions.open(agent.id(), McpSession.Transport.SSE);
    SseWriter w = SseWriter.of(deps, ctx.response());
    s.stream = w;
    w.onClose(() -> sessions.close(s));
    w.event("endpoint", MESSAGES + "?sessionId=" + s.id);
  }

  void post(RoutingContext ctx) {
    Actor.Agent agent = ctx.get(AuthHandler.ACTOR);
    String id = ctx.request().getParam("sessionId");
    if (id == null) {
      McpRoutes.reply(
          ctx, 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "sessionId is required"));
      return;
    }
    McpSession s = sessions.find(id, agent.id());
    SseWriter w = s == null ? null : s.stream;
    if (s == null || s.transport != McpSession.Transport.SSE || w == null || !w.isOpen()) {
      McpRoutes.reply(
          ctx,
          404,
          JsonRpc.error(
              null, JsonRpc.SESSION_NOT_FOUND, "Session not found: open a new stream at /sse"));
      return;
    }
    Object body = ctx.get(McpRoutes.BODY);
    McpProtocol.Caller caller =
        new McpProtocol.Caller(ctx.get(McpRoutes.CREDENTIAL), Http.requestId(ctx), w::send);
    Future<JsonArray> answers = McpProtocol.answerAll(body, m -> handle(s, m, caller));
    McpRoutes.reply(ctx, 202, null);
    answers.onSuccess(
        out -> {
          if (out.isEmpty()) return;
          if (body instanceof JsonArray) w.event("message", out.encode());
          else w.send(out.getJsonObject(0));
        });
  }

  private Future<JsonObject> handle(McpSession s, JsonObject m, McpProtocol.Caller caller) {
    if (JsonRpc.isRequest(m) && "initialize".equals(m.getString("method"))) {
      return Future.succeededFuture(protocol.initialize(s, m));
    }
    return protocol.handle(s, m, caller);
  }
}
