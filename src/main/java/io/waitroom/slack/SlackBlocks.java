package io.waitroom.slack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.checkins.CheckIn;
import io.waitroom.notify.CheckInView;
import io.waitroom.policy.Quorum;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A check-in as a Slack message (Block Kit), inside Slack's limits: a header of at most 150
 * characters, section text and fields of at most 3000 and 2000, button labels of 75, a confirm
 * dialog's text of 300. Everything an agent wrote is escaped ({@code & < >}), so it shows as text
 * and never mentions anyone or links anywhere.
 */
public final class SlackBlocks {
  private SlackBlocks() {}

  public static final String APPROVE = "waitroom_approve";
  public static final String REJECT = "waitroom_reject";
  public static final String OPEN = "waitroom_open";
  public static final String REJECT_MODAL = "waitroom_reject_modal";
  public static final String REASON_BLOCK = "reason";
  public static final String REASON_INPUT = "reason_input";

  static final int HEADER_MAX = 150;
  static final int SECTION_MAX = 3000;
  static final int FIELD_MAX = 2000;
  static final int FALLBACK_MAX = 300;

  private static final DateTimeFormatter HHMM =
      DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** The message for a check-in as it is now: buttons while it is pending, the outcome after. */
  public static JsonObject message(
      CheckInView v, Map<String, String> names, String publicUrl, Instant now) {
    CheckIn ci = v.checkIn();
    boolean pending = "pending".equals(ci.status());
    JsonArray blocks = new JsonArray();
    blocks.add(
        new JsonObject().put("type", "header").put("text", plain(cut(ci.action(), HEADER_MAX))));
    JsonArray fields =
        new JsonArray()
            .add(mrkdwn(field("Room", v.roomName())))
            .add(mrkdwn(field("Agent", v.agentLabel())))
            .add(mrkdwn(field("Risk", ci.riskLevel())))
            .add(mrkdwn(field("Urgency", ci.urgency())));
    if (pending) fields.add(mrkdwn("*Time left*\n" + timeLeft(v, now)));
    blocks.add(new JsonObject().put("type", "section").put("fields", fields));
    if (ci.description() != null && !ci.description().isBlank()) {
      blocks.add(section(cut(escape(ci.description()), SECTION_MAX)));
    }
    if (ci.context() != null && !ci.context().isEmpty()) {
      blocks.add(section(codeBlock(ci.context().encodePrettily())));
    }
    if (ci.quorum() != null) blocks.add(quorum(ci, names));
    if (!pending) blocks.add(section(outcome(v, names)));
    JsonArray actions = new JsonArray();
    if (pending) {
      actions
          .add(
              new JsonObject()
                  .put("type", "button")
                  .put("action_id", APPROVE)
                  .put("style", "primary")
                  .put("text", plain("Approve"))
                  .put("value", ci.id())
                  .put(
                      "confirm",
                      new JsonObject()
                          .put("title", plain("Approve this action?"))
                          .put("text", plain(cut("The agent will go ahead: " + ci.action(), 300)))
                          .put("confirm", plain("Approve"))
                          .put("deny", plain("Cancel"))))
          .add(
              new JsonObject()
                  .put("type", "button")
                  .put("action_id", REJECT)
                  .put("style", "danger")
                  .put("text", plain("Reject"))
                  .put("value", ci.id()));
    }
    actions.add(
        new JsonObject()
            .put("type", "button")
            .put("action_id", OPEN)
            .put("text", plain("Open in Waitroom"))
            .put("url", detailUrl(publicUrl, ci.id())));
    blocks.add(
        new JsonObject()
            .put("type", "actions")
            .put("block_id", "waitroom")
            .put("elements", actions));
    String text =
        pending
            ? "Approval needed: " + cut(ci.action(), FALLBACK_MAX)
            : outcomePlain(v, names) + ": " + cut(ci.action(), FALLBACK_MAX);
    return new JsonObject().put("text", escape(text)).put("blocks", blocks);
  }

  /** The dashboard's page of a check-in. */
  public static String detailUrl(String publicUrl, String checkInId) {
    return publicUrl + "/#/check-ins/" + checkInId;
  }

  /** The modal a Reject click opens: a required reason; the check-in rides in its metadata. */
  public static JsonObject rejectModal(String checkInId, String channel, String action) {
    return new JsonObject()
        .put("type", "modal")
        .put("callback_id", REJECT_MODAL)
        .put(
            "private_metadata",
            new JsonObject().put("check_in_id", checkInId).put("channel", channel).encode())
        .put("title", plain("Reject"))
        .put("submit", plain("Reject"))
        .put("close", plain("Cancel"))
        .put(
            "blocks",
            new JsonArray()
                .add(section(cut("*Reject:* " + escape(action), SECTION_MAX)))
                .add(
                    new JsonObject()
                        .put("type", "input")
                        .put("block_id", REASON_BLOCK)
                        .put("label", plain("Reason"))
                        .put(
                            "element",
                            new JsonObject()
                                .put("type", "plain_text_input")
                                .put("action_id", REASON_INPUT)
                                .put("multiline", true)
                                .put("min_length", 1)
                                .put("max_length", 2000))));
  }

  /** "Escalated to level 2: <@U1> <@U2>, please decide." */
  static String escalation(int level, JsonArray slackUsers) {
    StringBuilder b = new StringBuilder("Escalated to level ").append(level);
    if (slackUsers != null && !slackUsers.isEmpty()) {
      b.append(':');
      for (Object u : slackUsers) b.append(" <@").append(u).append('>');
      b.append(", please decide.");
    } else {
      b.append(": still waiting for a decision.");
    }
    return b.toString();
  }

  private static JsonObject quorum(CheckIn ci, Map<String, String> names) {
    Quorum q = ci.quorumRule();
    int approvals = 0;
    StringBuilder votes = new StringBuilder();
    JsonArray list = ci.votes() == null ? new JsonArray() : ci.votes();
    for (int i = 0; i < list.size(); i++) {
      JsonObject vote = list.getJsonObject(i);
      String verdict = vote.getString("verdict");
      if ("approved".equals(verdict)) approvals++;
      if (votes.length() > 0) votes.append(", ");
      votes.append(escape(name(names, vote.getString("voter")))).append(' ').append(verdict);
    }
    int needed = ci.approvalsNeeded() == null ? 0 : ci.approvalsNeeded();
    int have = "pending".equals(ci.status()) ? Math.max(0, q.required() - needed) : approvals;
    String text = have + " of " + q.required() + " approvals";
    if (votes.length() > 0) text += " · votes: " + votes;
    return new JsonObject()
        .put("type", "context")
        .put("elements", new JsonArray().add(mrkdwn(cut(text, SECTION_MAX))));
  }

  /** "*Approved* by Alice · 14:02", "*Expired*", "*Modified* by Bob: `{...}`". */
  static String outcome(CheckInView v, Map<String, String> names) {
    CheckIn ci = v.checkIn();
    String by = escape(decider(v, names));
    String at = at(ci.decidedAt());
    String text =
        switch (ci.status()) {
          case "approved" -> ":white_check_mark: *Approved* by " + by + at;
          case "rejected" ->
              ":no_entry: *Rejected* by "
                  + by
                  + at
                  + (ci.decisionReason() == null ? "" : ": " + escape(ci.decisionReason()));
          case "modified" ->
              ":pencil2: *Modified* by "
                  + by
                  + at
                  + (ci.decisionModifications() == null
                      ? ""
                      : ": `"
                          + escape(ci.decisionModifications().encode()).replace("`", "'")
                          + "`");
          case "expired" -> ":hourglass: *Expired*";
          case "withdrawn" -> ":leftwards_arrow_with_hook: *Withdrawn* by the agent";
          default -> "*" + ci.status() + "*";
        };
    return cut(text, SECTION_MAX);
  }

  private static String outcomePlain(CheckInView v, Map<String, String> names) {
    return switch (v.checkIn().status()) {
      case "approved" -> "Approved by " + decider(v, names);
      case "rejected" -> "Rejected by " + decider(v, names);
      case "modified" -> "Modified by " + decider(v, names);
      case "expired" -> "Expired";
      case "withdrawn" -> "Withdrawn";
      default -> v.checkIn().status();
    };
  }

  static String decider(CheckInView v, Map<String, String> names) {
    String by = v.checkIn().decidedBy();
    if (by != null && names.containsKey(by)) return names.get(by);
    return v.deciderLabel();
  }

  private static String name(Map<String, String> names, String id) {
    String n = names.get(id);
    return n == null ? id : n;
  }

  /** " · <!date^...^{time}|14:02 UTC>": Slack shows it in the reader's time zone. */
  private static String at(String iso) {
    if (iso == null) return "";
    Instant t = Instant.parse(iso);
    return " · <!date^" + t.getEpochSecond() + "^{time}|" + HHMM.format(t) + ">";
  }

  private static String timeLeft(CheckInView v, Instant now) {
    String left = v.timeLeft(now);
    String expires = v.checkIn().expiresAt();
    if (expires == null || "expired".equals(left)) return left;
    Instant t = Instant.parse(expires);
    return left + " (until <!date^" + t.getEpochSecond() + "^{time}|" + HHMM.format(t) + ">)";
  }

  private static String field(String label, String value) {
    return cut("*" + label + "*\n" + escape(value == null ? "-" : value), FIELD_MAX);
  }

  /** A code block whose content cannot close it early, within a section's limit. */
  static String codeBlock(String text) {
    String body = escape(text).replace("```", "`\u200b`\u200b`");
    return "```" + cut(body, SECTION_MAX - 6) + "```";
  }

  private static JsonObject section(String mrkdwn) {
    return new JsonObject().put("type", "section").put("text", mrkdwn(mrkdwn));
  }

  private static JsonObject plain(String text) {
    return new JsonObject().put("type", "plain_text").put("text", text).put("emoji", true);
  }

  private static JsonObject mrkdwn(String text) {
    return new JsonObject().put("type", "mrkdwn").put("text", text);
  }

  /** Slack's three control characters, so text from agents is shown and never parsed. */
  static String escape(String s) {
    if (s == null) return "";
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** At most {@code max} characters (code points), with an ellipsis when cut. */
  static String cut(String s, int max) {
    if (s == null) return "";
    if (s.codePointCount(0, s.length()) <= max) return s;
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }
}
