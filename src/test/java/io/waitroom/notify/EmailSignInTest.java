package io.waitroom.notify;

import static io.waitroom.notify.MailSupport.count;
import static io.waitroom.notify.MailSupport.human;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * E-mail sign-in links and invitations through a real SMTP server (GreenMail): the link's page
 * never acts, its POST signs in once; unknown addresses get the same answer and no e-mail; an
 * invitation's accept link joins the org with the invited role.
 */
class EmailSignInTest {
  static GreenMail smtp;
  static TestServer server;
  static Api api;
  static String base;

  @BeforeAll
  static void start() {
    int port = TestServer.freePort();
    smtp = MailSupport.smtp(port);
    server = MailSupport.server(port, "", Map.of());
    api = server.api;
    base = api.base();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (smtp != null) smtp.stop();
  }

  static HttpResponse<String> send(String method, String url, String form, String cookie)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .method(
                method,
                form == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(form));
    if (form != null) b.header("Content-Type", "application/x-www-form-urlencoded");
    if (cookie != null) b.header("Cookie", cookie);
    return MailSupport.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String session(HttpResponse<String> r) {
    for (String c : r.headers().allValues("Set-Cookie")) {
      if (c.startsWith("waitroom_session=")) {
        return c.substring(0, c.indexOf(';'));
      }
    }
    return null;
  }

  static String linkIn(MimeMessage m, String path) throws Exception {
    String text = MailSupport.part(m, "text/plain");
    Matcher x = Pattern.compile(Pattern.quote(base + path) + "\\S+").matcher(text);
    assertThat(x.find()).as(text).isTrue();
    return x.group();
  }

  static JsonObject me(String cookie) throws Exception {
    HttpResponse<String> r = send("GET", base + "/v1/me", null, cookie);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonObject("data");
  }

  @Test
  void aKnownAddressGetsASingleUseLinkWhosePageNeverSignsInAndWhosePostDoes() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String mail = "grace-" + UUID.randomUUID() + "@example.com";
    human(api, org, "grace", "Grace", mail);
    String unknown = "nobody-" + UUID.randomUUID() + "@example.com";

    HttpResponse<String> asked = send("POST", base + "/auth/email", "email=" + mail, null);
    HttpResponse<String> other = send("POST", base + "/auth/email", "email=" + unknown, null);
    assertThat(asked.statusCode()).isEqualTo(202);
    assertThat(other.statusCode()).isEqualTo(202);
    // No account enumeration: the same page, but for the address.
    assertThat(asked.body().replace(mail, "X")).isEqualTo(other.body().replace(unknown, "X"));

    MimeMessage m = MailSupport.awaitOne(smtp, mail);
    String link = linkIn(m, "/auth/email/");
    Thread.sleep(500);
    assertThat(count(smtp, unknown)).isZero();

    // The page (and a mail scanner's GET or HEAD) signs nobody in.
    HttpResponse<String> page = send("GET", link, null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<form method=\"post\">");
    assertThat(session(page)).isNull();
    assertThat(send("GET", link, null, null).statusCode()).isEqualTo(200);

    HttpResponse<String> used = send("POST", link, "", null);
    assertThat(used.statusCode()).as(used.body()).isEqualTo(303);
    String cookie = session(used);
    assertThat(cookie).isNotNull();
    JsonObject who = me(cookie);
    assertThat(who.getString("email")).isEqualTo(mail);
    assertThat(who.getString("role")).isEqualTo("admin");

    // Single use: the page and the POST both refuse it now.
    assertThat(send("GET", link, null, null).statusCode()).isEqualTo(404);
    HttpResponse<String> again = send("POST", link, "", null);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(session(again)).isNull();
    assertThat(send("POST", base + "/auth/email/wl_forged", "", null).statusCode()).isEqualTo(404);

    JsonArray audit =
        api.get("/v1/audit?event_type=session.signed_in", TestServer.token(org, "grace"))
            .json()
            .getJsonArray("data");
    assertThat(audit).hasSize(1);
    assertThat(audit.getJsonObject(0).getJsonObject("snapshot").getString("via"))
        .isEqualTo("email");
  }

  @Test
  void anInvitationIsAcceptedThroughItsLinkAndTheRoleApplies() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String admin = human(api, org, "boss", "Boss", null);
    String invitee = "lin-" + UUID.randomUUID() + "@example.com";

    // Only admins invite; bad input names the field.
    String approver = TestServer.token(org, "helper");
    assertThat(
            api.post(
                    "/v1/invitations",
                    approver,
                    new JsonObject().put("email", invitee).put("role", "viewer"))
                .status())
        .isEqualTo(403);
    Res bad =
        api.post(
            "/v1/invitations", admin, new JsonObject().put("email", "x").put("role", "viewer"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error().getJsonObject("details").getString("field")).isEqualTo("email");
    Res badRole =
        api.post(
            "/v1/invitations", admin, new JsonObject().put("email", invitee).put("role", "king"));
    assertThat(badRole.status()).isEqualTo(400);

    Res inv =
        api.post(
            "/v1/invitations",
            admin,
            new JsonObject().put("email", invitee).put("role", "approver"));
    assertThat(inv.status()).as(inv.toString()).isEqualTo(201);
    assertThat(inv.data().getString("status")).isEqualTo("open");
    Res twice =
        api.post(
            "/v1/invitations", admin, new JsonObject().put("email", invitee).put("role", "viewer"));
    assertThat(twice.status()).isEqualTo(409);

    MimeMessage m = MailSupport.awaitOne(smtp, invitee);
    String link = linkIn(m, "/auth/invitations/");
    HttpResponse<String> page = send("GET", link, null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("approver").contains(invitee);
    assertThat(session(page)).isNull();

    HttpResponse<String> accepted = send("POST", link, "", null);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(303);
    String cookie = session(accepted);
    JsonObject who = me(cookie);
    assertThat(who.getString("role")).isEqualTo("approver");
    assertThat(who.getString("email")).isEqualTo(invitee);
    assertThat(send("POST", link, "", null).statusCode()).isEqualTo(404);

    List<JsonObject> list = api.all("/v1/invitations", admin, 50);
    assertThat(list).hasSize(1);
    assertThat(list.get(0).getString("status")).isEqualTo("accepted");
    assertThat(list.get(0).getString("accepted_by")).isEqualTo(who.getString("id"));
    assertThat(api.get("/v1/invitations", approver).status()).isEqualTo(403);

    // Later the same address asks for a sign-in link as a known human.
    send("POST", base + "/auth/email", "email=" + invitee, null);
    MailSupport.await(() -> count(smtp, invitee) == 2, "a sign-in link");

    // Tenancy: another org sees none of it.
    String stranger = human(api, "org-" + UUID.randomUUID(), "x", "X", null);
    assertThat(api.all("/v1/invitations", stranger, 50)).isEmpty();
    assertThat(api.delete("/v1/invitations/" + inv.data().getString("id"), stranger).status())
        .isEqualTo(404);
    JsonArray audit = api.get("/v1/audit", admin).json().getJsonArray("data");
    assertThat(audit.stream().map(a -> ((JsonObject) a).getString("event_type")))
        .contains("invitation.sent", "invitation.accepted", "session.signed_in");
  }

  @Test
  void concurrentPostsOfOneInvitationLinkStartExactlyOneSession() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String admin = human(api, org, "boss", "Boss", null);
    String invitee = "race-" + UUID.randomUUID() + "@example.com";
    api.post(
        "/v1/invitations", admin, new JsonObject().put("email", invitee).put("role", "viewer"));
    String link = linkIn(MailSupport.awaitOne(smtp, invitee), "/auth/invitations/");
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all =
        java.util.stream.IntStream.range(0, 8)
            .mapToObj(
                i ->
                    MailSupport.HTTP.sendAsync(
                        HttpRequest.newBuilder(URI.create(link))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(""))
                            .build(),
                        HttpResponse.BodyHandlers.ofString()))
            .toList();
    long sessions =
        all.stream()
            .map(java.util.concurrent.CompletableFuture::join)
            .filter(r -> session(r) != null)
            .count();
    assertThat(sessions).isEqualTo(1);
    assertThat(api.all("/v1/humans", admin, 50)).hasSize(2);
  }

  @Test
  void aSessionEndsAfterTwelveIdleHoursOrSevenDaysWhateverItsUse() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String mail = "idle-" + UUID.randomUUID() + "@example.com";
    human(api, org, "idle", "Idle", mail);
    send("POST", base + "/auth/email", "email=" + mail, null);
    String idle =
        session(send("POST", linkIn(MailSupport.awaitOne(smtp, mail), "/auth/email/"), "", null));
    assertThat(me(idle).getString("email")).isEqualTo(mail);
    send("POST", base + "/auth/email", "email=" + mail, null);
    MailSupport.await(() -> count(smtp, mail) == 2, "a second link");
    String old =
        session(send("POST", linkIn(MailSupport.to(smtp, mail).get(1), "/auth/email/"), "", null));
    assertThat(me(old).getString("email")).isEqualTo(mail);
    // Age the two sessions as the clock would: one unused for 12 h 1 min, one started 7 days ago
    // but used a minute ago.
    io.waitroom.support.TestDb.exec(
        server.databaseUrl,
        "UPDATE sessions SET last_seen_at = now() - interval '12 hours 1 minute' WHERE user_id IN"
            + " (SELECT id FROM users WHERE email = '"
            + mail
            + "') AND via = 'email'"
            + " AND created_at = (SELECT min(s.created_at) FROM sessions s JOIN users u ON u.id ="
            + " s.user_id WHERE u.email = '"
            + mail
            + "')");
    io.waitroom.support.TestDb.exec(
        server.databaseUrl,
        "UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now()"
            + " WHERE created_at = (SELECT max(s.created_at) FROM sessions s JOIN users u ON u.id ="
            + " s.user_id WHERE u.email = '"
            + mail
            + "')");
    assertThat(send("GET", base + "/v1/me", null, idle).statusCode()).isEqualTo(401);
    assertThat(send("GET", base + "/v1/me", null, old).statusCode()).isEqualTo(401);
  }

  @Test
  void aRevokedInvitationNoLongerSignsAnyoneIn() throws Exception {
    String org = "org-" + UUID.randomUUID();
    String admin = human(api, org, "boss", "Boss", null);
    String invitee = "rev-" + UUID.randomUUID() + "@example.com";
    Res inv =
        api.post(
            "/v1/invitations", admin, new JsonObject().put("email", invitee).put("role", "viewer"));
    String link = linkIn(MailSupport.awaitOne(smtp, invitee), "/auth/invitations/");
    Res revoked = api.delete("/v1/invitations/" + inv.data().getString("id"), admin);
    assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
    assertThat(revoked.data().getString("status")).isEqualTo("revoked");
    assertThat(api.delete("/v1/invitations/" + inv.data().getString("id"), admin).status())
        .isEqualTo(409);
    assertThat(send("GET", link, null, null).statusCode()).isEqualTo(404);
    HttpResponse<String> post = send("POST", link, "", null);
    assertThat(post.statusCode()).isEqualTo(404);
    assertThat(session(post)).isNull();
    // A revoked invitation's address is unknown again: no sign-in link.
    send("POST", base + "/auth/email", "email=" + invitee, null);
    Thread.sleep(1000);
    assertThat(count(smtp, invitee)).isEqualTo(1);
  }
}
