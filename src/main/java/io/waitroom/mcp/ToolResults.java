package io.waitroom.mcp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;

/**
 * {@code CallToolResult}s: structured content for programs, and text a model can act on (what
 * happened, what to do next), followed by the same JSON for clients that only read text.
 */
final class ToolResults {
  private ToolResults() {}

  static JsonObject ok(String text, JsonObject data) {
    return new JsonObject()
        .put("content", new JsonArray().add(text(text + "\n\n" + data.encode())))
        .put("structuredContent", data)
        .put("isError", false);
  }

  /**
   * An API error as a tool error: the API's code, status and message in words, then the API's error
   * object as JSON in a second text block. No {@code structuredContent}: clients check it against
   * the tool's output schema even on errors.
   */
  static JsonObject error(ApiException e) {
    JsonObject error =
        new JsonObject()
            .put("code", e.code())
            .put("message", e.getMessage())
            .put("statusCode", e.status());
    if (e.details() != null) error.put("details", e.details());
    String text = e.code() + " (" + e.status() + "): " + e.getMessage();
    String hint = hint(e);
    if (hint != null) text += "\n" + hint;
    return new JsonObject()
        .put(
            "content",
            new JsonArray()
                .add(text(text))
                .add(text(new JsonObject().put("error", error).encode())))
        .put("isError", true);
  }

  /** A check-in's state, in words that tell the agent whether it may go ahead. */
  static JsonObject decision(JsonObject checkIn, int waitedSeconds, boolean waited) {
    JsonObject ci = flat(checkIn);
    String id = ci.getString("id");
    String status = ci.getString("status");
    String reason = ci.getString("decision_reason");
    JsonObject decision = ci.getJsonObject("decision");
    String by = decision == null ? null : decision.getString("decided_by");
    String because = reason == null || reason.isEmpty() ? "" : ": " + reason;
    String who = by == null ? "" : " by " + by;
    String text =
        switch (status) {
          case "approved" ->
              "APPROVED" + who + because + ". You may proceed with: " + ci.getString("action");
          case "modified" ->
              "APPROVED WITH MODIFICATIONS"
                  + who
                  + because
                  + ". Proceed only after applying these modifications: "
                  + (ci.getJsonObject("modifications") == null
                      ? "{}"
                      : ci.getJsonObject("modifications").encode());
          case "rejected" -> "REJECTED" + who + because + ". Do not perform this action.";
          case "expired" ->
              "EXPIRED: nobody decided in time. Do not perform this action;"
                  + " check in again if it is still needed.";
          case "withdrawn" -> "WITHDRAWN: this check-in was withdrawn. Do not perform the action.";
          default ->
              (waited
                      ? "Still "
                          + status
                          + " after waiting "
                          + waitedSeconds
                          + " s: no decision yet."
                      : "Check-in " + id + " is " + status + ": waiting for a human decision.")
                  + " Do not proceed yet. To wait for the decision call waitroom_check_status with"
                  + " check_in_id=\""
                  + id
                  + "\" and wait_seconds="
                  + McpTools.MAX_WAIT_SECONDS
                  + " (repeat while it stays pending).";
        };
    return ok("Check-in " + id + ": " + text + "\n" + flow(ci) + signed(ci), ci);
  }

  /**
   * The receipt's key in words, so an agent (or its log) can tell the decision is signed: the JWS
   * itself is in the JSON that follows ({@code receipt}).
   */
  static String signed(JsonObject ci) {
    String receipt = ci.getString("receipt");
    if (receipt == null) return "";
    int dot = receipt.indexOf('.');
    String kid = "?";
    try {
      kid =
          new JsonObject(
                  new String(
                      java.util.Base64.getUrlDecoder().decode(receipt.substring(0, dot)),
                      java.nio.charset.StandardCharsets.UTF_8))
              .getString("kid", "?");
    } catch (RuntimeException e) {
      // a malformed receipt names no key; it is still shown as it is
    }
    return "\nsigned receipt: " + kid + " (verify with the keys at /.well-known/jwks.json).";
  }

  /**
   * Approval-flow state in words: a quorum's progress (approvals still needed, each vote so far),
   * then the urgency and escalation level, which every check-in has.
   */
  static String flow(JsonObject ci) {
    StringBuilder s = new StringBuilder();
    JsonObject quorum = ci.getJsonObject("quorum");
    if (quorum != null) {
      JsonArray votes = ci.getJsonArray("votes", new JsonArray());
      s.append("Quorum: ")
          .append(quorum.getInteger("required"))
          .append(" approval(s) required")
          .append(
              quorum.getJsonArray("approvers") == null
                  ? " from any human"
                  : " from named approvers")
          .append(" (reject: ")
          .append(quorum.getString("reject", "any"))
          .append("); approvals still needed: ")
          .append(ci.getInteger("approvals_needed"))
          .append("; votes so far: ")
          .append(votes.size());
      for (int i = 0; i < votes.size(); i++) {
        JsonObject v = votes.getJsonObject(i);
        s.append(i == 0 ? " (" : ", ").append(v.getString("voter")).append(' ');
        s.append(v.getString("verdict"));
        String reason = v.getString("reason");
        if (reason != null && !reason.isEmpty()) s.append(": \"").append(reason).append('"');
        if (i == votes.size() - 1) s.append(')');
      }
      s.append(".\n");
    }
    return s.append("Urgency: ")
        .append(ci.getString("urgency"))
        .append("; escalation level: ")
        .append(ci.getInteger("escalation_level", 0))
        .append('.')
        .toString();
  }

  /** The shape of {@code GET /v1/check-ins/:id/status}: flat reason and modifications too. */
  static JsonObject flat(JsonObject checkIn) {
    JsonObject ci = checkIn.copy();
    JsonObject d = ci.getJsonObject("decision");
    if (!ci.containsKey("decision_reason")) {
      ci.put("decision_reason", d == null ? null : d.getString("reason"));
    }
    if (!ci.containsKey("modifications")) {
      ci.put("modifications", d == null ? null : d.getJsonObject("modifications"));
    }
    return ci;
  }

  private static String hint(ApiException e) {
    return switch (e.code()) {
      case "POLICY_FORBIDS" -> "The room's policy forbids this action: do not perform it.";
      case "RATE_LIMITED" -> "Too many requests: wait before calling again.";
      case "SERVICE_UNAVAILABLE" ->
          "The server's database is restarting: call the tool again in a few seconds.";
      case "NOT_FOUND" -> "Check the id, or call waitroom_list_rooms for the rooms you can use.";
      default -> null;
    };
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }
}
