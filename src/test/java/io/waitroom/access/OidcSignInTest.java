package io.waitroom.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenID Connect sign-in against a real provider in the test JVM (mock-oauth2-server: discovery,
 * authorization code with PKCE, token, JWKS), followed hop by hop as a browser would, then the
 * session cookie as an API credential (CSRF rule, sign-out).
 */
class OidcSignInTest {
  static final String CLIENT = "waitroom-test";
  static MockOAuth2Server idp;
  static TestServer server;
  static String base;
  static String org;
  static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() {
    idp = new MockOAuth2Server();
    idp.start();
    int port = TestServer.freePort();
    base = "http://127.0.0.1:" + port;
    org = "oidc-" + UUID.randomUUID();
    server =
        TestServer.start(
            Map.of(
                "WAITROOM_PORT",
                String.valueOf(port),
                "WAITROOM_PUBLIC_URL",
                base,
                "WAITROOM_OIDC_ISSUER",
                idp.issuerUrl("default").toString(),
                "WAITROOM_OIDC_CLIENT_ID",
                CLIENT,
                "WAITROOM_OIDC_ORG",
                org,
                "WAITROOM_OIDC_NAME",
                "Acme SSO"));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (idp != null) idp.shutdown();
  }

  record Hop(int status, String location, List<String> cookies, String body) {
    Optional<String> cookie(String name) {
      return cookies.stream()
          .filter(c -> c.startsWith(name + "="))
          .map(
              c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
          .findFirst();
    }

    String setCookie(String name) {
      return cookies.stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
    }
  }

  static Hop get(String url, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (cookie != null) b.header("Cookie", cookie);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Hop(
        r.statusCode(),
        r.headers().firstValue("Location").orElse(null),
        r.headers().allValues("Set-Cookie"),
        r.body());
  }

  static HttpResponse<String> api(
      String method, String path, String session, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (session != null) b.header("Cookie", "waitroom_session=" + session);
    if (body != null) b.header("Content-Type", "application/json");
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The login hop: the provider's authorization URL and the state cookie. */
  static Hop login() throws Exception {
    Hop h = get(base + "/auth/oidc/login", null);
    assertThat(h.status()).as(h.body()).isEqualTo(302);
    assertThat(h.location()).startsWith(idp.authorizationEndpointUrl("default").toString());
    assertThat(h.location())
        .contains("code_challenge=")
        .contains("code_challenge_method=S256")
        .contains("nonce=")
        .contains("state=");
    return h;
  }

  /** The provider's hop back to the callback (the mock signs in without a form). */
  static String authorize(String url) throws Exception {
    Hop h = get(url, null);
    assertThat(h.status()).as(h.body()).isEqualTo(302);
    assertThat(h.location()).startsWith(base + "/auth/oidc/callback");
    return h.location();
  }

  static String stateCookie(Hop login) {
    return "waitroom_oidc=" + login.cookie("waitroom_oidc").orElseThrow();
  }

  /** A whole sign-in; answers the session id. */
  static String signIn() throws Exception {
    Hop login = login();
    Hop done = get(authorize(login.location()), stateCookie(login));
    assertThat(done.status()).as(done.body()).isEqualTo(303);
    assertThat(done.location()).isEqualTo("/");
    String set = done.setCookie("waitroom_session");
    assertThat(set).containsIgnoringCase("HttpOnly").contains("SameSite=Lax").contains("Path=/");
    assertThat(set).doesNotContain("Secure"); // the public URL is http here
    return done.cookie("waitroom_session").orElseThrow();
  }

  static void assertNoSession(Hop h, int status) {
    assertThat(h.status()).as(h.body()).isEqualTo(status);
    assertThat(h.setCookie("waitroom_session")).isNull();
  }

  @Test
  void signingInThroughTheProviderStartsASessionTheApiAccepts() throws Exception {
    idp.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            "default",
            "ada-" + UUID.randomUUID(),
            "JWT",
            null,
            Map.of("email", "ada@example.com", "name", "Ada Lovelace"),
            3600));
    String session = signIn();
    HttpResponse<String> me = api("GET", "/v1/me", session, null, Map.of());
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    JsonObject data = new JsonObject(me.body()).getJsonObject("data");
    assertThat(data.getString("name")).isEqualTo("Ada Lovelace");
    assertThat(data.getString("email")).isEqualTo("ada@example.com");
    assertThat(api("GET", "/v1/rooms", session, null, Map.of()).statusCode()).isEqualTo(200);

    // A state change by cookie needs the dashboard's header or this server's Origin.
    String room = new JsonObject().put("name", "SSO room").encode();
    HttpResponse<String> bare = api("POST", "/v1/rooms", session, room, Map.of());
    assertThat(bare.statusCode()).as(bare.body()).isEqualTo(403);
    assertThat(bare.body()).contains("X-Requested-With");
    HttpResponse<String> foreign =
        api("POST", "/v1/rooms", session, room, Map.of("Origin", "https://evil.example"));
    assertThat(foreign.statusCode()).isEqualTo(403);
    String role = data.getString("role");
    int expected = "admin".equals(role) ? 201 : 403;
    HttpResponse<String> header =
        api("POST", "/v1/rooms", session, room, Map.of("X-Requested-With", "waitroom"));
    assertThat(header.statusCode()).as(header.body()).isEqualTo(expected);
    HttpResponse<String> origin = api("POST", "/v1/rooms", session, room, Map.of("Origin", base));
    assertThat(origin.statusCode()).as(origin.body()).isEqualTo(expected);

    // Sign-out ends the session: the same cookie is refused afterwards.
    HttpResponse<String> noCsrf = api("POST", "/auth/logout", session, null, Map.of());
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    HttpResponse<String> out =
        api("POST", "/auth/logout", session, null, Map.of("X-Requested-With", "waitroom"));
    assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
    assertThat(out.headers().allValues("Set-Cookie").toString()).contains("Max-Age=0");
    assertThat(api("GET", "/v1/me", session, null, Map.of()).statusCode()).isEqualTo(401);
    assertThat(api("GET", "/v1/me", "ws_forged", null, Map.of()).statusCode()).isEqualTo(401);
  }

  @Test
  void theFirstHumanOfTheOrgIsAdminAndLaterOnesGetTheDefaultViewerRole() throws Exception {
    // The class's org is created by whichever test signs in first: read both roles.
    String first = signIn();
    String second = signIn();
    String r1 =
        new JsonObject(api("GET", "/v1/me", first, null, Map.of()).body())
            .getJsonObject("data")
            .getString("role");
    String r2 =
        new JsonObject(api("GET", "/v1/me", second, null, Map.of()).body())
            .getJsonObject("data")
            .getString("role");
    assertThat(r2).isEqualTo("viewer");
    assertThat(List.of("admin", "viewer")).contains(r1);
    HttpResponse<String> humans = api("GET", "/v1/humans", second, null, Map.of());
    assertThat(humans.body()).contains("\"role\":\"admin\"");
  }

  @Test
  void aTamperedStateOrAStateFromAnotherBrowserStartsNoSession() throws Exception {
    Hop login = login();
    String callback = authorize(login.location());
    String tampered = callback.replaceFirst("state=[^&]+", "state=forged");
    assertNoSession(get(tampered, stateCookie(login)), 400);
    // The right state without this browser's cookie (a link sent to someone else).
    assertNoSession(get(callback, null), 400);
  }

  @Test
  void aReplayedCallbackCodeStartsNoSecondSession() throws Exception {
    Hop login = login();
    String callback = authorize(login.location());
    Hop first = get(callback, stateCookie(login));
    assertThat(first.status()).isEqualTo(303);
    assertNoSession(get(callback, stateCookie(login)), 400);
  }

  @Test
  void aWrongNonceStartsNoSession() throws Exception {
    Hop login = login();
    String swapped =
        login
            .location()
            .replaceFirst(
                "nonce=[^&]+", "nonce=" + URLEncoder.encode("not-ours", StandardCharsets.UTF_8));
    assertNoSession(get(authorize(swapped), stateCookie(login)), 403);
  }

  @Test
  void anIdTokenForAnotherAudienceStartsNoSession() throws Exception {
    idp.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            "default", "mallory", "JWT", null, Map.of("aud", "another-client"), 3600));
    Hop login = login();
    assertNoSession(get(authorize(login.location()), stateCookie(login)), 403);
  }

  @Test
  void anExpiredIdTokenStartsNoSession() throws Exception {
    idp.enqueueCallback(
        new DefaultOAuth2TokenCallback("default", "late", "JWT", null, Map.of(), -3600));
    Hop login = login();
    assertNoSession(get(authorize(login.location()), stateCookie(login)), 403);
  }

  @Test
  void aBrowserSignsInThroughTheProviderAndLandsInTheInboxSignedIn() throws Exception {
    // An admin of the same org (a JWT with the role claim; the OIDC org is named as JWTs name
    // orgs) makes a room with a pending check-in: the browser's human, new to an existing org,
    // is a viewer (WAITROOM_OIDC_DEFAULT_ROLE), and the dashboard hides what a viewer cannot do.
    String admin =
        TestServer.token(
            new JsonObject()
                .put("org_id", org)
                .put("sub", "ops")
                .put("name", "Ops Admin")
                .put("waitroom_role", "admin"),
            3600);
    io.waitroom.support.Api.Res room =
        server.api.post("/v1/rooms", admin, new JsonObject().put("name", "Viewer room"));
    assertThat(room.status()).as(room.toString()).isEqualTo(201);
    String key =
        server
            .api
            .post("/v1/agents/register", admin, new JsonObject().put("name", "rotator"))
            .data()
            .getString("api_key");
    io.waitroom.support.Api.Res ci =
        server.api.post(
            "/v1/rooms/" + room.data().getString("slug") + "/check-in",
            key,
            new JsonObject().put("action", "Rotate the signing keys"));
    assertThat(ci.status()).as(ci.toString()).isEqualTo(201);
    idp.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            "default",
            "browser-" + UUID.randomUUID(),
            "JWT",
            null,
            Map.of("email", "bea@example.com", "name", "Bea Browser"),
            3600));
    java.nio.file.Path shots = java.nio.file.Path.of("target", "screenshots", "oidc");
    io.waitroom.support.NodeScripts.Result r =
        io.waitroom.support.NodeScripts.browser(
            Map.of(
                "BASE",
                base,
                "SSO_NAME",
                "Acme SSO",
                "SCREENSHOTS",
                shots.toAbsolutePath().toString(),
                "CHECK_IN_ID",
                ci.data().getString("id"),
                "ROOM_ID",
                room.data().getString("id"),
                "ACTION",
                "Rotate the signing keys"),
            180,
            "oidc-sign-in.mjs");
    assertThat(r.ok()).as(r.transcript()).isTrue();
    JsonObject seen = new JsonObject(r.stdout().strip().lines().reduce((x, y) -> y).orElseThrow());
    assertThat(seen.getString("url")).isEqualTo(base + "/#/inbox");
    assertThat(seen.getString("who")).isEqualTo("Bea Browser");
    assertThat(seen.getString("role")).isEqualTo("viewer");
    assertThat(seen.getBoolean("decideFormVisible")).isFalse();
    assertThat(seen.getBoolean("memberFormVisible")).isFalse();
    assertThat(seen.getBoolean("signalVisible")).isFalse();
    assertThat(seen.getBoolean("inviteVisible")).isFalse();
    assertThat(seen.getJsonArray("members").encode()).contains("Ops Admin").contains("owner");
    assertThat(seen.getJsonArray("people").encode()).contains("Ops Admin").contains("Bea Browser");
    assertThat(seen.getValue("tokenInPage")).isNull();
    assertThat(seen.getBoolean("httpOnly")).isTrue();
    assertThat(seen.getString("sameSite")).isEqualTo("Lax");
    assertThat(seen.getInteger("afterSignOut")).isEqualTo(401);
    assertThat(seen.getJsonArray("errors")).isEmpty();
  }

  @Test
  void theSignInPageLearnsWhatTheServerOffers() throws Exception {
    Hop config = get(base + "/auth/config", null);
    JsonObject data = new JsonObject(config.body()).getJsonObject("data");
    assertThat(data.getJsonObject("oidc").getBoolean("enabled")).isTrue();
    assertThat(data.getJsonObject("oidc").getString("name")).isEqualTo("Acme SSO");
    assertThat(data.getJsonObject("email").getBoolean("enabled")).isFalse();
  }
}
