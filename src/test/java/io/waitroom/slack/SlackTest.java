package io.waitroom.slack;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Slack through its public surfaces: the install, room and link APIs, the messages the server sends
 * to a stand-in of the Slack Web API, and interaction requests signed as Slack signs them.
 */
class SlackTest {
  static final String PUBLIC_URL = "https://waitroom.example.com";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static FakeSlack slack;
  static TestServer server;
  static ListAppender<ILoggingEvent> logs;

  /** Every secret handed to the server in this class: none may come back out. */
  static final List<String> secrets = new CopyOnWriteArrayList<>();

  /** Every response body the tests read. */
  static final List<String> bodies = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(logs);
    ctx.getLogger("io.waitroom").setLevel(ch.qos.logback.classic.Level.DEBUG);
    slack = new FakeSlack();
    server =
        TestServer.start(
            Map.of(
                "WAITROOM_SLACK_API_URL",
                slack.url(),
                "WAITROOM_PUBLIC_URL",
                PUBLIC_URL,
                "WAITROOM_WATCHER_POLL_MS",
                "100",
                "WAITROOM_WEBHOOK_RETRY_SCALE",
                "0.02"));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (slack != null) slack.close();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(logs);
  }

  /** An org with the app installed and its room posting to a channel. */
  record Org(Fixtures f, String token, String secret, String channel, String agent) {
    String room() {
      return f.roomSlug;
    }
  }

  static Res call(String method, String path, String credential, Object body) {
    Res r = server.api.send(method, path, credential, body, Map.of());
    bodies.add(r.raw());
    return r;
  }

  static Org org(String minRisk) {
    Fixtures f = Fixtures.create(server.api);
    String token = "xoxb-" + UUID.randomUUID();
    String secret = "sig-" + UUID.randomUUID().toString().replace("-", "");
    secrets.add(token);
    secrets.add(secret);
    slack.tokens.put(token, true);
    Res r =
        call(
            "PUT",
            "/v1/integrations/slack",
            f.human,
            new JsonObject().put("bot_token", token).put("signing_secret", secret));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    String channel =
        "C" + Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits()), 36).toUpperCase();
    Res room =
        call(
            "PUT",
            "/v1/rooms/" + f.roomSlug + "/slack",
            f.human,
            new JsonObject().put("channel", channel).put("min_risk", minRisk));
    assertThat(room.status()).as(room.toString()).isEqualTo(200);
    return new Org(f, token, secret, channel, f.agentKey("deployer"));
  }

  static Org org() {
    return org("low");
  }

  static JsonObject checkIn(Org o, JsonObject body) {
    Res r = o.f().checkIn(o.agent(), body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static FakeSlack.Call posted(Org o, String checkInId) throws InterruptedException {
    return slack.await(
        "chat.postMessage",
        c ->
            o.channel().equals(c.params().getString("channel"))
                && c.params().getString("thread_ts") == null
                && c.params().encode().contains(checkInId),
        Duration.ofSeconds(10));
  }

  static JsonObject getCheckIn(Org o, String id) {
    Res r = call("GET", "/v1/check-ins/" + id, o.f().human, null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data();
  }

  static JsonObject awaitStatus(Org o, String id, String status) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonObject ci = null;
    while (System.nanoTime() < end) {
      ci = getCheckIn(o, id);
      if (status.equals(ci.getString("status"))) return ci;
      Thread.sleep(25);
    }
    throw new AssertionError("still " + (ci == null ? null : ci.getString("status")));
  }

  // ---- interaction payloads, as Slack sends them ----

  static JsonObject click(Org o, String user, String actionId, String checkInId, String ts) {
    return new JsonObject()
        .put("type", "block_actions")
        .put("team", new JsonObject().put("id", FakeSlack.TEAM).put("domain", "waitroom-test"))
        .put(
            "user",
            new JsonObject()
                .put("id", user)
                .put("username", "someone")
                .put("team_id", FakeSlack.TEAM))
        .put("api_app_id", "A0APP")
        .put("token", "verification-token-unused")
        .put(
            "container",
            new JsonObject()
                .put("type", "message")
                .put("message_ts", ts)
                .put("channel_id", o.channel())
                .put("is_ephemeral", false))
        .put("trigger_id", "13345224609.738474920.8088930838d88f008e0")
        .put("channel", new JsonObject().put("id", o.channel()).put("name", "approvals"))
        .put("response_url", "https://hooks.slack.com/actions/T0/1/abc")
        .put(
            "actions",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("action_id", actionId)
                        .put("block_id", "waitroom")
                        .put("value", checkInId)
                        .put("type", "button")
                        .put("action_ts", "1700000000.000001")));
  }

  static JsonObject submission(String user, String privateMetadata, String reason) {
    return new JsonObject()
        .put("type", "view_submission")
        .put("team", new JsonObject().put("id", FakeSlack.TEAM).put("domain", "waitroom-test"))
        .put("user", new JsonObject().put("id", user).put("team_id", FakeSlack.TEAM))
        .put("api_app_id", "A0APP")
        .put("trigger_id", "12345.98765.abcd2358fdea")
        .put(
            "view",
            new JsonObject()
                .put("id", "V0VIEW")
                .put("type", "modal")
                .put("callback_id", SlackBlocks.REJECT_MODAL)
                .put("private_metadata", privateMetadata)
                .put(
                    "state",
                    new JsonObject()
                        .put(
                            "values",
                            new JsonObject()
                                .put(
                                    "reason",
                                    new JsonObject()
                                        .put(
                                            "reason_input",
                                            new JsonObject()
                                                .put("type", "plain_text_input")
                                                .put("value", reason))))));
  }

  static String formBody(JsonObject payload) {
    return "payload=" + URLEncoder.encode(payload.encode(), StandardCharsets.UTF_8);
  }

  /** Slack's v0 signature, computed here independently of the server. */
  static String signature(String secret, long timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] h = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
    return "v0=" + HexFormat.of().formatHex(h);
  }

  static CompletableFuture<HttpResponse<String>> sendInteraction(
      String body, Long timestamp, String signature) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.api.base() + SlackRoutes.INTERACTIONS))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (timestamp != null) b.header("X-Slack-Request-Timestamp", String.valueOf(timestamp));
    if (signature != null) b.header("X-Slack-Signature", signature);
    return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              bodies.add(r.body());
              return r;
            });
  }

  static HttpResponse<String> interact(Org o, JsonObject payload) throws Exception {
    String body = formBody(payload);
    long now = System.currentTimeMillis() / 1000;
    long started = System.nanoTime();
    HttpResponse<String> r = sendInteraction(body, now, signature(o.secret(), now, body)).get();
    // Slack gives up after 3 s: the answer comes before the work.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    return r;
  }

  static void link(Org o, String humanToken, String slackUser) {
    Res r =
        call("PUT", "/v1/me/slack", humanToken, new JsonObject().put("slack_user_id", slackUser));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  static String slackUser() {
    return "U"
        + Long.toString(Math.abs(UUID.randomUUID().getLeastSignificantBits()), 36).toUpperCase();
  }

  // ---- install ----

  @Test
  void installChecksTheTokenWithAuthTestShowsTheWorkspaceAndNeverTheSecrets() {
    Fixtures f = Fixtures.create(server.api);
    String bad = "xoxb-" + UUID.randomUUID();
    secrets.add(bad);
    Res refused =
        call(
            "PUT",
            "/v1/integrations/slack",
            f.human,
            new JsonObject().put("bot_token", bad).put("signing_secret", "s3cr3t-refused"));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.error().getJsonObject("details").getString("field")).isEqualTo("bot_token");
    assertThat(refused.error().getJsonObject("details").getString("slack_error"))
        .isEqualTo("invalid_auth");
    Res notBot =
        call(
            "PUT",
            "/v1/integrations/slack",
            f.human,
            new JsonObject().put("bot_token", "xoxp-user-token").put("signing_secret", "x"));
    assertThat(notBot.status()).isEqualTo(400);
    Res noSecret =
        call("PUT", "/v1/integrations/slack", f.human, new JsonObject().put("bot_token", "xoxb-1"));
    assertThat(noSecret.status()).isEqualTo(400);
    assertThat(noSecret.error().getJsonObject("details").getString("field"))
        .isEqualTo("signing_secret");
    assertThat(call("GET", "/v1/integrations/slack", f.human, null).data().getBoolean("installed"))
        .isFalse();

    String token = "xoxb-" + UUID.randomUUID();
    String secret = "sig-" + UUID.randomUUID();
    secrets.add(token);
    secrets.add(secret);
    slack.tokens.put(token, true);
    Res ok =
        call(
            "PUT",
            "/v1/integrations/slack",
            f.human,
            new JsonObject().put("bot_token", token).put("signing_secret", secret));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    JsonObject shown = call("GET", "/v1/integrations/slack", f.human, null).data();
    assertThat(shown.getBoolean("installed")).isTrue();
    assertThat(shown.getJsonObject("team").getString("id")).isEqualTo(FakeSlack.TEAM);
    assertThat(shown.getJsonObject("team").getString("name")).isEqualTo("Waitroom Test");
    assertThat(shown.getString("bot_user")).isEqualTo(FakeSlack.BOT_USER);
    assertThat(shown.encode()).doesNotContain(token).doesNotContain(secret);
    assertThat(slack.calls("auth.test", c -> token.equals(c.token()))).hasSize(1);

    // Another org sees nothing of it and cannot remove it.
    String other = TestServer.token("org-" + UUID.randomUUID(), "mallory");
    assertThat(call("GET", "/v1/integrations/slack", other, null).data().getBoolean("installed"))
        .isFalse();
    assertThat(call("DELETE", "/v1/integrations/slack", other, null).status()).isEqualTo(404);
    // Agents cannot install.
    assertThat(call("GET", "/v1/integrations/slack", f.agentKey("a"), null).status())
        .isEqualTo(403);

    Res removed = call("DELETE", "/v1/integrations/slack", f.human, null);
    assertThat(removed.status()).isEqualTo(200);
    assertThat(call("GET", "/v1/integrations/slack", f.human, null).data().getBoolean("installed"))
        .isFalse();
    assertThat(call("DELETE", "/v1/integrations/slack", f.human, null).status()).isEqualTo(404);
  }

  @Test
  void aRoomsChannelIsValidatedAndBelongsToItsOrg() {
    Org o = org("high");
    Res bad =
        call(
            "PUT",
            "/v1/rooms/" + o.room() + "/slack",
            o.f().human,
            new JsonObject().put("channel", "#general"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error().getJsonObject("details").getString("field")).isEqualTo("channel");
    Res risk =
        call(
            "PUT",
            "/v1/rooms/" + o.room() + "/slack",
            o.f().human,
            new JsonObject().put("channel", "C0123456789").put("min_risk", "extreme"));
    assertThat(risk.error().getJsonObject("details").getString("field")).isEqualTo("min_risk");
    JsonObject got = call("GET", "/v1/rooms/" + o.room() + "/slack", o.f().human, null).data();
    assertThat(got.getString("channel")).isEqualTo(o.channel());
    assertThat(got.getString("min_risk")).isEqualTo("high");
    String other = TestServer.token("org-" + UUID.randomUUID(), "mallory");
    assertThat(call("GET", "/v1/rooms/" + o.room() + "/slack", other, null).status())
        .isEqualTo(404);
    assertThat(
            call(
                    "PUT",
                    "/v1/rooms/" + o.room() + "/slack",
                    other,
                    new JsonObject().put("channel", "C0123456789"))
                .status())
        .isEqualTo(404);
    assertThat(call("DELETE", "/v1/rooms/" + o.room() + "/slack", o.f().human, null).status())
        .isEqualTo(200);
    assertThat(call("GET", "/v1/rooms/" + o.room() + "/slack", o.f().human, null).status())
        .isEqualTo(404);
  }

  // ---- posting ----

  @Test
  void aPendingCheckInIsPostedWithTheThreeButtonsAndOnlyAtTheRoomsMinimumRisk() throws Exception {
    Org o = org("medium");
    String longAction = "Deploy <!channel> & " + "x".repeat(300);
    JsonObject ci =
        checkIn(
            o,
            new JsonObject()
                .put("action", longAction)
                .put("description", "Rolls out *v2* to prod")
                .put("risk_level", "high")
                .put("context", new JsonObject().put("env", "prod").put("big", "y".repeat(5000))));
    JsonObject low =
        checkIn(o, new JsonObject().put("action", "read the logs").put("risk_level", "low"));
    FakeSlack.Call post = posted(o, ci.getString("id"));
    assertThat(post.token()).isEqualTo(o.token());
    JsonArray blocks = post.params().getJsonArray("blocks");
    JsonObject header = blocks.getJsonObject(0);
    assertThat(header.getString("type")).isEqualTo("header");
    String headerText = header.getJsonObject("text").getString("text");
    assertThat(headerText.length()).isLessThanOrEqualTo(150);
    assertThat(headerText).startsWith("Deploy");
    String all = blocks.encode();
    assertThat(all).contains("Deployments").contains("high").contains("Time left");
    assertThat(all).containsPattern("min left \\(until <!date\\^[0-9]+\\^\\{time\\}\\|");
    assertThat(all).contains("Rolls out *v2* to prod");
    // Agent text cannot mention anyone: Slack's control characters are escaped.
    assertThat(post.params().getString("text")).contains("&lt;!channel&gt; &amp;");
    for (Object b : blocks) {
      JsonObject block = (JsonObject) b;
      if (block.getJsonObject("text") != null) {
        assertThat(block.getJsonObject("text").getString("text").length())
            .isLessThanOrEqualTo(3000);
      }
    }
    assertThat(all).contains("```");
    JsonArray buttons = blocks.getJsonObject(blocks.size() - 1).getJsonArray("elements");
    assertThat(buttons).hasSize(3);
    JsonObject approve = buttons.getJsonObject(0);
    assertThat(approve.getString("action_id")).isEqualTo(SlackBlocks.APPROVE);
    assertThat(approve.getString("style")).isEqualTo("primary");
    assertThat(approve.getString("value")).isEqualTo(ci.getString("id"));
    assertThat(approve.getJsonObject("confirm").getJsonObject("confirm").getString("text"))
        .isEqualTo("Approve");
    JsonObject reject = buttons.getJsonObject(1);
    assertThat(reject.getString("style")).isEqualTo("danger");
    assertThat(reject.getJsonObject("text").getString("text")).isEqualTo("Reject");
    JsonObject open = buttons.getJsonObject(2);
    assertThat(open.getJsonObject("text").getString("text")).isEqualTo("Open in Waitroom");
    assertThat(open.getString("url")).isEqualTo(PUBLIC_URL + "/#/check-ins/" + ci.getString("id"));

    Thread.sleep(500);
    assertThat(
            slack.calls("chat.postMessage", c -> c.params().encode().contains(low.getString("id"))))
        .as("below the room's min_risk")
        .isEmpty();
    assertThat(
            slack.calls("chat.postMessage", c -> c.params().encode().contains(ci.getString("id"))))
        .hasSize(1);
  }

  // ---- deciding ----

  @Test
  void aSignedClickByALinkedUserApprovesAsThatHumanAndTheMessageShowsIt() throws Exception {
    Org o = org();
    String alice =
        TestServer.token(
            new JsonObject().put("org_id", o.f().org).put("sub", "alice").put("name", "Alice"),
            3600);
    String aliceId = o.f().userId(alice, "alice");
    String user = slackUser();
    link(o, alice, user);
    assertThat(call("GET", "/v1/me/slack", alice, null).data().getString("slack_user_id"))
        .isEqualTo(user);
    String id = checkIn(o, new JsonObject().put("action", "Deploy v2")).getString("id");
    FakeSlack.Call post = posted(o, id);
    HttpResponse<String> r = interact(o, click(o, user, SlackBlocks.APPROVE, id, "1"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject ci = awaitStatus(o, id, "approved");
    assertThat(ci.getJsonObject("decision").getString("via")).isEqualTo("slack");
    assertThat(ci.getJsonObject("decision").getString("decided_by")).isEqualTo(aliceId);
    FakeSlack.Call update =
        slack.await(
            "chat.update",
            c ->
                o.channel().equals(c.params().getString("channel"))
                    && c.params().encode().contains(id),
            Duration.ofSeconds(10));
    assertThat(update.params().getString("ts")).startsWith("1700000000.");
    String shown = update.params().getJsonArray("blocks").encode();
    assertThat(shown).contains("Approved* by Alice").contains("<!date^");
    assertThat(shown).doesNotContain(SlackBlocks.APPROVE).doesNotContain(SlackBlocks.REJECT);
    assertThat(shown).contains("Open in Waitroom");
  }

  @Test
  void aClickIsMatchedByEMailWhenTheSlackUserIsNotLinked() throws Exception {
    Org o = org();
    String email = "bob-" + UUID.randomUUID() + "@example.com";
    String bob =
        TestServer.token(
            new JsonObject()
                .put("org_id", o.f().org)
                .put("sub", "bob")
                .put("name", "Bob")
                .put("email", email),
            3600);
    String bobId = o.f().userId(bob, "bob");
    String user = slackUser();
    slack.emails.put(user, email.toUpperCase());
    String id = checkIn(o, new JsonObject().put("action", "Rotate keys")).getString("id");
    posted(o, id);
    assertThat(interact(o, click(o, user, SlackBlocks.APPROVE, id, "1")).statusCode())
        .isEqualTo(200);
    JsonObject ci = awaitStatus(o, id, "approved");
    assertThat(ci.getJsonObject("decision").getString("decided_by")).isEqualTo(bobId);
    assertThat(ci.getJsonObject("decision").getString("via")).isEqualTo("slack");
  }

  @Test
  void aLinkSomeoneElseMadeCannotTakeTheClicksOfASlackUserWhoseAddressIsAnothers()
      throws Exception {
    Org o = org();
    String email = "carol-" + UUID.randomUUID() + "@example.com";
    String carol =
        TestServer.token(
            new JsonObject()
                .put("org_id", o.f().org)
                .put("sub", "carol")
                .put("name", "Carol")
                .put("email", email),
            3600);
    String carolId = o.f().userId(carol, "carol");
    String carolsSlack = slackUser();
    slack.emails.put(carolsSlack, email);
    // Mallory links Carol's Slack user to herself.
    link(o, o.f().human("mallory"), carolsSlack);
    String id = checkIn(o, new JsonObject().put("action", "Pay invoice")).getString("id");
    posted(o, id);
    assertThat(interact(o, click(o, carolsSlack, SlackBlocks.APPROVE, id, "1")).statusCode())
        .isEqualTo(200);
    JsonObject ci = awaitStatus(o, id, "approved");
    assertThat(ci.getJsonObject("decision").getString("decided_by")).isEqualTo(carolId);
  }

  @Test
  void aBadStaleOrMissingSignatureIs401AndDecidesNothing() throws Exception {
    Org o = org();
    String user = slackUser();
    link(o, o.f().human, user);
    String id = checkIn(o, new JsonObject().put("action", "Drop the cache")).getString("id");
    posted(o, id);
    String body = formBody(click(o, user, SlackBlocks.APPROVE, id, "1"));
    long now = System.currentTimeMillis() / 1000;
    // Signed with another secret.
    assertThat(
            sendInteraction(body, now, signature("not-the-secret", now, body)).get().statusCode())
        .isEqualTo(401);
    // Signed correctly, but 6 minutes ago (a replay).
    long stale = now - 360;
    assertThat(sendInteraction(body, stale, signature(o.secret(), stale, body)).get().statusCode())
        .isEqualTo(401);
    // Signed correctly, for another body.
    String tampered = formBody(click(o, "U0SOMEONEELSE", SlackBlocks.APPROVE, id, "1"));
    assertThat(sendInteraction(tampered, now, signature(o.secret(), now, body)).get().statusCode())
        .isEqualTo(401);
    // No signature at all, or no timestamp. The request id and allowed-hosts middleware still run.
    HttpResponse<String> unsigned = sendInteraction(body, null, null).get();
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unsigned.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
    assertThat(sendInteraction(body, now, null).get().statusCode()).isEqualTo(401);
    // Another org's secret, for this org's check-in.
    Org other = org();
    assertThat(sendInteraction(body, now, signature(other.secret(), now, body)).get().statusCode())
        .isEqualTo(401);
    Thread.sleep(500);
    assertThat(getCheckIn(o, id).getString("status")).isEqualTo("pending");
  }

  @Test
  void anUnlinkedSlackUserGetsAnEphemeralMessageAndNothingIsDecided() throws Exception {
    Org o = org();
    String user = slackUser();
    slack.emails.put(user, "stranger-" + UUID.randomUUID() + "@example.com");
    String id = checkIn(o, new JsonObject().put("action", "Delete a bucket")).getString("id");
    posted(o, id);
    assertThat(interact(o, click(o, user, SlackBlocks.APPROVE, id, "1")).statusCode())
        .isEqualTo(200);
    FakeSlack.Call told =
        slack.await(
            "chat.postEphemeral",
            c -> user.equals(c.params().getString("user")),
            Duration.ofSeconds(10));
    assertThat(told.params().getString("channel")).isEqualTo(o.channel());
    assertThat(told.params().getString("text"))
        .startsWith("Your Slack account is not linked to Waitroom: ");
    assertThat(getCheckIn(o, id).getString("status")).isEqualTo("pending");
  }

  @Test
  void rejectOpensAModalAtOnceAndItsSubmissionRejectsWithTheReason() throws Exception {
    Org o = org();
    String user = slackUser();
    link(o, o.f().human, user);
    String id = checkIn(o, new JsonObject().put("action", "Wire 10k EUR")).getString("id");
    posted(o, id);
    JsonObject payload = click(o, user, SlackBlocks.REJECT, id, "1");
    assertThat(interact(o, payload).statusCode()).isEqualTo(200);
    FakeSlack.Call opened =
        slack.await(
            "views.open",
            c ->
                payload.getString("trigger_id").equals(c.params().getString("trigger_id"))
                    && c.params().encode().contains(id),
            Duration.ofSeconds(3));
    JsonObject view = opened.params().getJsonObject("view");
    assertThat(view.getString("callback_id")).isEqualTo(SlackBlocks.REJECT_MODAL);
    assertThat(view.getJsonArray("blocks").getJsonObject(1).getString("block_id"))
        .isEqualTo("reason");
    assertThat(getCheckIn(o, id).getString("status")).isEqualTo("pending");

    // An empty reason keeps the modal open with the error.
    HttpResponse<String> empty =
        interact(o, submission(user, view.getString("private_metadata"), " "));
    assertThat(empty.statusCode()).isEqualTo(200);
    JsonObject errors = new JsonObject(empty.body());
    assertThat(errors.getString("response_action")).isEqualTo("errors");
    assertThat(errors.getJsonObject("errors").getString("reason")).isNotBlank();

    HttpResponse<String> done =
        interact(o, submission(user, view.getString("private_metadata"), "Not this quarter"));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).isEmpty();
    JsonObject ci = awaitStatus(o, id, "rejected");
    assertThat(ci.getJsonObject("decision").getString("reason")).isEqualTo("Not this quarter");
    assertThat(ci.getJsonObject("decision").getString("via")).isEqualTo("slack");
    FakeSlack.Call update =
        slack.await("chat.update", c -> c.params().encode().contains(id), Duration.ofSeconds(10));
    assertThat(update.params().getJsonArray("blocks").encode())
        .contains("Rejected* by")
        .contains("Not this quarter");
  }

  @Test
  void concurrentClicksAndARetriedDeliveryDecideOnceAndTheLoserIsToldWhoWon() throws Exception {
    Org o = org();
    String alice =
        TestServer.token(
            new JsonObject().put("org_id", o.f().org).put("sub", "alice").put("name", "Alice"),
            3600);
    String bob =
        TestServer.token(
            new JsonObject().put("org_id", o.f().org).put("sub", "bob").put("name", "Bob"), 3600);
    String aliceUser = slackUser();
    String bobUser = slackUser();
    link(o, alice, aliceUser);
    link(o, bob, bobUser);
    // A Slack user already linked to someone else cannot be claimed.
    Res taken =
        call(
            "PUT",
            "/v1/me/slack",
            o.f().human("carol"),
            new JsonObject().put("slack_user_id", aliceUser));
    assertThat(taken.status()).isEqualTo(409);
    String id = checkIn(o, new JsonObject().put("action", "Ship it")).getString("id");
    posted(o, id);
    long now = System.currentTimeMillis() / 1000;
    String aliceBody = formBody(click(o, aliceUser, SlackBlocks.APPROVE, id, "1"));
    String bobBody = formBody(click(o, bobUser, SlackBlocks.APPROVE, id, "1"));
    String aliceSig = signature(o.secret(), now, aliceBody);
    String bobSig = signature(o.secret(), now, bobBody);
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // Double clicks, the same payload delivered again, and two people at once.
      all.add(sendInteraction(aliceBody, now, aliceSig));
      all.add(sendInteraction(bobBody, now, bobSig));
    }
    for (var f : all) assertThat(f.get().statusCode()).isEqualTo(200);
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonObject ci = getCheckIn(o, id);
    while (ci.getString("status").equals("pending") && System.nanoTime() < end) {
      Thread.sleep(25);
      ci = getCheckIn(o, id);
    }
    assertThat(ci.getString("status")).isEqualTo("approved");
    String winner = ci.getJsonObject("decision").getString("decided_by");
    String winnerName = winner.equals(o.f().userId(alice, "alice")) ? "Alice" : "Bob";
    String loserUser = winnerName.equals("Alice") ? bobUser : aliceUser;
    // One decision: one approval in the audit trail and one decision message in the thread.
    Thread.sleep(1000);
    Res audit = call("GET", "/v1/audit?event_type=checkin.approved&limit=100", o.f().human, null);
    assertThat(
            audit.list().stream().filter(a -> id.equals(((JsonObject) a).getString("target_id"))))
        .hasSize(1);
    FakeSlack.Call told =
        slack.await(
            "chat.postEphemeral",
            c -> loserUser.equals(c.params().getString("user")),
            Duration.ofSeconds(10));
    assertThat(told.params().getString("text"))
        .isEqualTo("This was already approved by " + winnerName + ".");
    String winnerUser = winnerName.equals("Alice") ? aliceUser : bobUser;
    assertThat(
            slack.calls("chat.postEphemeral", c -> winnerUser.equals(c.params().getString("user"))))
        .as("the winner's own repeated clicks are not answered")
        .isEmpty();
  }

  @Test
  void aQuorumShowsItsVotesAndASlackVoteCounts() throws Exception {
    Org o = org();
    String bob =
        TestServer.token(
            new JsonObject().put("org_id", o.f().org).put("sub", "bob").put("name", "Bob"), 3600);
    String carol = o.f().human("carol");
    List<String> ids =
        List.of(
            o.f().userId(o.f().human, "alice"),
            o.f().userId(bob, "bob"),
            o.f().userId(carol, "carol"));
    JsonObject quorum =
        new JsonObject()
            .put("required", 2)
            .put("approvers", new JsonArray(new ArrayList<>(ids)))
            .put("reject", "any");
    assertThat(
            o.f()
                .putPolicies(
                    Fixtures.policy("require_approval", new JsonArray()).put("quorum", quorum))
                .status())
        .isEqualTo(200);
    String bobUser = slackUser();
    link(o, bob, bobUser);
    String id = checkIn(o, new JsonObject().put("action", "Refund 500 EUR")).getString("id");
    FakeSlack.Call post = posted(o, id);
    assertThat(post.params().getJsonArray("blocks").encode()).contains("0 of 2 approvals");
    assertThat(interact(o, click(o, bobUser, SlackBlocks.APPROVE, id, "1")).statusCode())
        .isEqualTo(200);
    FakeSlack.Call update =
        slack.await(
            "chat.update",
            c ->
                c.params().encode().contains(id)
                    && c.params().encode().contains("1 of 2 approvals"),
            Duration.ofSeconds(10));
    assertThat(update.params().getJsonArray("blocks").encode())
        .contains("Bob approved")
        .contains(SlackBlocks.APPROVE);
    JsonObject ci = getCheckIn(o, id);
    assertThat(ci.getString("status")).isEqualTo("pending");
    assertThat(ci.getJsonArray("votes").getJsonObject(0).getString("via")).isEqualTo("slack");
  }

  // ---- the message follows the check-in ----

  @Test
  void aDecisionOnTheDashboardAWithdrawalAndAnExpiryUpdateTheMessage() throws Exception {
    Org o = org();
    String decided = checkIn(o, new JsonObject().put("action", "Restart db")).getString("id");
    String withdrawn = checkIn(o, new JsonObject().put("action", "Resize disk")).getString("id");
    String expiring =
        checkIn(o, new JsonObject().put("action", "Purge queue").put("timeout_minutes", 1))
            .getString("id");
    posted(o, decided);
    posted(o, withdrawn);
    posted(o, expiring);
    Res modify =
        call(
            "POST",
            "/v1/check-ins/" + decided + "/modify",
            o.f().human,
            new JsonObject()
                .put("reason", "smaller")
                .put("modifications", new JsonObject().put("replicas", 2)));
    assertThat(modify.status()).as(modify.toString()).isEqualTo(200);
    assertThat(call("DELETE", "/v1/check-ins/" + withdrawn, o.agent(), null).status())
        .isEqualTo(200);
    FakeSlack.Call m =
        slack.await(
            "chat.update", c -> c.params().encode().contains(decided), Duration.ofSeconds(10));
    assertThat(m.params().getJsonArray("blocks").encode())
        .contains("Modified* by")
        .contains("replicas");
    FakeSlack.Call w =
        slack.await(
            "chat.update", c -> c.params().encode().contains(withdrawn), Duration.ofSeconds(10));
    assertThat(w.params().getJsonArray("blocks").encode()).contains("Withdrawn");
    // Expired by the sweeper (a minute is a second in tests).
    FakeSlack.Call e =
        slack.await(
            "chat.update", c -> c.params().encode().contains(expiring), Duration.ofSeconds(15));
    assertThat(e.params().getJsonArray("blocks").encode()).contains("Expired");
    assertThat(e.params().getString("text")).startsWith("Expired");
  }

  @Test
  void anEscalationStepRepliesInTheThreadMentioningTheLinkedHumansItNames() throws Exception {
    Org o = org();
    String lead = o.f().human("lead");
    String leadId = o.f().userId(lead, "lead");
    String leadUser = slackUser();
    link(o, lead, leadUser);
    JsonObject policy =
        new JsonObject()
            .put("default_action", "require_approval")
            .put("timeout_minutes", 30)
            .put("timeout_action", "cancel")
            .put("rules", new JsonArray())
            .put(
                "escalation",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("after_minutes", 1)
                            .put("urgency", "high")
                            .put("notify", new JsonArray().add(leadId))));
    assertThat(o.f().putPolicies(policy).status()).isEqualTo(200);
    String id = checkIn(o, new JsonObject().put("action", "Failover")).getString("id");
    FakeSlack.Call post = posted(o, id);
    FakeSlack.Call reply =
        slack.await(
            "chat.postMessage",
            c ->
                c.params().getString("thread_ts") != null
                    && o.channel().equals(c.params().getString("channel")),
            Duration.ofSeconds(15));
    assertThat(reply.params().getString("text"))
        .contains("<@" + leadUser + ">")
        .contains("level 1");
    assertThat(post).isNotNull();
  }

  @Test
  void twoNodesPostOnceAndAClickOnEitherUpdatesTheMessageOnce() throws Exception {
    try (TestServer b = server.secondNode()) {
      Org o = org();
      String user = slackUser();
      link(o, o.f().human, user);
      String id = checkIn(o, new JsonObject().put("action", "Two nodes")).getString("id");
      posted(o, id);
      // The click reaches the other node.
      String body = formBody(click(o, user, SlackBlocks.APPROVE, id, "1"));
      long now = System.currentTimeMillis() / 1000;
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(b.api.base() + SlackRoutes.INTERACTIONS))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("X-Slack-Request-Timestamp", String.valueOf(now))
              .header("X-Slack-Signature", signature(o.secret(), now, body))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      assertThat(HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      awaitStatus(o, id, "approved");
      slack.await("chat.update", c -> c.params().encode().contains(id), Duration.ofSeconds(10));
      Thread.sleep(1500);
      assertThat(slack.calls("chat.postMessage", c -> c.params().encode().contains(id))).hasSize(1);
      assertThat(slack.calls("chat.update", c -> c.params().encode().contains(id))).hasSize(1);
    }
  }

  // ---- delivery ----

  @Test
  void slackAnswering429IsRetriedAfterItsRetryAfter() throws Exception {
    Org o = org();
    slack.retryAfterSeconds = 2;
    slack.rateLimited.put("chat.postMessage", new java.util.concurrent.atomic.AtomicInteger(1));
    try {
      String id = checkIn(o, new JsonObject().put("action", "Rate limited post")).getString("id");
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      List<FakeSlack.Call> tries = List.of();
      while (tries.size() < 2 && System.nanoTime() < end) {
        Thread.sleep(25);
        tries = slack.calls("chat.postMessage", c -> c.params().encode().contains(id));
      }
      assertThat(tries).hasSize(2);
      assertThat(tries.get(1).atMillis() - tries.get(0).atMillis()).isGreaterThanOrEqualTo(1900);
      String metrics = server.api.get("/metrics", null).raw();
      assertThat(metrics).containsPattern("waitroom_slack_failed_total [1-9]");
      assertThat(metrics).containsPattern("waitroom_slack_sent_total [1-9]");
    } finally {
      slack.rateLimited.remove("chat.postMessage");
    }
  }

  @Test
  void slackFailingWithA5xxIsRetriedWithBackoffUntilItAccepts() throws Exception {
    Org o = org();
    slack.failing.put("chat.update", new java.util.concurrent.atomic.AtomicInteger(2));
    try {
      String id = checkIn(o, new JsonObject().put("action", "Flaky Slack")).getString("id");
      posted(o, id);
      assertThat(
              call("POST", "/v1/check-ins/" + id + "/approve", o.f().human, new JsonObject())
                  .status())
          .isEqualTo(200);
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      List<FakeSlack.Call> tries = List.of();
      while (tries.size() < 3 && System.nanoTime() < end) {
        Thread.sleep(25);
        tries = slack.calls("chat.update", c -> c.params().encode().contains(id));
      }
      // Two 503s, then the update that Slack accepts; nothing after it.
      assertThat(tries).hasSize(3);
      Thread.sleep(800);
      assertThat(slack.calls("chat.update", c -> c.params().encode().contains(id))).hasSize(3);
    } finally {
      slack.failing.remove("chat.update");
    }
  }

  @Test
  void noSecretAppearsInAnyResponseOrLogLine() throws Exception {
    // A full round of its own, on top of what the other tests did in this JVM.
    Org o = org();
    String user = slackUser();
    link(o, o.f().human, user);
    String id = checkIn(o, new JsonObject().put("action", "Audit secrets")).getString("id");
    posted(o, id);
    interact(o, click(o, user, SlackBlocks.APPROVE, id, "1"));
    awaitStatus(o, id, "approved");
    slack.await("chat.update", c -> c.params().encode().contains(id), Duration.ofSeconds(10));
    call("GET", "/v1/integrations/slack", o.f().human, null);
    call("GET", "/v1/audit?limit=100", o.f().human, null);
    Res refused =
        call(
            "PUT",
            "/v1/integrations/slack",
            o.f().human,
            new JsonObject()
                .put("bot_token", "xoxb-refused-" + o.secret())
                .put("signing_secret", o.secret()));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(secrets).isNotEmpty();
    assertThat(logs.list).isNotEmpty();
    for (String secret : secrets) {
      for (String body : bodies) assertThat(body).doesNotContain(secret);
      for (ILoggingEvent e : logs.list) {
        assertThat(e.getFormattedMessage()).doesNotContain(secret);
        if (e.getThrowableProxy() != null) {
          assertThat(e.getThrowableProxy().getMessage()).doesNotContain(secret);
        }
      }
    }
  }
}
