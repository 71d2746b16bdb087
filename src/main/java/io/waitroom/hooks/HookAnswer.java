package io.waitroom.hooks;

import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;

/**
 * What the hook answers Claude Code: {@code allow} (optionally with the human's {@code
 * updatedInput}), {@code deny} with the reason Claude reads, or {@code ask} (Claude Code's own
 * prompt), written in the shape of the event that asked.
 *
 * <ul>
 *   <li>PreToolUse: {@code {"hookSpecificOutput": {"hookEventName": "PreToolUse",
 *       "permissionDecision": "allow"|"deny"|"ask", "permissionDecisionReason": "...",
 *       "updatedInput": {...}}}}
 *   <li>PermissionRequest: {@code {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
 *       "decision": {"behavior": "allow", "updatedInput": {...}} | {"behavior": "deny", "message":
 *       "..."}}}}; that event has no reason field for allow and no "ask" (no decision shows the
 *       usual permission dialog), so the reason goes to {@code systemMessage}, shown to the user.
 * </ul>
 */
record HookAnswer(String decision, String reason, JsonObject updatedInput) {
  static final String ALLOW = "allow";
  static final String DENY = "deny";
  static final String ASK = "ask";

  static HookAnswer allow(String reason, JsonObject updatedInput) {
    return new HookAnswer(ALLOW, reason, updatedInput);
  }

  static HookAnswer deny(String reason) {
    return new HookAnswer(DENY, reason, null);
  }

  static HookAnswer of(String onTimeout, String reason) {
    return new HookAnswer(onTimeout, reason, null);
  }

  JsonObject toJson(HookEvent event) {
    if (event.isPermissionRequest()) {
      if (ASK.equals(decision)) return new JsonObject().put("systemMessage", reason);
      JsonObject d = new JsonObject().put("behavior", decision);
      if (DENY.equals(decision)) d.put("message", reason);
      if (updatedInput != null) d.put("updatedInput", updatedInput);
      JsonObject out =
          new JsonObject()
              .put(
                  "hookSpecificOutput",
                  new JsonObject()
                      .put("hookEventName", HookEvent.PERMISSION_REQUEST)
                      .put("decision", d));
      return ALLOW.equals(decision) ? out.put("systemMessage", reason) : out;
    }
    JsonObject specific =
        new JsonObject()
            .put("hookEventName", HookEvent.PRE_TOOL_USE)
            .put("permissionDecision", decision)
            .put("permissionDecisionReason", reason);
    if (updatedInput != null) specific.put("updatedInput", updatedInput);
    return new JsonObject().put("hookSpecificOutput", specific);
  }

  /**
   * The answer for a check-in that has left pending: approved → allow, modified → allow with the
   * input changed, rejected or expired → deny; {@code who} names the decider for the reason. Null
   * for a check-in that is still open or was withdrawn.
   */
  static HookAnswer decided(CheckIn ci, JsonObject toolInput, String who) {
    JsonObject policy = ci.policy() == null ? new JsonObject() : ci.policy();
    String humanReason = ci.decisionReason();
    boolean bySystem = ci.decidedBy() == null || ci.decidedBy().startsWith("system:");
    // A rule, a grant or the timeout is named by who; trust's reason says the score it took.
    boolean byTrust = "system:trust".equals(ci.decidedBy());
    String why = byTrust && humanReason == null ? policy.getString("reason") : humanReason;
    String tail = " (Waitroom check-in " + ci.id() + ")";
    return switch (ci.status()) {
      case "approved" -> allow("Approved in Waitroom by " + who + colon(why) + tail, null);
      case "modified" -> {
        JsonObject changes = ci.decisionModifications();
        JsonObject updated = applied(toolInput, changes);
        yield allow(
            "Approved with changes in Waitroom by "
                + who
                + ": "
                + describe(changes)
                + colon(why).replaceFirst("^: ", "; ")
                + tail,
            updated);
      }
      case "rejected" ->
          deny(
              (bySystem ? "Forbidden in Waitroom by " : "Rejected in Waitroom by ")
                  + who
                  + colon(why)
                  + tail);
      case "expired" -> deny("Expired in Waitroom without a decision" + tail);
      default -> null;
    };
  }

  /** The tool input with the human's modifications: top-level fields replaced (null removes). */
  static JsonObject applied(JsonObject toolInput, JsonObject modifications) {
    JsonObject out = toolInput.copy();
    if (modifications == null) return out;
    for (var e : modifications) {
      if (e.getValue() == null) out.remove(e.getKey());
      else out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private static String describe(JsonObject modifications) {
    if (modifications == null || modifications.isEmpty()) return "no fields changed";
    StringBuilder b = new StringBuilder();
    for (var e : modifications) {
      if (b.length() > 0) b.append(", ");
      Object v = e.getValue();
      String shown = v instanceof String s ? s : v == null ? "(removed)" : String.valueOf(v);
      b.append(e.getKey()).append(" set to ").append(HookEvent.truncate(shown, 300));
    }
    return b.toString();
  }

  private static String colon(String why) {
    return why == null || why.isBlank() ? "" : ": " + why;
  }
}
