package io.waitroom.access;

import static io.waitroom.notify.Html.escape;

import io.vertx.ext.web.RoutingContext;

/**
 * The small server-rendered pages of signing in: an e-mail link's and an invitation's confirmation
 * (a GET shows a button, only its POST acts, like the action links), "check your e-mail", and a
 * failed sign-in. Everything a person or a provider typed is escaped.
 */
final class AuthPages {
  private AuthPages() {}

  static void write(RoutingContext ctx, int status, String title, String body) {
    String page =
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>%s · Waitroom</title>
        <style>
          body{font:16px/1.5 system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
          h1{font-size:1.4rem} button,.button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;
          border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
          .muted{color:#5a6270} form{margin:1rem 0}
        </style></head>
        <body><main><h1>%s</h1>%s</main></body></html>
        """
            .formatted(escape(title), escape(title), body);
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors"
                + " 'none'")
        .end(page);
  }

  static void failed(RoutingContext ctx, int status, String why) {
    write(
        ctx,
        status,
        "Sign-in failed",
        "<p>" + escape(why) + "</p><p><a href=\"/\">Back to the sign-in page</a></p>");
  }

  /** A form that POSTs to the page's own URL. */
  static String button(String label) {
    return "<form method=\"post\"><button type=\"submit\">" + escape(label) + "</button></form>";
  }
}
