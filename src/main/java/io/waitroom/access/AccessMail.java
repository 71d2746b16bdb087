package io.waitroom.access;

import io.vertx.core.Future;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import io.waitroom.Deps;
import io.waitroom.notify.SmtpSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in and invitation e-mails, sent at once through the configured SMTP server (one client per
 * node, made on first use). The caller never waits for the send, so the answer to "email me a link"
 * takes as long for an unknown address as for a known one.
 */
final class AccessMail {
  private static final Logger log = LoggerFactory.getLogger(AccessMail.class);
  private static volatile MailClient client;

  private AccessMail() {}

  static boolean enabled(Deps deps) {
    return deps.config().mailEnabled();
  }

  private static MailClient client(Deps deps) {
    MailClient c = client;
    if (c == null) {
      synchronized (AccessMail.class) {
        if (client == null) {
          client =
              MailClient.createShared(
                  deps.vertx(), SmtpSettings.parse(deps.config().smtpUrl()), "waitroom-access");
        }
        c = client;
      }
    }
    return c;
  }

  /** Sends in the background; a failure is logged (without the link), never answered. */
  static void send(Deps deps, String to, String subject, String text, String html) {
    if (!enabled(deps)) return;
    MailMessage m =
        new MailMessage()
            .setFrom(SmtpSettings.from(deps.config()))
            .setTo(to)
            .setSubject(subject)
            .setText(text);
    if (html != null) m.setHtml(html);
    Future<?> sent = client(deps).sendMail(m);
    sent.onFailure(
        e -> log.warn("access mail failed subject=\"{}\" error={}", subject, e.toString()));
  }
}
