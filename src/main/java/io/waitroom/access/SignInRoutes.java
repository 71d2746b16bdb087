package io.waitroom.access;

import static io.waitroom.notify.Html.escape;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out without a token: what the sign-in page offers ({@code GET /auth/config}),
 * e-mail sign-in links ({@code POST /auth/email}; the link's page {@code /auth/email/<token>}),
 * accepting an invitation ({@code /auth/invitations/<token>}) and signing out ({@code POST
 * /auth/logout}). Links follow the action links' rules: the token is stored hashed, a GET shows a
 * page and never acts, only the page's POST signs in, once.
 */
final class SignInRoutes {
  private static final Logger log = LoggerFactory.getLogger(SignInRoutes.class);
  static final String EMAIL_LINK = "/auth/email/";
  static final String INVITATION_LINK = "/auth/invitations/";

  private final Deps deps;

  SignInRoutes(Deps deps) {
    this.deps = deps;
  }

  void mount(Router router) {
    router.get("/auth/config").handler(this::config);
    router.post("/auth/logout").handler(this::logout);
    router.post("/auth/email").handler(this::requestLink);
    // Link pages, like the action links' /d/<token>: the token is the credential, a GET shows
    // the page, a POST acts (prefix routes: pages, not API operations).
    router
        .route(EMAIL_LINK + "*")
        .handler(ctx -> page(ctx, EMAIL_LINK, this::linkPage, this::useLink));
    router
        .route(INVITATION_LINK + "*")
        .handler(ctx -> page(ctx, INVITATION_LINK, this::invitationPage, this::acceptInvitation));
  }

  private static void page(
      RoutingContext ctx,
      String prefix,
      io.vertx.core.Handler<RoutingContext> show,
      io.vertx.core.Handler<RoutingContext> act) {
    String token = ctx.normalizedPath().substring(prefix.length());
    ctx.put("token", token);
    switch (ctx.request().method().name()) {
      case "GET", "HEAD" -> show.handle(ctx);
      case "POST" -> act.handle(ctx);
      default -> {
        ctx.response().putHeader("Allow", "GET, POST");
        AuthPages.failed(ctx, 405, "Open the link in a browser.");
      }
    }
  }

  private void config(RoutingContext ctx) {
    AccessSettings s = deps.config().access();
    JsonObject data =
        new JsonObject()
            .put(
                "oidc",
                new JsonObject()
                    .put("enabled", s.oidcEnabled())
                    .put("name", s.oidcName())
                    .put("login", "/auth/oidc/login"))
            .put("email", new JsonObject().put("enabled", AccessMail.enabled(deps)));
    json(ctx, 200, data);
  }

  private static void json(RoutingContext ctx, int status, JsonObject data) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("data", data).encode());
  }

  private static void error(RoutingContext ctx, ApiException e) {
    JsonObject err =
        new JsonObject()
            .put("code", e.code())
            .put("message", e.getMessage())
            .put("statusCode", e.status());
    if (e.details() != null) err.put("details", e.details());
    ctx.response()
        .setStatusCode(e.status())
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", err).encode());
  }

  private void logout(RoutingContext ctx) {
    if (Sessions.raw(ctx) != null && !Sessions.sameSite(ctx, deps.config())) {
      error(
          ctx,
          ApiException.forbidden(
              "signing out by cookie must carry X-Requested-With: waitroom or this server's"
                  + " Origin"));
      return;
    }
    Tx.run(deps.vertx(), deps.pool(), tx -> Sessions.end(tx, ctx))
        .onComplete(
            ar -> {
              ctx.response().addCookie(Sessions.cleared(deps.config()));
              if (ar.failed()) {
                log.warn("sign-out failed: {}", ar.cause().toString());
                error(ctx, new ApiException(500, "INTERNAL", "internal error", null));
                return;
              }
              json(ctx, 200, new JsonObject().put("signed_out", true));
            });
  }

  // ---- e-mail sign-in links ----

  /** The address from a JSON body {@code {"email"}} or a form field {@code email}. */
  private static String address(RoutingContext ctx) {
    String v = null;
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && type.startsWith("application/json")) {
      try {
        Object o = ctx.body().asJsonObject().getValue("email");
        v = o instanceof String s ? s : null;
      } catch (RuntimeException e) {
        v = null;
      }
    } else {
      v = ctx.request().getFormAttribute("email");
    }
    if (v == null) return null;
    v = v.trim();
    if (v.length() > 254 || !v.matches("[^\\s@<>(),;:\"\\[\\]]+@[^\\s@<>(),;:\"\\[\\]]+")) {
      return null;
    }
    return v;
  }

  private void requestLink(RoutingContext ctx) {
    String email = address(ctx);
    String type = ctx.request().getHeader("Content-Type");
    boolean wantsJson =
        (type != null && type.startsWith("application/json"))
            || (ctx.request().getHeader("Accept") != null
                && ctx.request().getHeader("Accept").contains("application/json"));
    if (email == null) {
      if (wantsJson) error(ctx, ApiException.validation("email", "must be an e-mail address"));
      else AuthPages.failed(ctx, 400, "That is not an e-mail address.");
      return;
    }
    if (!AccessMail.enabled(deps)) {
      if (wantsJson) {
        error(ctx, new ApiException(404, "NOT_FOUND", "e-mail sign-in is not configured", null));
      } else {
        AuthPages.failed(ctx, 404, "E-mail sign-in is not configured on this server.");
      }
      return;
    }
    // The answer never waits for the lookup or the send: the same, as fast, for any address.
    deps.pool()
        .preparedQuery(SignInSql.KNOWN_ADDRESS)
        .execute(Tuple.of(email))
        .onSuccess(
            rows -> {
              for (Row r : rows) mintAndSend(email, r);
            })
        .onFailure(e -> log.warn("sign-in link lookup failed: {}", e.toString()));
    String said =
        "If " + email + " may sign in here, a sign-in link is on its way (valid 15 minutes).";
    if (wantsJson) {
      json(ctx, 202, new JsonObject().put("message", said));
    } else {
      AuthPages.write(
          ctx,
          202,
          "Check your e-mail",
          "<p>" + escape(said) + "</p><p class=\"muted\">You can close this page.</p>");
    }
  }

  private void mintAndSend(String email, Row r) {
    String token = Ids.secret("wl_", 43);
    deps.pool()
        .preparedQuery(SignInSql.INSERT_LINK)
        .execute(
            Tuple.of(
                Sessions.hashOf(token),
                r.getString("org_id"),
                r.getString("user_id"),
                r.getString("invitation_id")))
        .onSuccess(
            v -> {
              String url = deps.config().publicUrl() + EMAIL_LINK + token;
              AccessMail.send(
                  deps,
                  email,
                  "Your Waitroom sign-in link",
                  "Sign in to Waitroom: "
                      + url
                      + "\n\nThe link works once, for 15 minutes. If you did not ask for it,"
                      + " ignore this e-mail.\n",
                  "<p><a href=\""
                      + escape(url)
                      + "\">Sign in to Waitroom</a></p><p>The link works once, for 15 minutes. If"
                      + " you did not ask for it, ignore this e-mail.</p>");
            })
        .onFailure(e -> log.warn("sign-in link failed: {}", e.toString()));
  }

  private static String token(RoutingContext ctx) {
    String t = ctx.get("token");
    return t == null || t.isEmpty() || t.length() > 200 || t.contains("/") ? null : t;
  }

  private void linkPage(RoutingContext ctx) {
    String token = token(ctx);
    if (token == null) {
      AuthPages.failed(ctx, 404, "This sign-in link is not valid.");
      return;
    }
    deps.pool()
        .preparedQuery(SignInSql.FIND_LINK)
        .execute(Tuple.of(Sessions.hashOf(token)))
        .onSuccess(
            rows -> {
              if (rows.size() == 0) {
                AuthPages.failed(
                    ctx, 404, "This sign-in link has been used or has expired. Ask for a new one.");
                return;
              }
              AuthPages.write(
                  ctx,
                  200,
                  "Sign in to Waitroom",
                  "<p>Sign in to <b>"
                      + escape(rows.iterator().next().getString("external_id"))
                      + "</b> in this browser.</p>"
                      + AuthPages.button("Sign in"));
            })
        .onFailure(e -> AuthPages.failed(ctx, 500, "Something went wrong; try again."));
  }

  private void useLink(RoutingContext ctx) {
    String token = token(ctx);
    if (token == null) {
      AuthPages.failed(ctx, 404, "This sign-in link is not valid.");
      return;
    }
    deps.pool()
        .preparedQuery(SignInSql.SPEND_LINK)
        .execute(Tuple.of(Sessions.hashOf(token)))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.<String>failedFuture(
                    new OidcRoutes.SignInRefused(
                        404, "This sign-in link has been used or has expired. Ask for a new one."));
              }
              Row link = rows.iterator().next();
              if (link.getString("user_id") != null) {
                return SignIn.known(deps, link.getString("user_id"));
              }
              return one(SignInSql.OPEN_INVITATION_BY_ID, Tuple.of(link.getString("invitation_id")))
                  .compose(inv -> acceptByEmail(inv));
            })
        .onComplete(ar -> finish(ctx, ar));
  }

  // ---- invitations ----

  private void invitationPage(RoutingContext ctx) {
    String token = token(ctx);
    if (token == null) {
      AuthPages.failed(ctx, 404, "This invitation is not valid.");
      return;
    }
    one(SignInSql.OPEN_INVITATION_BY_TOKEN, Tuple.of(Sessions.hashOf(token)))
        .onSuccess(
            inv -> {
              if (inv == null) {
                AuthPages.failed(
                    ctx, 404, "This invitation has been used, revoked or has expired.");
                return;
              }
              AccessSettings s = deps.config().access();
              String sso =
                  s.oidcEnabled()
                      ? "<p><a class=\"button\" href=\"/auth/oidc/login?invitation="
                          + escape(token)
                          + "\">Sign in with "
                          + escape(s.oidcName())
                          + "</a></p><p class=\"muted\">or</p>"
                      : "";
              AuthPages.write(
                  ctx,
                  200,
                  "Join " + inv.getString("external_id") + " on Waitroom",
                  "<p>You are invited as <b>"
                      + escape(inv.getString("role"))
                      + "</b> ("
                      + escape(inv.getString("email"))
                      + ").</p>"
                      + sso
                      + AuthPages.button("Join with " + inv.getString("email")));
            })
        .onFailure(e -> AuthPages.failed(ctx, 500, "Something went wrong; try again."));
  }

  /** The invitation's link reached its address: following it and pressing the button accepts. */
  private void acceptInvitation(RoutingContext ctx) {
    String token = token(ctx);
    if (token == null) {
      AuthPages.failed(ctx, 404, "This invitation is not valid.");
      return;
    }
    one(SignInSql.OPEN_INVITATION_BY_TOKEN, Tuple.of(Sessions.hashOf(token)))
        .compose(this::acceptByEmail)
        .onComplete(ar -> finish(ctx, ar));
  }

  /** Joins the invitation's org as the human of its address (subject {@code email:<address>}). */
  private Future<String> acceptByEmail(Row inv) {
    if (inv == null) {
      return Future.failedFuture(
          new OidcRoutes.SignInRefused(
              404, "This invitation has been used, revoked or has expired."));
    }
    String email = inv.getString("email");
    return SignIn.complete(
        deps,
        new SignIn.Who(
            inv.getString("external_id"), "email:" + email.toLowerCase(Locale.ROOT), email, email),
        inv,
        "invitation",
        Role.VIEWER);
  }

  private void finish(RoutingContext ctx, io.vertx.core.AsyncResult<String> ar) {
    if (ar.succeeded()) {
      ctx.response()
          .addCookie(Sessions.cookie(deps.config(), ar.result()))
          .putHeader("Location", "/")
          .putHeader("Cache-Control", "no-store")
          .setStatusCode(303)
          .end();
      return;
    }
    Throwable e = ar.cause();
    if (e instanceof OidcRoutes.SignInRefused r) AuthPages.failed(ctx, r.status, r.getMessage());
    else if (e instanceof ApiException a) AuthPages.failed(ctx, a.status(), a.getMessage());
    else {
      log.warn("sign-in failed: {}", e.toString());
      AuthPages.failed(ctx, 500, "The sign-in failed; try again.");
    }
  }

  private Future<Row> one(String sql, Tuple params) {
    return deps.pool()
        .preparedQuery(sql)
        .execute(params)
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }
}
