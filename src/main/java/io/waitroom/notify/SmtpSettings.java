package io.waitroom.notify;

import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.StartTLSOptions;
import io.waitroom.config.ServerConfig;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code WAITROOM_SMTP_URL}: {@code smtp://user:pass@host:port} (STARTTLS when the server offers
 * it), {@code smtps://} for implicit TLS (port 465 by default), {@code ?starttls=required} to
 * refuse a server without it, {@code ?starttls=optional} (the default for {@code smtp://}). The
 * user and password are percent-decoded and never logged.
 */
public final class SmtpSettings {
  private SmtpSettings() {}

  /**
   * The {@code From} of every e-mail: {@code WAITROOM_MAIL_FROM}, else {@code Waitroom
   * <waitroom@<public host>>}.
   */
  public static String from(ServerConfig config) {
    if (config.mailFrom() != null) return config.mailFrom();
    String host;
    try {
      host = URI.create(config.publicUrl()).getHost();
    } catch (RuntimeException e) {
      host = null;
    }
    return "Waitroom <waitroom@" + (host == null ? "localhost" : host) + ">";
  }

  /** The mail client's configuration; a malformed URL stops the start with a clear message. */
  public static MailConfig parse(String url) {
    URI u;
    try {
      u = new URI(url.trim());
    } catch (Exception e) {
      throw new IllegalArgumentException("WAITROOM_SMTP_URL is not a URL (smtp://host:port)");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
    boolean tls =
        switch (scheme) {
          case "smtp" -> false;
          case "smtps" -> true;
          default ->
              throw new IllegalArgumentException(
                  "WAITROOM_SMTP_URL must start with smtp:// or smtps://");
        };
    if (u.getHost() == null) {
      throw new IllegalArgumentException("WAITROOM_SMTP_URL has no host");
    }
    MailConfig c =
        new MailConfig()
            .setHostname(u.getHost())
            .setPort(u.getPort() > 0 ? u.getPort() : tls ? 465 : 25)
            .setSsl(tls)
            .setStarttls(tls ? StartTLSOptions.DISABLED : StartTLSOptions.OPTIONAL)
            .setKeepAlive(true)
            .setMaxPoolSize(8)
            .setConnectTimeout(5_000);
    String query = u.getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if ("starttls".equals(k)) {
          c.setStarttls(
              switch (v) {
                case "required" -> StartTLSOptions.REQUIRED;
                case "optional" -> StartTLSOptions.OPTIONAL;
                case "disabled" -> StartTLSOptions.DISABLED;
                default ->
                    throw new IllegalArgumentException(
                        "WAITROOM_SMTP_URL: starttls must be required, optional or disabled");
              });
        }
      }
    }
    String info = u.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      c.setUsername(decode(colon < 0 ? info : info.substring(0, colon)));
      c.setPassword(colon < 0 ? "" : decode(info.substring(colon + 1)));
      c.setLogin(LoginOption.REQUIRED);
    } else {
      c.setLogin(LoginOption.DISABLED);
    }
    return c;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
