package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP methods this server speaks, independent of the transport: {@code initialize} (version
 * negotiation), {@code ping}, {@code tools/list}, {@code tools/call}, and the notifications {@code
 * initialized} and {@code cancelled}. Tool failures are tool results with {@code isError}; unknown
 * methods, unknown tools and malformed params are JSON-RPC errors. Arguments that fail validation
 * are a tool error from revision 2025-11-25 on (so the model can correct itself, as that revision
 * asks) and a JSON-RPC {@code -32602} error for older revisions; both carry the API's message
 * naming the field.
 */
final class McpProtocol {
  private static final Logger log = LoggerFactory.getLogger(McpProtocol.class);
  static final String LATEST = "2025-11-25";

  /** Newest first. */
  static final List<String> SUPPORTED = List.of(LATEST, "2025-06-18", "2025-03-26", "2024-11-05");

  private static final String INSTRUCTIONS =
      "Waitroom puts a human in the loop. Before any risky or irreversible action call"
          + " waitroom_check_in (with wait_for_decision: true to wait for the answer) and act only"
          + " on approved or modified (apply the modifications). Use waitroom_list_rooms to find"
          + " the room.";

  private final ToolCalls tools;
  private final McpSessions sessions;
  private final JsonObject toolList = new JsonObject().put("tools", McpTools.list());

  McpProtocol(ToolCalls tools, McpSessions sessions) {
    this.tools = tools;
    this.sessions = sessions;
  }

  /** What the request carrying a message brings along. */
  record Caller(String credential, String requestId, Consumer<JsonObject> sink) {}

  /** The {@code initialize} answer; the session speaks the negotiated revision from now on. */
  JsonObject initialize(McpSession session, JsonObject request) {
    JsonObject params = request.getJsonObject("params", new JsonObject());
    Object asked = params.getValue("protocolVersion");
    String version = asked instanceof String v && SUPPORTED.contains(v) ? v : LATEST;
    session.protocolVersion = version;
    return JsonRpc.result(
        request.getValue("id"),
        new JsonObject()
            .put("protocolVersion", version)
            .put(
                "capabilities",
                new JsonObject().put("tools", new JsonObject().put("listChanged", false)))
            .put(
                "serverInfo",
                new JsonObject()
                    .put("name", "waitroom")
                    .put("title", "Waitroom")
                    .put("version", version()))
            .put("instructions", INSTRUCTIONS));
  }

  /**
   * Handles one message of an initialised session: the response for a request, {@code null} for a
   * notification or a response. Fails only with {@link DecisionWait.Cancelled}: the request was
   * cancelled and must not be answered.
   */
  Future<JsonObject> handle(McpSession session, JsonObject m, Caller caller) {
    String method = m.getString("method");
    Object id = m.getValue("id");
    JsonObject params = m.getJsonObject("params", new JsonObject());
    if (method == null) return Future.succeededFuture(null); // a client's response: nothing asked
    if (id == null) {
      if ("notifications/cancelled".equals(method) && params.getValue("requestId") != null) {
        McpSession.InFlight f = session.inFlight.get(JsonRpc.key(params.getValue("requestId")));
        if (f != null) f.cancel();
      }
      return Future.succeededFuture(null);
    }
    return switch (method) {
      case "initialize" -> Future.succeededFuture(initialize(session, m));
      case "ping" -> Future.succeededFuture(JsonRpc.result(id, new JsonObject()));
      case "tools/list" -> Future.succeededFuture(JsonRpc.result(id, toolList));
      case "tools/call" -> call(session, id, params, caller);
      default ->
          Future.succeededFuture(
              JsonRpc.error(id, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method));
    };
  }

  /**
   * Answers every message of a body (one message or a batch) with {@code handle}: the answers there
   * are, in order (none for notifications, responses and cancelled requests); a malformed batch
   * member gets {@code -32600}. Never fails.
   */
  static Future<JsonArray> answerAll(Object body, Function<JsonObject, Future<JsonObject>> handle) {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (Object o : body instanceof JsonArray a ? a : new JsonArray().add(body)) {
      String why = JsonRpc.invalid(o);
      answers.add(
          why != null
              ? Future.succeededFuture(
                  JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Invalid Request: " + why))
              : handle.apply((JsonObject) o).otherwiseEmpty());
    }
    return Future.join(answers)
        .transform(
            ar -> {
              JsonArray out = new JsonArray();
              for (Future<JsonObject> f : answers) {
                if (f.succeeded() && f.result() != null) out.add(f.result());
              }
              return Future.succeededFuture(out);
            });
  }

  private Future<JsonObject> call(McpSession session, Object id, JsonObject params, Caller c) {
    Object name = params.getValue("name");
    Object args = params.getValue("arguments");
    if (!(name instanceof String tool) || !McpTools.NAMES.contains(tool)) {
      sessions.toolCalled(String.valueOf(name), "invalid");
      return Future.succeededFuture(
          JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "Unknown tool: " + name));
    }
    if (args != null && !(args instanceof JsonObject)) {
      sessions.toolCalled(tool, "invalid");
      return Future.succeededFuture(
          JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "arguments must be an object"));
    }
    JsonObject meta = params.getJsonObject("_meta");
    Object progressToken = meta == null ? null : meta.getValue("progressToken");
    String key = JsonRpc.key(id);
    McpSession.InFlight inFlight = new McpSession.InFlight();
    session.inFlight.put(key, inFlight);
    ToolCalls.Call call =
        new ToolCalls.Call(c.credential(), c.requestId(), progressToken, c.sink(), inFlight);
    Future<JsonObject> result;
    try {
      result = tools.run(tool, args == null ? new JsonObject() : (JsonObject) args, call);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result
        .map(
            r -> {
              sessions.toolCalled(tool, "ok");
              return JsonRpc.result(id, r);
            })
        .recover(e -> failed(session, tool, id, e, c))
        .eventually(
            () -> {
              session.inFlight.remove(key, inFlight);
              return Future.succeededFuture();
            });
  }

  private Future<JsonObject> failed(
      McpSession session, String tool, Object id, Throwable e, Caller c) {
    if (e instanceof DecisionWait.Cancelled) {
      sessions.toolCalled(tool, "cancelled");
      return Future.failedFuture(e);
    }
    ApiException api;
    if (e instanceof ApiException a) {
      api = a;
    } else {
      log.warn("request_id={} tool={} failed: {}", c.requestId(), tool, e.toString());
      api = new ApiException(500, "INTERNAL", "the tool could not complete; try again", null);
    }
    sessions.toolCalled(tool, api.code().toLowerCase(Locale.ROOT));
    if ("VALIDATION_ERROR".equals(api.code()) && session.protocolVersion.compareTo(LATEST) < 0) {
      JsonObject data = new JsonObject().put("code", api.code()).put("statusCode", api.status());
      if (api.details() != null) data.put("details", api.details());
      return Future.succeededFuture(
          JsonRpc.error(id, JsonRpc.INVALID_PARAMS, api.getMessage(), data));
    }
    return Future.succeededFuture(JsonRpc.result(id, ToolResults.error(api)));
  }

  private static String version() {
    String v = McpProtocol.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
