package io.waitroom.access;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenID Connect sign-in with the company's identity provider: the authorization code flow with
 * PKCE, {@code state} and {@code nonce}. {@code vertx-auth-oauth2} discovers the provider,
 * exchanges the code and verifies the ID token's signature (the provider's JWKS), issuer, audience
 * and expiry; this class keeps the state (hashed, single-use, bound to the browser by a cookie),
 * checks the nonce (and the claims again), and ends in {@link SignIn}.
 */
final class OidcRoutes {
  private static final Logger log = LoggerFactory.getLogger(OidcRoutes.class);
  static final String STATE_COOKIE = "waitroom_oidc";
  static final String CALLBACK = "/auth/oidc/callback";

  private final Deps deps;
  private final AccessSettings settings;
  private volatile Future<OAuth2Auth> provider;

  OidcRoutes(Deps deps) {
    this.deps = deps;
    this.settings = deps.config().access();
  }

  void mount(Router router) {
    router.get("/auth/oidc/login").handler(this::login);
    router.get(CALLBACK).handler(this::callback);
  }

  /** The provider, discovered on first use (and again after a failed discovery). */
  private Future<OAuth2Auth> provider() {
    Future<OAuth2Auth> p = provider;
    if (p == null || p.failed()) {
      OAuth2Options options =
          new OAuth2Options().setClientId(settings.oidcClientId()).setSite(settings.oidcIssuer());
      if (settings.oidcClientSecret() != null) options.setClientSecret(settings.oidcClientSecret());
      p = OpenIDConnectAuth.discover(deps.vertx(), options);
      p.onFailure(
          e ->
              log.warn(
                  "OIDC discovery failed issuer={} error={}", settings.oidcIssuer(), e.toString()));
      provider = p;
    }
    return p;
  }

  private String redirectUri() {
    return deps.config().publicUrl() + CALLBACK;
  }

  private void login(RoutingContext ctx) {
    if (!settings.oidcEnabled()) {
      AuthPages.failed(ctx, 404, "Single sign-on is not configured on this server.");
      return;
    }
    String invitationToken = ctx.request().getParam("invitation");
    Future<String> invitation =
        invitationToken == null || invitationToken.length() > 200
            ? Future.succeededFuture(null)
            : deps.pool()
                .preparedQuery(SignInSql.OPEN_INVITATION_BY_TOKEN)
                .execute(Tuple.of(Sessions.hashOf(invitationToken)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("id"));
    String state = Ids.secret("", 43);
    String nonce = Ids.secret("", 43);
    String verifier = Ids.secret("", 64);
    invitation
        .compose(
            inv ->
                deps.pool()
                    .preparedQuery(SignInSql.START_OIDC)
                    .execute(Tuple.of(Sessions.hashOf(state), nonce, verifier, inv)))
        .compose(v -> provider())
        .onSuccess(
            oauth -> {
              String url =
                  oauth.authorizeURL(
                      new OAuth2AuthorizationURL()
                          .setRedirectUri(redirectUri())
                          .setScopes(List.of("openid", "email", "profile"))
                          .setState(state)
                          .setCodeChallenge(challenge(verifier))
                          .setCodeChallengeMethod("S256")
                          .putAdditionalParameter("nonce", nonce));
              // Binds the sign-in to this browser: a callback URL sent to someone else fails.
              ctx.response()
                  .addCookie(
                      Cookie.cookie(STATE_COOKIE, state)
                          .setHttpOnly(true)
                          .setSameSite(CookieSameSite.LAX)
                          .setPath("/auth/oidc")
                          .setSecure(deps.config().secureCookies())
                          .setMaxAge(600))
                  .putHeader("Location", url)
                  .putHeader("Cache-Control", "no-store")
                  .setStatusCode(302)
                  .end();
            })
        .onFailure(
            e ->
                AuthPages.failed(
                    ctx, 502, "The identity provider could not be reached; try again later."));
  }

  private void callback(RoutingContext ctx) {
    if (!settings.oidcEnabled()) {
      AuthPages.failed(ctx, 404, "Single sign-on is not configured on this server.");
      return;
    }
    String error = ctx.request().getParam("error");
    String state = ctx.request().getParam("state");
    String code = ctx.request().getParam("code");
    Cookie bound = ctx.request().getCookie(STATE_COOKIE);
    ctx.response()
        .addCookie(
            Cookie.cookie(STATE_COOKIE, "")
                .setPath("/auth/oidc")
                .setHttpOnly(true)
                .setSecure(deps.config().secureCookies())
                .setMaxAge(0));
    if (error != null) {
      AuthPages.failed(ctx, 403, "The identity provider refused the sign-in (" + error + ").");
      return;
    }
    if (state == null || code == null || state.length() > 200 || code.length() > 4000) {
      AuthPages.failed(ctx, 400, "The sign-in response is incomplete.");
      return;
    }
    if (bound == null
        || !MessageDigest.isEqual(
            bound.getValue().getBytes(StandardCharsets.UTF_8),
            state.getBytes(StandardCharsets.UTF_8))) {
      AuthPages.failed(ctx, 400, "This sign-in was not started in this browser; start again.");
      return;
    }
    deps.pool()
        .preparedQuery(SignInSql.TAKE_OIDC)
        .execute(Tuple.of(Sessions.hashOf(state)))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                throw new SignInRefused(400, "This sign-in has expired or was already used.");
              }
              Row flow = rows.iterator().next();
              return provider()
                  .compose(
                      oauth ->
                          oauth
                              .authenticate(
                                  new Oauth2Credentials()
                                      .setFlow(OAuth2FlowType.AUTH_CODE)
                                      .setCode(code)
                                      .setRedirectUri(redirectUri())
                                      .setCodeVerifier(flow.getString("code_verifier")))
                              .recover(
                                  e -> {
                                    log.info("OIDC code exchange refused: {}", e.getMessage());
                                    return Future.failedFuture(
                                        new SignInRefused(
                                            403, "The identity provider's answer was not valid."));
                                  }))
                  .compose(user -> signIn(user, flow));
            })
        .onSuccess(
            raw ->
                ctx.response()
                    .addCookie(Sessions.cookie(deps.config(), raw))
                    .putHeader("Location", "/")
                    .putHeader("Cache-Control", "no-store")
                    .setStatusCode(303)
                    .end())
        .onFailure(
            e -> {
              if (e instanceof SignInRefused r) AuthPages.failed(ctx, r.status, r.getMessage());
              else if (e instanceof ApiException a)
                AuthPages.failed(ctx, a.status(), a.getMessage());
              else {
                log.warn("OIDC sign-in failed: {}", e.toString());
                AuthPages.failed(ctx, 500, "The sign-in failed; try again.");
              }
            });
  }

  /** Checks the ID token's claims (again, and the nonce), then signs the human in. */
  private Future<String> signIn(User user, Row flow) {
    JsonObject id = user.attributes().getJsonObject("idToken");
    if (id == null) throw new SignInRefused(403, "The identity provider sent no ID token.");
    long now = System.currentTimeMillis() / 1000;
    if (!(id.getValue("exp") instanceof Number exp) || exp.longValue() + 5 < now) {
      throw new SignInRefused(403, "The ID token has expired.");
    }
    if (!audienceHas(id.getValue("aud"), settings.oidcClientId())) {
      throw new SignInRefused(403, "The ID token is not for this server (aud).");
    }
    String nonce = flow.getString("nonce");
    if (!(id.getValue("nonce") instanceof String n)
        || !MessageDigest.isEqual(
            n.getBytes(StandardCharsets.UTF_8), nonce.getBytes(StandardCharsets.UTF_8))) {
      throw new SignInRefused(403, "The ID token does not answer this sign-in (nonce).");
    }
    if (!(id.getValue("sub") instanceof String sub) || sub.isEmpty() || sub.length() > 200) {
      throw new SignInRefused(403, "The ID token has no subject.");
    }
    String email =
        id.getValue("email") instanceof String e
                && !Boolean.FALSE.equals(id.getValue("email_verified"))
            ? e.trim()
            : null;
    if (email != null && (email.length() > 254 || !email.contains("@"))) email = null;
    if (!settings.domainAllowed(email)) {
      throw new SignInRefused(403, "Your e-mail domain may not sign in to this server.");
    }
    Object nameClaim = id.getValue("name");
    String name = nameClaim instanceof String s && s.length() <= 200 ? s : email;
    String finalEmail = email;
    String invitationId = flow.getString("invitation_id");
    Future<Row> invitation =
        invitationId != null
            ? one(SignInSql.OPEN_INVITATION_BY_ID, Tuple.of(invitationId))
            : Future.succeededFuture(null);
    return invitation.compose(
        inv -> {
          if (inv != null) {
            if (finalEmail == null || !finalEmail.equalsIgnoreCase(inv.getString("email"))) {
              throw new SignInRefused(
                  403,
                  "This invitation is for "
                      + inv.getString("email")
                      + "; you signed in as "
                      + (finalEmail == null ? "someone without a verified e-mail" : finalEmail)
                      + ".");
            }
            return SignIn.complete(
                deps,
                new SignIn.Who(inv.getString("external_id"), sub, name, finalEmail),
                inv,
                "oidc",
                settings.oidcDefaultRole());
          }
          String org = orgOf(id);
          if (org == null) {
            throw new SignInRefused(
                403,
                "The ID token does not name your organization (" + settings.oidcOrgClaim() + ").");
          }
          // Without the link, an open invitation of the same (verified) address still applies.
          Future<Row> pending =
              finalEmail == null
                  ? Future.succeededFuture(null)
                  : deps.pool()
                      .preparedQuery("SELECT id FROM orgs WHERE external_id = $1")
                      .execute(Tuple.of(org))
                      .compose(
                          orgs ->
                              orgs.size() == 0
                                  ? Future.succeededFuture(null)
                                  : one(
                                      SignInSql.OPEN_INVITATION_FOR,
                                      Tuple.of(
                                          orgs.iterator().next().getString("id"), finalEmail)));
          return pending.compose(
              p ->
                  SignIn.complete(
                      deps,
                      new SignIn.Who(org, sub, name, finalEmail),
                      p,
                      "oidc",
                      settings.oidcDefaultRole()));
        });
  }

  private String orgOf(JsonObject id) {
    if (settings.oidcOrg() != null) return settings.oidcOrg();
    Object v = id;
    for (String part : settings.oidcOrgClaim().split("\\.")) {
      v = v instanceof JsonObject o ? o.getValue(part) : null;
    }
    if (v instanceof String s && !s.isEmpty() && s.length() <= 200) return s;
    if (v instanceof Number n) return n.toString();
    return null;
  }

  private Future<Row> one(String sql, Tuple params) {
    return deps.pool()
        .preparedQuery(sql)
        .execute(params)
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static boolean audienceHas(Object aud, String clientId) {
    if (aud instanceof String s) return s.equals(clientId);
    if (aud instanceof JsonArray a) return a.contains(clientId);
    return false;
  }

  static String challenge(String verifier) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A sign-in refused for a reason the person may read. */
  static final class SignInRefused extends RuntimeException {
    final int status;

    SignInRefused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
