package io.waitroom.hooks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Claude Code hook event as Claude Code POSTs it ({@code PreToolUse} or {@code
 * PermissionRequest}), and the check-in it asks for: the action ({@code Bash: rm -rf build/}), the
 * full input as the description when the action does not carry it all, the whole event (unknown
 * fields included) as the context, a default risk per tool, and the idempotency key of its tool
 * call.
 */
record HookEvent(
    String eventName,
    String toolName,
    JsonObject toolInput,
    String sessionId,
    String toolUseId,
    JsonObject raw) {

  static final String PRE_TOOL_USE = "PreToolUse";
  static final String PERMISSION_REQUEST = "PermissionRequest";
  static final Set<String> EVENTS = Set.of(PRE_TOOL_USE, PERMISSION_REQUEST);

  /** Read-only tools: low risk unless {@code ?risk=} says otherwise. Every other tool: medium. */
  static final Set<String> READ_ONLY_TOOLS = Set.of("Read", "Grep", "Glob", "LS");

  static final int ACTION_MAX = 500;
  static final int DESCRIPTION_MAX = 5000;

  /** Which input field names what a tool call is about, per tool; others try these in order. */
  private static final Map<String, String> SUMMARY_FIELD =
      Map.ofEntries(
          Map.entry("Bash", "command"),
          Map.entry("Write", "file_path"),
          Map.entry("Edit", "file_path"),
          Map.entry("MultiEdit", "file_path"),
          Map.entry("Read", "file_path"),
          Map.entry("NotebookEdit", "notebook_path"),
          Map.entry("WebFetch", "url"),
          Map.entry("WebSearch", "query"),
          Map.entry("Grep", "pattern"),
          Map.entry("Glob", "pattern"),
          Map.entry("LS", "path"),
          Map.entry("Task", "description"));

  private static final List<String> SUMMARY_FALLBACK =
      List.of(
          "command",
          "file_path",
          "notebook_path",
          "path",
          "url",
          "query",
          "pattern",
          "description");

  static HookEvent parse(JsonObject body) {
    String event = Fields.requiredString(body, "hook_event_name", 1, 100);
    if (!EVENTS.contains(event)) {
      throw ApiException.validation(
          "hook_event_name", "must be PreToolUse or PermissionRequest (got " + event + ")");
    }
    String tool = Fields.requiredString(body, "tool_name", 1, 200);
    Object input = body.getValue("tool_input");
    if (input != null && !(input instanceof JsonObject)) {
      throw ApiException.validation("tool_input", "must be an object");
    }
    String session = Fields.optionalString(body, "session_id", 500);
    String toolUse = Fields.optionalString(body, "tool_use_id", 500);
    return new HookEvent(
        event, tool, input == null ? new JsonObject() : (JsonObject) input, session, toolUse, body);
  }

  boolean isPermissionRequest() {
    return PERMISSION_REQUEST.equals(eventName);
  }

  /** What the call is about: the command, file path, URL, ...; null when the input names none. */
  String summary() {
    String field = SUMMARY_FIELD.get(toolName);
    if (field != null && toolInput.getValue(field) instanceof String s && !s.isBlank()) return s;
    for (String f : SUMMARY_FALLBACK) {
      if (toolInput.getValue(f) instanceof String s && !s.isBlank()) return s;
    }
    return toolInput.isEmpty() ? null : toolInput.encode();
  }

  /** {@code <tool_name>: <summary>}, at most 500 characters. */
  String action() {
    String summary = summary();
    return truncate(summary == null ? toolName : toolName + ": " + summary, ACTION_MAX);
  }

  /**
   * The full input, pretty-printed, when the action does not carry all of it (a long command, a
   * Write's content, an Edit's strings); null when it does.
   */
  String description() {
    String summary = summary();
    String action = toolName + ": " + summary;
    boolean whole =
        summary != null
            && action.codePointCount(0, action.length()) <= ACTION_MAX
            && (toolInput.size() == 1 && toolInput.getValue(summaryField()) != null);
    if (whole || toolInput.isEmpty()) return null;
    return truncate(clean(toolInput).encodePrettily(), DESCRIPTION_MAX);
  }

  private String summaryField() {
    String field = SUMMARY_FIELD.get(toolName);
    return field == null ? "" : field;
  }

  /** {@code medium} for tools that change things, {@code low} for the read-only ones. */
  String defaultRisk() {
    return READ_ONLY_TOOLS.contains(toolName) ? "low" : "medium";
  }

  /**
   * The whole event (unknown fields kept) plus {@code source: "claude-code"}, within the API's 10
   * KB: long strings are shortened until it fits ({@code truncated: true} then says so).
   */
  JsonObject context() {
    JsonObject context = clean(raw).put("source", "claude-code");
    for (int cap : new int[] {2000, 500, 100}) {
      if (fits(context)) return context;
      context = (JsonObject) shorten(context, cap);
      context.put("truncated", true);
    }
    if (fits(context)) return context;
    JsonObject minimal = new JsonObject();
    for (String key : List.of("hook_event_name", "tool_name", "session_id", "tool_use_id", "cwd")) {
      if (raw.getValue(key) instanceof String s) minimal.put(key, truncate(clean(s), 200));
    }
    return minimal.put("source", "claude-code").put("truncated", true);
  }

  /**
   * The key that makes a retried hook call the same check-in: its session and tool call. Null when
   * Claude Code sent no {@code tool_use_id} (a {@code PermissionRequest} carries none): every such
   * call is a check-in of its own.
   */
  String idempotencyKey() {
    if (toolUseId == null) return null;
    return "claude-code:" + sha256(sessionId == null ? "" : sessionId, toolUseId);
  }

  private static boolean fits(JsonObject o) {
    return o.encode().getBytes(StandardCharsets.UTF_8).length <= Fields.MAX_OBJECT_BYTES;
  }

  private static Object shorten(Object v, int cap) {
    if (v instanceof String s) return truncate(s, cap);
    if (v instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      for (var e : o) out.put(e.getKey(), shorten(e.getValue(), cap));
      return out;
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      for (Object item : a) out.add(shorten(item, cap));
      return out;
    }
    return v;
  }

  /** A copy without NUL characters, which PostgreSQL cannot store (U+FFFD instead). */
  private static JsonObject clean(JsonObject o) {
    return (JsonObject) cleanValue(o);
  }

  private static String clean(String s) {
    return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
  }

  private static Object cleanValue(Object v) {
    if (v instanceof String s) return clean(s);
    if (v instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      for (var e : o) out.put(clean(e.getKey()), cleanValue(e.getValue()));
      return out;
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      for (Object item : a) out.add(cleanValue(item));
      return out;
    }
    return v;
  }

  /** At most {@code max} characters (code points), an ellipsis marking a cut. */
  static String truncate(String s, int max) {
    s = clean(s);
    if (s.codePointCount(0, s.length()) <= max) return s;
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "\u2026";
  }

  static String sha256(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        md.update(p.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
