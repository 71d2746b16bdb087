package io.waitroom.notify;

import static io.waitroom.notify.MailSupport.awaitOne;
import static io.waitroom.notify.MailSupport.count;
import static io.waitroom.notify.MailSupport.human;
import static io.waitroom.notify.MailSupport.link;
import static io.waitroom.notify.MailSupport.part;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.notify.MailSupport.Page;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.SseClient;
import io.waitroom.support.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * E-mail notifications and the action links they carry, end to end: a real SMTP server (GreenMail)
 * receives what the server sends, and the test (and Chromium) follows the links as a person's mail
 * client and browser would.
 */
class ActionLinksMailTest {
  static GreenMail smtp;
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    int port = TestServer.freePort();
    smtp = MailSupport.smtp(port);
    // A public URL with a trailing slash: links must not get a double one.
    server = MailSupport.server(port, "/", Map.of("WAITROOM_WATCHER_POLL_MS", "200"));
    api = server.api;
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (smtp != null) smtp.stop();
  }

  /** A fresh org with a room, a registered agent, and its humans. */
  record Org(
      String org,
      String room,
      String roomId,
      String agentKey,
      String alice,
      String aliceId,
      String aliceMail) {}

  static Org org(JsonObject policies) {
    String org = "org-" + UUID.randomUUID();
    String aliceMail = "alice-" + UUID.randomUUID() + "@example.com";
    String alice = human(api, org, "alice", "Alice", aliceMail);
    Res room =
        api.post(
            "/v1/rooms",
            alice,
            new JsonObject().put("name", "Deployments").put("policies", policies));
    assertThat(room.status()).as(room.toString()).isEqualTo(201);
    Res agent = api.post("/v1/agents/register", alice, new JsonObject().put("name", "deployer"));
    return new Org(
        org,
        room.data().getString("slug"),
        room.data().getString("id"),
        agent.data().getString("api_key"),
        alice,
        api.get("/v1/me", alice).data().getString("id"),
        aliceMail);
  }

  static JsonObject checkIn(Org o, JsonObject body) {
    Res r = api.post("/v1/rooms/" + o.room() + "/check-in", o.agentKey(), body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static JsonObject state(Org o, String id) {
    return api.get("/v1/check-ins/" + id, o.alice()).data();
  }

  @Test
  void eachRecipientGetsTheirOwnLinksAndFollowingOneDecidesAsThemViaEmail() throws Exception {
    Org o = org(new JsonObject());
    String bobMail = "bob-" + UUID.randomUUID() + "@example.com";
    String bob = human(api, o.org(), "bob", "Bob", bobMail);
    human(api, o.org(), "carol", "Carol", null);
    JsonObject ci =
        checkIn(
            o,
            new JsonObject()
                .put("action", "Deploy <b>v2.3.1</b>\r\nBcc: evil@example.com")
                .put("description", "<script>alert(1)</script> rollout")
                .put("risk_level", "high")
                .put("context", new JsonObject().put("version", "2.3.1").put("env", "prod")));
    String id = ci.getString("id");

    MimeMessage a = awaitOne(smtp, o.aliceMail());
    MimeMessage b = awaitOne(smtp, bobMail);
    // Subject: one line, the agent's text as text.
    assertThat(a.getSubject())
        .isEqualTo("[Waitroom] high · Deployments: Deploy <b>v2.3.1</b> Bcc: evil@example.com");
    assertThat(a.getAllRecipients()).hasSize(1);
    assertThat(a.getHeader("Auto-Submitted")[0]).isEqualTo("auto-generated");
    assertThat(a.getHeader("Message-ID")[0]).contains(id);
    assertThat(a.getHeader("Message-ID")[0]).isNotEqualTo(b.getHeader("Message-ID")[0]);
    assertThat(a.getFrom()[0].toString()).contains("waitroom@example.com");

    String text = part(a, "text/plain");
    String html = part(a, "text/html");
    String approve = link(text, "Approve");
    String reject = link(text, "Reject");
    String open = link(text, "Open");
    assertThat(approve).startsWith(api.base() + "/d/");
    assertThat(text).contains("<script>alert(1)</script> rollout").contains("\"env\" : \"prod\"");
    // The HTML part shows the same links as buttons; the agent's text is escaped, never markup.
    assertThat(html).contains("href=\"" + approve + "\"").contains("href=\"" + reject + "\"");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
    assertThat(html).contains("Deploy &lt;b&gt;v2.3.1&lt;/b&gt;");
    String bobApprove = link(part(b, "text/plain"), "Approve");
    String bobReject = link(part(b, "text/plain"), "Reject");
    assertThat(bobApprove).isNotEqualTo(approve);

    // Opening a link (scanners, previews, prefetchers do) changes nothing.
    for (int i = 0; i < 2; i++) {
      Page shown = MailSupport.get(approve);
      assertThat(shown.status()).isEqualTo(200);
      assertThat(shown.body())
          .contains("Approve this request?")
          .contains("Deploy &lt;b&gt;v2.3.1&lt;/b&gt;")
          .contains("&lt;script&gt;alert(1)&lt;/script&gt; rollout")
          .contains("Deployments")
          .contains("deployer")
          .contains("<form method=\"post\">")
          .doesNotContain("<script");
      assertThat(shown.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(shown.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
      assertThat(shown.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(shown.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("frame-ancestors 'none'")
          .doesNotContain("script-src");
    }
    assertThat(MailSupport.head(approve).status()).isEqualTo(200);
    assertThat(MailSupport.head(reject).status()).isEqualTo(200);
    assertThat(state(o, id).getString("status")).isEqualTo("pending");
    // The open link leads to the dashboard's detail (sign-in as there).
    Page opened = MailSupport.get(open);
    assertThat(opened.status()).isEqualTo(303);
    assertThat(opened.headers().firstValue("Location")).hasValue(api.base() + "/#/check-ins/" + id);

    // Chromium opens alice's approve link, sees the page, submits it.
    JsonObject other = checkIn(o, new JsonObject().put("action", "Rotate keys"));
    MimeMessage otherMail = null;
    MailSupport.await(() -> count(smtp, o.aliceMail()) == 2, "alice's second e-mail");
    for (MimeMessage m : MailSupport.to(smtp, o.aliceMail())) {
      if (m.getSubject().contains("Rotate keys")) otherMail = m;
    }
    NodeScripts.Result r =
        NodeScripts.browser(
            Map.of(
                "APPROVE_URL",
                approve,
                "REJECT_URL",
                link(part(otherMail, "text/plain"), "Reject")),
            120,
            "action-link.mjs");
    assertThat(r.ok()).as(r.transcript()).isTrue();
    JsonObject seen = new JsonObject(r.stdout().strip().lines().reduce((x, y) -> y).orElseThrow());
    assertThat(seen.getString("confirmHeading")).isEqualTo("Approve this request?");
    assertThat(seen.getString("action")).contains("Deploy <b>v2.3.1</b>");
    assertThat(seen.getInteger("scripts")).isZero();
    assertThat(seen.getInteger("resultStatus")).isEqualTo(200);
    assertThat(seen.getString("resultHeading")).isEqualTo("Approved");
    assertThat(seen.getInteger("refusedStatus")).isEqualTo(400);
    assertThat(seen.getString("refusedError")).contains("too long");
    assertThat(seen.getBoolean("kept")).isTrue();
    assertThat(seen.getJsonArray("errors")).isEmpty();
    assertThat(state(o, other.getString("id")).getString("status")).isEqualTo("pending");

    JsonObject decided = state(o, id);
    assertThat(decided.getString("status")).isEqualTo("approved");
    assertThat(decided.getJsonObject("decision").getString("decided_by")).isEqualTo(o.aliceId());
    assertThat(decided.getJsonObject("decision").getString("via")).isEqualTo("email");
    assertThat(decided.getJsonObject("decision").getString("reason")).isEqualTo("looks fine");

    // The same link again: 410, nothing changes. Bob's links: already decided, by whom.
    assertThat(MailSupport.post(approve, "again").status()).isEqualTo(410);
    assertThat(MailSupport.get(approve).status()).isEqualTo(410);
    Page late = MailSupport.get(bobApprove);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.body()).contains("Already approved by Alice at");
    assertThat(MailSupport.post(bobReject, "no").status()).isEqualTo(409);
    assertThat(state(o, id).getJsonObject("decision").getString("decided_by"))
        .isEqualTo(o.aliceId());
    // Bob's unused link stays unused: a refused decision spends nothing (still 409, not 410).
    assertThat(MailSupport.get(bobReject).status()).isEqualTo(409);
    assertThat(MailSupport.get(api.base() + "/d/" + "A".repeat(43)).status()).isEqualTo(404);
    assertThat(MailSupport.get(api.base() + "/d/short").status()).isEqualTo(404);

    // Links never appear in the API, the audit trail or the events.
    String token = approve.substring(approve.lastIndexOf('/') + 1);
    assertThat(api.get("/v1/check-ins/" + id, o.alice()).raw()).doesNotContain(token);
    assertThat(api.get("/v1/audit?limit=100", o.alice()).raw()).doesNotContain(token);
    StringBuilder events = new StringBuilder();
    try (SseClient sse =
        SseClient.open(
            api.base() + "/v1/rooms/" + o.room() + "/events",
            o.alice(),
            Map.of("Last-Event-ID", "0"))) {
      for (SseClient.Frame f = sse.nextFrame(2000); f != null && !f.end(); f = sse.nextFrame(500)) {
        if (f.isEvent()) events.append(f.data()).append('\n');
      }
    }
    assertThat(events.toString())
        .contains("checkin.approved")
        .doesNotContain(token)
        .doesNotContain("/d/");
    // Carol has no address: the check-in was mailed to alice and bob only.
    long mails = 0;
    for (MimeMessage m : smtp.getReceivedMessages()) {
      if (m.getHeader("Message-ID")[0].contains(id)) mails++;
    }
    assertThat(mails).isEqualTo(2);
    assertThat(bob).isNotNull();
  }

  @Test
  void aRejectNeedsAReasonAndThePageKeepsWhatWasTyped() throws Exception {
    Org o = org(new JsonObject());
    String id = checkIn(o, new JsonObject().put("action", "Drop table users")).getString("id");
    String reject = link(part(awaitOne(smtp, o.aliceMail()), "text/plain"), "Reject");

    Page empty = MailSupport.post(reject, "   ");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.body()).contains("A reason is required to reject.");
    String tooLong = "because " + "y".repeat(2000);
    Page longOne = MailSupport.post(reject, tooLong);
    assertThat(longOne.status()).isEqualTo(400);
    assertThat(longOne.body()).contains("too long").contains(tooLong);
    assertThat(state(o, id).getString("status")).isEqualTo("pending");

    Page done = MailSupport.post(reject, "not on a Friday <b>please</b>");
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.body()).contains("Rejected").doesNotContain("<b>please");
    JsonObject decided = state(o, id);
    assertThat(decided.getString("status")).isEqualTo("rejected");
    assertThat(decided.getJsonObject("decision").getString("reason"))
        .isEqualTo("not on a Friday <b>please</b>");
    assertThat(decided.getJsonObject("decision").getString("via")).isEqualTo("email");
  }

  @Test
  void concurrentPostsOfOneLinkDecideOnce() throws Exception {
    Org o = org(new JsonObject());
    String id = checkIn(o, new JsonObject().put("action", "Pay invoice 42")).getString("id");
    String approve = link(part(awaitOne(smtp, o.aliceMail()), "text/plain"), "Approve");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Integer>> posts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        posts.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return MailSupport.post(approve, "ok").status();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                pool));
      }
      List<Integer> statuses = posts.stream().map(CompletableFuture::join).toList();
      assertThat(statuses.stream().filter(s -> s == 200).count()).as(statuses.toString()).isOne();
      assertThat(statuses.stream().filter(s -> s == 410).count()).isEqualTo(7);
    } finally {
      pool.shutdown();
    }
    JsonArray audit = api.get("/v1/audit?limit=100&event_type=checkin.approved", o.alice()).list();
    assertThat(audit.stream().filter(a -> id.equals(((JsonObject) a).getString("target_id"))))
        .hasSize(1);
  }

  @Test
  void aQuorumVoteThroughALinkSaysHowManyApprovalsAreStillNeeded() throws Exception {
    Org o = org(new JsonObject());
    String bobMail = "bob-" + UUID.randomUUID() + "@example.com";
    String bob = human(api, o.org(), "bob", "Bob", bobMail);
    String bobId = api.get("/v1/me", bob).data().getString("id");
    String carolMail = "carol-" + UUID.randomUUID() + "@example.com";
    human(api, o.org(), "carol", "Carol", carolMail);
    JsonObject quorum =
        new JsonObject()
            .put("required", 2)
            .put("approvers", new JsonArray().add(o.aliceId()).add(bobId))
            .put("reject", "any");
    Res p =
        api.put(
            "/v1/rooms/" + o.room() + "/policies",
            o.alice(),
            new JsonObject()
                .put("default_action", "require_approval")
                .put("timeout_minutes", 60)
                .put("timeout_action", "cancel")
                .put("rules", new JsonArray())
                .put("quorum", quorum));
    assertThat(p.status()).as(p.toString()).isEqualTo(200);
    String id = checkIn(o, new JsonObject().put("action", "Wire 10k")).getString("id");

    String aliceApprove = link(part(awaitOne(smtp, o.aliceMail()), "text/plain"), "Approve");
    String bobApprove = link(part(awaitOne(smtp, bobMail), "text/plain"), "Approve");
    Page first = MailSupport.post(aliceApprove, null);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).contains("Your approval is recorded: 1 more needed");
    assertThat(state(o, id).getString("status")).isEqualTo("pending");
    Page second = MailSupport.post(bobApprove, null, "application/json");
    assertThat(second.status()).isEqualTo(200);
    JsonObject json = new JsonObject(second.body());
    assertThat(json.getBoolean("ok")).isTrue();
    assertThat(json.getString("status")).isEqualTo("approved");
    assertThat(json.getString("message")).isEqualTo("Approved · Wire 10k");
    JsonObject decided = state(o, id);
    assertThat(decided.getString("status")).isEqualTo("approved");
    assertThat(decided.getJsonObject("decision").getString("via")).isEqualTo("email");
    assertThat(decided.getJsonArray("votes").getJsonObject(0).getString("via")).isEqualTo("email");
    // Carol is not among the approvers: she got no e-mail.
    Thread.sleep(300);
    assertThat(count(smtp, carolMail)).isZero();
  }

  @Test
  void aLinkExpiresWithItsCheckIn() throws Exception {
    Org o = org(new JsonObject());
    String id =
        checkIn(
                o,
                new JsonObject()
                    .put("action", "Quick one")
                    .put("timeout_minutes", 2)
                    .put("timeout_action", "cancel"))
            .getString("id");
    String approve = link(part(awaitOne(smtp, o.aliceMail()), "text/plain"), "Approve");
    MailSupport.await(
        () -> "expired".equals(state(o, id).getString("status")), "the check-in to expire");
    assertThat(MailSupport.get(approve).status()).isEqualTo(410);
    Page late = MailSupport.post(approve, null);
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.body()).contains("expired");
    assertThat(state(o, id).getString("status")).isEqualTo("expired");
  }

  @Test
  void anEscalationStepMailsTheHumansItNames() throws Exception {
    Org o = org(new JsonObject());
    String bobMail = "bob-" + UUID.randomUUID() + "@example.com";
    String bob = human(api, o.org(), "bob", "Bob", bobMail);
    String bobId = api.get("/v1/me", bob).data().getString("id");
    // Bob only wants critical e-mails, and only from another room: an escalation naming him
    // reaches him anyway.
    Res other = api.post("/v1/rooms", o.alice(), new JsonObject().put("name", "Elsewhere"));
    Res prefs =
        api.put(
            "/v1/me/notifications",
            bob,
            new JsonObject()
                .put(
                    "email",
                    new JsonObject()
                        .put("rooms", new JsonArray().add(other.data().getString("slug")))
                        .put("min_risk", "critical")));
    assertThat(prefs.status()).as(prefs.toString()).isEqualTo(200);
    Res p =
        api.put(
            "/v1/rooms/" + o.room() + "/policies",
            o.alice(),
            new JsonObject()
                .put("default_action", "require_approval")
                .put("timeout_minutes", 60)
                .put("timeout_action", "cancel")
                .put("rules", new JsonArray())
                .put(
                    "escalation",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("after_minutes", 1)
                                .put("urgency", "high")
                                .put("notify", new JsonArray().add(bobId)))));
    assertThat(p.status()).as(p.toString()).isEqualTo(200);
    checkIn(o, new JsonObject().put("action", "Restart the cluster"));
    awaitOne(smtp, o.aliceMail());
    MimeMessage escalated = awaitOne(smtp, bobMail);
    assertThat(escalated.getSubject())
        .isEqualTo("[Waitroom] Escalated · medium · Deployments: Restart the cluster");
    assertThat(part(escalated, "text/plain")).contains("Escalated (level 1)");
    // Alice was not named: her only e-mail is the first one.
    Thread.sleep(500);
    assertThat(count(smtp, o.aliceMail())).isEqualTo(1);
  }

  @Test
  void preferencesDecideWhoIsMailedAndAreValidated() throws Exception {
    Org o = org(new JsonObject());
    Res other = api.post("/v1/rooms", o.alice(), new JsonObject().put("name", "Finance"));
    String finance = other.data().getString("slug");
    String bobMail = "bob-" + UUID.randomUUID() + "@example.com";
    String bob = human(api, o.org(), "bob", "Bob", bobMail);
    String carolMail = "carol-" + UUID.randomUUID() + "@example.com";
    String carol = human(api, o.org(), "carol", "Carol", carolMail);
    String daveMail = "dave-" + UUID.randomUUID() + "@example.com";
    String dave = human(api, o.org(), "dave", "Dave", daveMail);

    Res defaults = api.get("/v1/me/notifications", carol);
    assertThat(defaults.data().getJsonObject("email"))
        .isEqualTo(
            new JsonObject()
                .put("enabled", true)
                .put("rooms", "all")
                .put("min_risk", "low")
                .put("address", carolMail)
                .put("active", true));
    // Alice: only Finance. Bob: high and above. Dave: off. Carol: defaults.
    Res a =
        api.put(
            "/v1/me/notifications",
            o.alice(),
            new JsonObject()
                .put("email", new JsonObject().put("rooms", new JsonArray().add(finance))));
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.data().getJsonObject("email").getJsonArray("rooms")).containsExactly(finance);
    assertThat(
            api.put(
                    "/v1/me/notifications",
                    bob,
                    new JsonObject().put("email", new JsonObject().put("min_risk", "high")))
                .status())
        .isEqualTo(200);
    assertThat(
            api.put(
                    "/v1/me/notifications",
                    dave,
                    new JsonObject().put("email", new JsonObject().put("enabled", false)))
                .data()
                .getJsonObject("email")
                .getBoolean("active"))
        .isFalse();

    checkIn(o, new JsonObject().put("action", "Medium in deployments"));
    awaitOne(smtp, carolMail);
    checkIn(
        o, new JsonObject().put("action", "Critical in deployments").put("risk_level", "critical"));
    MailSupport.await(() -> count(smtp, carolMail) == 2, "carol's second e-mail");
    MimeMessage bobs = awaitOne(smtp, bobMail);
    assertThat(bobs.getSubject()).contains("Critical in deployments");
    Thread.sleep(500);
    assertThat(count(smtp, o.aliceMail())).isZero();
    assertThat(count(smtp, daveMail)).isZero();

    // Validation names the field; another org's room is unknown here.
    Org stranger = org(new JsonObject());
    assertField(
        api.put(
            "/v1/me/notifications",
            carol,
            new JsonObject()
                .put(
                    "email",
                    new JsonObject().put("rooms", new JsonArray().add(stranger.roomId())))),
        "email.rooms[0]");
    assertField(
        api.put(
            "/v1/me/notifications",
            carol,
            new JsonObject().put("email", new JsonObject().put("min_risk", "extreme"))),
        "email.min_risk");
    assertField(
        api.put(
            "/v1/me/notifications",
            carol,
            new JsonObject().put("email", new JsonObject().put("enabled", "yes"))),
        "email.enabled");
    assertField(
        api.put("/v1/me/notifications", carol, new JsonObject().put("email", "on")), "email");
    assertField(
        api.put(
            "/v1/me/notifications",
            carol,
            new JsonObject().put("email", new JsonObject().put("rooms", 5))),
        "email.rooms");
    assertThat(api.get("/v1/me/notifications", o.agentKey()).status()).isEqualTo(403);
  }

  private static void assertField(Res r, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
    assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo(field);
  }

  @Test
  void meAndHumansShowNamesAndAddressesOfTheCallersOrgOnly() {
    Org o = org(new JsonObject());
    JsonObject me = api.get("/v1/me", o.alice()).data();
    assertThat(me.getString("name")).isEqualTo("Alice");
    assertThat(me.getString("email")).isEqualTo(o.aliceMail());
    assertThat(me.getString("id")).isEqualTo(o.aliceId());
    assertThat(me.getString("org_id")).startsWith("org_");
    // A new sign-in with another name and address updates both.
    String renamed = human(api, o.org(), "alice", "Alice Liddell", "al@example.com");
    assertThat(api.get("/v1/me", renamed).data().getString("email")).isEqualTo("al@example.com");
    assertThat(api.get("/v1/me", renamed).data().getString("name")).isEqualTo("Alice Liddell");
    human(api, o.org(), "bob", "Bob", null);
    Org other = org(new JsonObject());
    List<String> names =
        api.get("/v1/humans", o.alice()).list().stream()
            .map(h -> ((JsonObject) h).getString("name"))
            .toList();
    assertThat(names).containsExactlyInAnyOrder("Alice Liddell", "Bob");
    assertThat(api.get("/v1/humans", other.alice()).list()).hasSize(1);
    assertThat(api.get("/v1/me", o.agentKey()).status()).isEqualTo(403);
  }

  @Test
  void aHumanMintsTheirOwnLinksThroughTheApiAndTheyDecideViaLink() throws Exception {
    Org o = org(new JsonObject());
    String id = checkIn(o, new JsonObject().put("action", "Ship it")).getString("id");
    Res minted = api.post("/v1/check-ins/" + id + "/action-links", o.alice(), null);
    assertThat(minted.status()).as(minted.toString()).isEqualTo(201);
    assertThat(minted.header("Cache-Control")).isEqualTo("no-store");
    String approve = minted.data().getString("approve");
    assertThat(approve).startsWith(api.base() + "/d/");
    assertThat(minted.data().getString("expires_at")).isNotNull();
    assertThat(MailSupport.post(approve, null).status()).isEqualTo(200);
    JsonObject decided = state(o, id);
    assertThat(decided.getJsonObject("decision").getString("via")).isEqualTo("link");
    assertThat(api.post("/v1/check-ins/" + id + "/action-links", o.alice(), null).status())
        .isEqualTo(409);
    Org other = org(new JsonObject());
    assertThat(api.post("/v1/check-ins/" + id + "/action-links", other.alice(), null).status())
        .isEqualTo(404);
    assertThat(api.post("/v1/check-ins/" + id + "/action-links", o.agentKey(), null).status())
        .isEqualTo(403);
    // The API's own decisions record their channel.
    String viaApi = checkIn(o, new JsonObject().put("action", "By API")).getString("id");
    api.post("/v1/check-ins/" + viaApi + "/approve", o.alice(), new JsonObject());
    assertThat(state(o, viaApi).getJsonObject("decision").getString("via")).isEqualTo("api");
    String viaDashboard = checkIn(o, new JsonObject().put("action", "By page")).getString("id");
    api.send(
        "POST",
        "/v1/check-ins/" + viaDashboard + "/approve",
        o.alice(),
        new JsonObject(),
        Map.of("X-Waitroom-Client", "dashboard"));
    assertThat(state(o, viaDashboard).getJsonObject("decision").getString("via"))
        .isEqualTo("dashboard");
  }
}
