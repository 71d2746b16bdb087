package io.waitroom.notify;

import static io.waitroom.notify.Html.escape;

import io.vertx.core.MultiMap;
import io.vertx.ext.mail.MailMessage;
import io.waitroom.checkins.CheckIn;
import java.net.URI;
import java.time.Instant;

/**
 * The e-mail a human gets for a check-in waiting for them: a plain-text part with the lines {@code
 * Approve: <url>}, {@code Reject: <url>} and {@code Open: <url>} (the recipient's own links), and
 * an HTML part with the same as buttons. Agent text is escaped in the HTML and kept to one line in
 * the subject; nothing of it is ever interpreted.
 */
final class MailMessages {
  private MailMessages() {}

  static final int MAX_SUBJECT = 150;
  static final int CONTEXT_CHARS = 4096;

  /** {@code [Waitroom] <risk> · <room>: <action>}, "Escalated" first for a step, at most 150. */
  static String subject(CheckInView v, int level) {
    CheckIn ci = v.checkIn();
    String s =
        "[Waitroom] "
            + (level > 0 ? "Escalated · " : "")
            + ci.riskLevel()
            + " · "
            + Html.oneLine(v.roomName())
            + ": "
            + Html.oneLine(ci.action());
    return Html.cut(s, MAX_SUBJECT);
  }

  static MailMessage build(
      String from,
      String to,
      CheckInView v,
      ActionLinks.Minted links,
      int level,
      String base,
      String deliveryId) {
    CheckIn ci = v.checkIn();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    headers.add("Auto-Submitted", "auto-generated");
    headers.add("X-Auto-Response-Suppress", "All");
    headers.add(
        "Message-ID", "<" + ci.id() + "." + deliveryId + "." + level + "@" + host(base) + ">");
    return new MailMessage()
        .setFrom(from)
        .setTo(to)
        .setSubject(subject(v, level))
        .setHeaders(headers)
        .setText(text(v, links, level, base))
        .setHtml(html(v, links, level, base));
  }

  static String text(CheckInView v, ActionLinks.Minted links, int level, String base) {
    CheckIn ci = v.checkIn();
    StringBuilder b = new StringBuilder();
    if (level > 0) b.append("Escalated (level ").append(level).append(").\n\n");
    b.append(v.agentLabel())
        .append(" asks in ")
        .append(v.roomName())
        .append(":\n\n")
        .append(ci.action())
        .append("\n\n");
    b.append("Risk: ").append(ci.riskLevel()).append("\n");
    b.append("Urgency: ").append(ci.urgency()).append("\n");
    b.append("Time left: ").append(v.timeLeft(Instant.now())).append("\n");
    Integer needed = ci.approvalsNeeded();
    if (needed != null && needed > 0) b.append("Approvals needed: ").append(needed).append("\n");
    if (ci.description() != null && !ci.description().isEmpty()) {
      b.append("\n").append(ci.description()).append("\n");
    }
    String context = v.contextText(CONTEXT_CHARS);
    if (context != null) b.append("\nContext:\n").append(context).append("\n");
    b.append("\nApprove: ").append(links.approve()).append("\n");
    b.append("Reject: ").append(links.reject()).append("\n");
    b.append("Open: ").append(links.open()).append("\n");
    b.append("\nEach link asks you to confirm before anything happens, works once, and only for")
        .append(" you.\nNotification settings: ")
        .append(base)
        .append("/#/notifications\n");
    return b.toString();
  }

  static String html(CheckInView v, ActionLinks.Minted links, int level, String base) {
    CheckIn ci = v.checkIn();
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html><html><body style=\"margin:0;padding:16px;background:#f6f8fa;")
        .append("font-family:system-ui,sans-serif;color:#1b1f24\">")
        .append("<div style=\"max-width:560px;margin:0 auto;background:#fff;border:1px solid ")
        .append("#d1d9e0;border-radius:8px;padding:16px\">");
    if (level > 0) {
      b.append("<p style=\"color:#cf222e;font-weight:600;margin:0 0 8px\">Escalated (level ")
          .append(level)
          .append(")</p>");
    }
    b.append("<p style=\"margin:0 0 8px;color:#59636e\">")
        .append(escape(v.agentLabel()))
        .append(" asks in ")
        .append(escape(v.roomName()))
        .append("</p><h1 style=\"font-size:18px;margin:0 0 12px;word-break:break-word\">")
        .append(escape(ci.action()))
        .append("</h1><p style=\"margin:0 0 12px\">Risk: <b>")
        .append(escape(ci.riskLevel()))
        .append("</b> · Urgency: ")
        .append(escape(ci.urgency()))
        .append(" · ")
        .append(escape(v.timeLeft(Instant.now())));
    Integer needed = ci.approvalsNeeded();
    if (needed != null && needed > 0) b.append(" · ").append(needed).append(" approvals needed");
    b.append("</p>");
    if (ci.description() != null && !ci.description().isEmpty()) {
      b.append("<p style=\"white-space:pre-wrap;word-break:break-word\">")
          .append(escape(ci.description()))
          .append("</p>");
    }
    String context = v.contextText(CONTEXT_CHARS);
    if (context != null) {
      b.append("<pre style=\"background:#f6f8fa;border:1px solid #d1d9e0;border-radius:6px;")
          .append("padding:8px;white-space:pre-wrap;word-break:break-word;font-size:13px\">")
          .append(escape(context))
          .append("</pre>");
    }
    b.append("<p style=\"margin:16px 0\">");
    button(b, links.approve(), "Approve", "#1a7f37");
    button(b, links.reject(), "Reject", "#cf222e");
    button(b, links.open(), "Open in Waitroom", "#59636e");
    b.append("</p><p style=\"font-size:12px;color:#59636e\">Each link asks you to confirm ")
        .append("before anything happens, works once, and only for you. <a href=\"")
        .append(escape(base))
        .append("/#/notifications\">Notification settings</a></p></div></body></html>");
    return b.toString();
  }

  private static void button(StringBuilder b, String url, String label, String colour) {
    b.append("<a href=\"")
        .append(escape(url))
        .append("\" style=\"display:inline-block;margin:0 8px 8px 0;padding:10px 16px;")
        .append("border-radius:6px;color:#fff;text-decoration:none;font-weight:600;background:")
        .append(colour)
        .append("\">")
        .append(label)
        .append("</a>");
  }

  private static String host(String base) {
    try {
      String h = URI.create(base).getHost();
      return h == null ? "waitroom" : h;
    } catch (RuntimeException e) {
      return "waitroom";
    }
  }
}
