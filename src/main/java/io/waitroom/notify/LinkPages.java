package io.waitroom.notify;

import static io.waitroom.notify.Html.escape;

import io.waitroom.checkins.CheckIn;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;

/**
 * The server-rendered pages of an action link: the confirmation (a form that posts, no script at
 * all), the result, and the pages that explain why a link does nothing. Readable at 360 px; every
 * agent-written text is escaped.
 */
final class LinkPages {
  private LinkPages() {}

  /** At most this much of the context is shown (the dashboard shows all of it). */
  static final int CONTEXT_CHARS = 4096;

  private static final String STYLE =
      """
      :root{color-scheme:light dark;--fg:#1b1f24;--muted:#59636e;--bg:#f6f8fa;--card:#fff;\
      --line:#d1d9e0;--ok:#1a7f37;--bad:#cf222e;--accent:#0969da}
      @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;\
      --card:#151b23;--line:#3d444d;--ok:#3fb950;--bad:#f85149;--accent:#4493f8}}
      *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);\
      background:var(--bg)}main{max-width:40rem;margin:0 auto;padding:1rem}\
      .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem}\
      h1{font-size:1.25rem;margin:.25rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .5rem;\
      overflow-wrap:anywhere}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;\
      margin:0 0 1rem}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}\
      pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.5rem;\
      overflow:auto;max-height:20rem;font-size:.85rem;white-space:pre-wrap;overflow-wrap:anywhere}\
      .desc{white-space:pre-wrap;overflow-wrap:anywhere}label{display:block;font-weight:600;\
      margin:1rem 0 .25rem}textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;\
      border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}\
      button{margin-top:1rem;width:100%;font:inherit;font-weight:600;padding:.75rem;border:0;\
      border-radius:6px;color:#fff;cursor:pointer}.approve{background:var(--ok)}\
      .reject{background:var(--bad)}.error{color:var(--bad);font-weight:600}\
      .muted{color:var(--muted)}a{color:var(--accent)}.risk-high,.risk-critical{color:var(--bad);\
      font-weight:600}""";

  /** The pages' Content-Security-Policy: no script at all, only this one style block. */
  static final String CSP =
      "default-src 'none'; style-src '"
          + sha256(STYLE)
          + "'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private static String sha256(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        + "<meta name=\"robots\" content=\"noindex\"><title>"
        + escape(title)
        + " · Waitroom</title><style>"
        + STYLE
        + "</style></head><body><main>"
        + body
        + "</main></body></html>";
  }

  /**
   * What the check-in asks: room, agent, risk, urgency, time left, action, description, context.
   */
  static String summary(CheckInView v, Instant now) {
    CheckIn ci = v.checkIn();
    StringBuilder b = new StringBuilder("<div class=\"card\">");
    b.append("<h2>").append(escape(ci.action())).append("</h2><dl>");
    row(b, "Room", escape(v.roomName()));
    row(b, ci.isTask() ? "Done by" : "Agent", escape(v.agentLabel()));
    row(
        b,
        "Risk",
        "<span class=\"risk-"
            + escape(ci.riskLevel())
            + "\">"
            + escape(ci.riskLevel())
            + "</span>");
    row(b, "Urgency", escape(ci.urgency()));
    if (CheckIn.OPEN.contains(ci.status())) row(b, "Time left", escape(v.timeLeft(now)));
    Integer needed = ci.approvalsNeeded();
    if (needed != null && needed > 0) {
      row(b, "Approvals", needed + " more needed");
    }
    b.append("</dl>");
    if (ci.description() != null && !ci.description().isEmpty()) {
      b.append("<p class=\"desc\">").append(escape(ci.description())).append("</p>");
    }
    String context = v.contextText(CONTEXT_CHARS);
    if (context != null) {
      b.append("<p class=\"muted\">Context</p><pre>").append(escape(context)).append("</pre>");
    }
    return b.append("</div>").toString();
  }

  private static void row(StringBuilder b, String name, String valueHtml) {
    b.append("<dt>").append(name).append("</dt><dd>").append(valueHtml).append("</dd>");
  }

  /**
   * The confirmation page: one form that posts back to the same link (no action attribute: the
   * link's own URL), with the verdict's button and a reason.
   */
  static String confirm(
      CheckInView v, boolean approve, String error, String reasonTyped, Instant now) {
    String verb = approve ? "Approve" : "Reject";
    StringBuilder b = new StringBuilder();
    b.append("<h1>").append(verb).append(" this request?</h1>");
    b.append(summary(v, now));
    b.append("<form method=\"post\">");
    if (error != null) {
      b.append("<p class=\"error\" role=\"alert\">").append(escape(error)).append("</p>");
    }
    b.append("<label for=\"reason\">Reason")
        .append(approve ? " <span class=\"muted\">(optional)</span>" : "")
        .append("</label><textarea id=\"reason\" name=\"reason\" maxlength=\"2000\"")
        .append(approve ? "" : " required")
        .append(">")
        .append(escape(reasonTyped))
        .append("</textarea><button type=\"submit\" class=\"")
        .append(approve ? "approve" : "reject")
        .append("\">")
        .append(verb)
        .append("</button></form>");
    return page(verb + ": " + Html.cut(v.checkIn().action(), 60), b.toString());
  }

  static String result(String headline, String detail, String openUrl) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>").append(escape(headline)).append("</h1>");
    if (detail != null) b.append("<p class=\"desc\">").append(escape(detail)).append("</p>");
    if (openUrl != null) {
      b.append("<p><a href=\"").append(escape(openUrl)).append("\">Open in Waitroom</a></p>");
    }
    return page(headline, b.toString());
  }
}
