package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What each tool does: its arguments become one REST call on loopback ({@link LoopbackApi}), and
 * the API's answer becomes the tool result: {@code structuredContent} is the API's {@code data},
 * the text says what it means for the agent. An API error is a tool result with {@code isError}
 * carrying the API's code, status and message (see {@link ToolResults}).
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

  private final LoopbackApi api;
  private final DecisionWait waits;

  ToolCalls(LoopbackApi api, DecisionWait waits) {
    this.api = api;
    this.waits = waits;
  }

  /** Runs a known tool; {@link ApiException}s (validation included) fail the future. */
  Future<JsonObject> run(String tool, JsonObject args, Call call) {
    return switch (tool) {
      case McpTools.CHECK_IN -> checkIn(args, call);
      case McpTools.CHECK_STATUS -> checkStatus(args, call);
      case McpTools.WATCH ->
          write(call, HttpMethod.POST, room(args) + "/watch", args, "room")
              .map(w -> ToolResults.ok(watchText(w), w));
      case McpTools.SIGNAL ->
          write(call, HttpMethod.POST, room(args) + "/signal", args, "room")
              .map(
                  s ->
                      ToolResults.ok(
                          "Signal "
                              + s.getString("id")
                              + " ("
                              + s.getString("type")
                              + ") broadcast to the room.",
                          s));
      case McpTools.LIST_ROOMS -> listRooms(args, call);
      case McpTools.WITHDRAW ->
          api.call(
                  HttpMethod.DELETE,
                  "/v1/check-ins/" + checkInId(args),
                  call.credential(),
                  null,
                  call.requestId())
              .map(a -> unwrap(a))
              .map(ci -> ToolResults.ok("Check-in " + ci.getString("id") + " is withdrawn.", ci));
      default -> throw new IllegalArgumentException(tool);
    };
  }

  private Future<JsonObject> checkIn(JsonObject args, Call call) {
    String room = room(args);
    Boolean wait = Fields.optionalBool(args, "wait_for_decision");
    Integer waitSeconds = Fields.optionalInt(args, "wait_seconds", 1, McpTools.MAX_WAIT_SECONDS);
    int seconds = waitSeconds == null ? McpTools.DEFAULT_WAIT_SECONDS : waitSeconds;
    JsonObject body = args.copy();
    body.remove("room");
    body.remove("wait_for_decision");
    body.remove("wait_seconds");
    return api.call(HttpMethod.POST, room + "/check-in", call.credential(), body, call.requestId())
        .map(ToolCalls::unwrap)
        .compose(
            ci ->
                Boolean.TRUE.equals(wait) && CheckIn.OPEN.contains(ci.getString("status"))
                    ? waits
                        .waitFor(ci.getString("id"), seconds, call)
                        .map(w -> ToolResults.decision(w.checkIn(), w.waitedSeconds(), true))
                    : Future.succeededFuture(ToolResults.decision(ci, 0, false)));
  }

  private Future<JsonObject> checkStatus(JsonObject args, Call call) {
    String id = checkInId(args);
    Integer waitSeconds = Fields.optionalInt(args, "wait_seconds", 0, McpTools.MAX_WAIT_SECONDS);
    if (waitSeconds == null || waitSeconds == 0) {
      return waits.read(id, call).map(ci -> ToolResults.decision(ci, 0, false));
    }
    return waits
        .waitFor(id, waitSeconds, call)
        .map(w -> ToolResults.decision(w.checkIn(), w.waitedSeconds(), true));
  }

  private Future<JsonObject> listRooms(JsonObject args, Call call) {
    Integer limit = Fields.optionalInt(args, "limit", 1, 100);
    String cursor = Fields.optionalString(args, "cursor", 2000);
    StringBuilder path = new StringBuilder("/v1/rooms?limit=").append(limit == null ? 50 : limit);
    if (cursor != null) path.append("&cursor=").append(encode(cursor));
    return api.call(HttpMethod.GET, path.toString(), call.credential(), null, call.requestId())
        .map(
            a -> {
              if (!a.ok()) throw a.error();
              JsonObject out =
                  new JsonObject()
                      .put("rooms", a.body().getJsonArray("data"))
                      .put("cursor", a.body().getValue("cursor"))
                      .put("has_more", a.body().getBoolean("has_more", false));
              StringBuilder text = new StringBuilder();
              text.append(out.getJsonArray("rooms").size()).append(" room(s):");
              for (Object o : out.getJsonArray("rooms")) {
                JsonObject r = (JsonObject) o;
                text.append("\n- ")
                    .append(r.getString("slug"))
                    .append(" (")
                    .append(r.getString("name"))
                    .append(", ")
                    .append(r.getString("id"))
                    .append(')');
              }
              if (out.getBoolean("has_more")) {
                text.append("\nMore rooms: call again with cursor=")
                    .append(out.getString("cursor"));
              }
              return ToolResults.ok(text.toString(), out);
            });
  }

  private Future<JsonObject> write(
      Call call, HttpMethod method, String path, JsonObject args, String pathField) {
    JsonObject body = args.copy();
    body.remove(pathField);
    return api.call(method, path, call.credential(), body, call.requestId()).map(ToolCalls::unwrap);
  }

  private static String watchText(JsonObject w) {
    return "Watcher "
        + w.getString("id")
        + " is active"
        + (w.getString("webhook_url") == null
            ? ""
            : " and delivers to " + w.getString("webhook_url"))
        + ". Keep its secret to verify deliveries; it is not shown again.";
  }

  /** The API's data, or its error raised as it was. */
  static JsonObject unwrap(LoopbackApi.Answer a) {
    if (!a.ok()) throw a.error();
    JsonObject data = a.data();
    return data == null ? new JsonObject() : data;
  }

  private static String room(JsonObject args) {
    return "/v1/rooms/" + segment(args, "room");
  }

  private static String checkInId(JsonObject args) {
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

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
