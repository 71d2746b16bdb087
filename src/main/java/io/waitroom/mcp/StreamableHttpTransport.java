package io.waitroom.mcp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.http.Http;
import java.util.ArrayList;
import java.util.List;

/**
 * MCP Streamable HTTP at {@code /mcp}. {@code initialize} opens a session ({@code Mcp-Session-Id});
 * later requests must carry it (missing: 400; unknown here, expired or another agent's: 404, so the
 * client initialises again). A tool call is answered as a resumable SSE stream when the client
 * accepts one ({@link ResumableStream}), so progress notifications and keep-alive comments can
 * precede the result; everything else is plain JSON. Notifications and responses get 202. {@code
 * GET} with a {@code Last-Event-ID} of a tool call's stream resumes that stream; without one it
 * opens the session's server stream (only keep-alives: this server sends no unsolicited messages).
 * {@code DELETE} ends the session. A dropped connection never cancels a call (revision 2025-11-25);
 * {@code notifications/cancelled} does.
 */
final class StreamableHttpTransport {
  /** The {@code retry} of a tool call's stream: how soon a client reconnects after a drop. */
  static final long RECONNECT_MS = 1_000;

  static final String SESSION_HEADER = "Mcp-Session-Id";
  static final String VERSION_HEADER = "MCP-Protocol-Version";

  private final Deps deps;
  private final McpSessions sessions;
  private final McpProtocol protocol;

  StreamableHttpTransport(Deps deps, McpNode node) {
    this.deps = deps;
    this.sessions = node.sessions;
    this.protocol = node.protocol;
  }

  void post(RoutingContext ctx) {
    Object body = ctx.get(McpRoutes.BODY);
    Actor.Agent agent = ctx.get(AuthHandler.ACTOR);
    if (body instanceof JsonObject m
        && JsonRpc.isRequest(m)
        && "initialize".equals(m.getString("method"))) {
      McpSession s = sessions.open(agent.id(), McpSession.Transport.STREAMABLE_HTTP);
      ctx.response().putHeader(SESSION_HEADER, s.id);
      McpRoutes.reply(ctx, 200, protocol.initialize(s, m));
      return;
    }
    McpSession s = session(ctx, agent);
    if (s == null) return;
    List<JsonObject> messages = new ArrayList<>();
    if (body instanceof JsonArray batch) {
      for (Object o : batch) if (o instanceof JsonObject m) messages.add(m);
    } else {
      messages.add((JsonObject) body);
    }
    McpProtocol.Caller quiet =
        new McpProtocol.Caller(ctx.get(McpRoutes.CREDENTIAL), Http.requestId(ctx), m -> {});
    if (messages.stream().noneMatch(JsonRpc::isRequest)) {
      for (JsonObject m : messages) protocol.handle(s, m, quiet);
      McpRoutes.reply(ctx, 202, null);
      return;
    }
    if (body instanceof JsonObject m && JsonRpc.isToolCall(m) && acceptsStream(ctx)) {
      stream(ctx, s, m);
      return;
    }
    McpProtocol.answerAll(body, m -> protocol.handle(s, m, quiet))
        .onSuccess(
            out -> {
              if (ctx.response().closed()) return;
              if (body instanceof JsonArray) McpRoutes.reply(ctx, 200, out);
              else if (out.isEmpty()) McpRoutes.reply(ctx, 202, null); // cancelled: no answer
              else McpRoutes.reply(ctx, 200, out.getJsonObject(0));
            });
  }

  /**
   * One tool call answered as a resumable SSE stream: the priming event (an id, empty data and
   * {@code retry}; from revision 2025-11-25 on, as older clients choke on empty data), progress,
   * then the result, then the end. A dropped connection does not stop the call: its messages are
   * kept for a {@code GET} with {@code Last-Event-ID}.
   */
  private void stream(RoutingContext ctx, McpSession s, JsonObject m) {
    SseWriter w = writer(ctx);
    ResumableStream stream = s.openStream();
    if (s.protocolVersion.compareTo(McpProtocol.LATEST) >= 0) {
      w.prime(stream.primingId(), RECONNECT_MS);
    }
    stream.attach(w, 0);
    McpProtocol.Caller caller =
        new McpProtocol.Caller(ctx.get(McpRoutes.CREDENTIAL), Http.requestId(ctx), stream::send);
    protocol
        .handle(s, m, caller)
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result() != null) stream.send(ar.result());
              stream.finish();
            });
  }

  private SseWriter writer(RoutingContext ctx) {
    return SseWriter.of(deps, ctx.response()).open();
  }

  void get(RoutingContext ctx) {
    McpSession s = session(ctx, ctx.get(AuthHandler.ACTOR));
    if (s == null) return;
    if (!acceptsStream(ctx)) {
      ctx.response().putHeader("Allow", "POST, DELETE");
      McpRoutes.reply(
          ctx,
          405,
          JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "GET needs Accept: text/event-stream"));
      return;
    }
    // A reconnect after a dropped tool-call stream: what it missed, then the rest of that call.
    ResumableStream.Position at =
        ResumableStream.Position.parse(ctx.request().getHeader("Last-Event-ID"));
    ResumableStream resumed = at == null ? null : s.stream(at.stream());
    if (resumed != null) {
      resumed.attach(writer(ctx), at.after());
      return;
    }
    SseWriter w = writer(ctx);
    SseWriter previous = s.stream;
    s.stream = w;
    if (previous != null) previous.end();
    w.onClose(
        () -> {
          if (s.stream == w) s.stream = null;
          s.touch();
        });
  }

  void delete(RoutingContext ctx) {
    McpSession s = session(ctx, ctx.get(AuthHandler.ACTOR));
    if (s == null) return;
    sessions.close(s);
    ctx.response().setStatusCode(204).end();
  }

  /** The request's session, or {@code null} after answering 400 / 404 as the spec says. */
  private McpSession session(RoutingContext ctx, Actor.Agent agent) {
    String version = ctx.request().getHeader(VERSION_HEADER);
    if (version != null && !McpProtocol.SUPPORTED.contains(version)) {
      McpRoutes.reply(
          ctx,
          400,
          JsonRpc.error(
              null,
              JsonRpc.INVALID_REQUEST,
              "Bad Request: unsupported MCP-Protocol-Version "
                  + version
                  + "; supported: "
                  + String.join(", ", McpProtocol.SUPPORTED)));
      return null;
    }
    String id = ctx.request().getHeader(SESSION_HEADER);
    if (id == null) {
      McpRoutes.reply(
          ctx,
          400,
          JsonRpc.error(
              null, JsonRpc.INVALID_REQUEST, "Bad Request: Mcp-Session-Id header is required"));
      return null;
    }
    McpSession s = sessions.find(id, agent.id());
    if (s == null || s.transport != McpSession.Transport.STREAMABLE_HTTP) {
      McpRoutes.reply(
          ctx,
          404,
          JsonRpc.error(
              null,
              JsonRpc.SESSION_NOT_FOUND,
              "Session not found: it expired, ended, or lives on another server; initialize again"));
      return null;
    }
    return s;
  }

  static boolean acceptsStream(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    return accept != null && accept.contains("text/event-stream");
  }
}
