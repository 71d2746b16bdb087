package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What the tools do, by name: each tool's arguments become one REST call on loopback ({@link
 * LoopbackApi}), and the API's answer becomes the tool result: {@code structuredContent} is the
 * API's {@code data}, the text says what it means for the agent. An API error is a tool result with
 * {@code isError} carrying the API's code, status and message (see {@link ToolResults}). Also the
 * helpers the tools share.
 */
final class ToolCalls {
  /** A room slug or id, a check-in id: what may go into one path segment. */
  static final Pattern PATH_SEGMENT = Pattern.compile("^[A-Za-z0-9_-]+$");

  /** Everything a running tool call needs from the request that carries it. */
  record Call(
      String credential,
      String requestId,
      Object progressToken,
      Consumer<JsonObject> sink,
      McpSession.InFlight inFlight) {}

  private final Map<String, Tool> tools;

  ToolCalls(LoopbackApi api, DecisionWait waits) {
    this.tools =
        Map.of(
            CheckInTool.NAME, new CheckInTool(api, waits),
            CheckStatusTool.NAME, new CheckStatusTool(waits),
            WatchTool.NAME, new WatchTool(api),
            SignalTool.NAME, new SignalTool(api),
            ListRoomsTool.NAME, new ListRoomsTool(api),
            WithdrawTool.NAME, new WithdrawTool(api));
  }

  /** Runs a known tool; {@link ApiException}s (validation included) fail the future. */
  Future<JsonObject> run(String tool, JsonObject args, Call call) {
    Tool t = tools.get(tool);
    if (t == null) throw new IllegalArgumentException(tool);
    return t.run(args, call);
  }

  /** A creating POST: the arguments but the path's field, as the body. */
  static Future<JsonObject> write(
      LoopbackApi api,
      Call call,
      String path,
      JsonObject args,
      String pathField,
      String idempotencyKey) {
    JsonObject body = args.copy();
    body.remove(pathField);
    return api.call(
            new LoopbackApi.Request(
                HttpMethod.POST, path, call.credential(), body, call.requestId(), idempotencyKey))
        .map(ToolCalls::unwrap);
  }

  /**
   * One {@code Idempotency-Key} per tool call that creates something, so its loopback call can be
   * retried after a 503 (the database restarting) without creating it twice.
   */
  static String newKey() {
    return "mcp-" + UUID.randomUUID();
  }

  /** The API's data, or its error raised as it was. */
  static JsonObject unwrap(LoopbackApi.Answer a) {
    if (!a.ok()) throw a.error();
    JsonObject data = a.data();
    return data == null ? new JsonObject() : data;
  }

  static String room(JsonObject args) {
    return "/v1/rooms/" + segment(args, "room");
  }

  static String checkInId(JsonObject args) {
    return segment(args, "check_in_id");
  }

  /** Arguments that become a path segment: only what a slug or id can be, never a path. */
  private static String segment(JsonObject args, String field) {
    String v = Fields.requiredString(args, field, 1, 100);
    if (!PATH_SEGMENT.matcher(v).matches()) {
      throw ApiException.validation(field, "must be a slug or id (letters, digits, '-', '_')");
    }
    return v;
  }
}
