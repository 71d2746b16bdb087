package io.waitroom.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.push.PushService.Browser;
import io.waitroom.push.PushService.Hit;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Web Push end to end: subscriptions through the API, a local push service receiving the pushes,
 * and the test decrypting them with the subscription's own keys (RFC 8291) and checking the VAPID
 * signature (RFC 8292).
 */
class PushApiTest {
  static TestServer server;
  static Api api;
  static PushService push;

  @BeforeAll
  static void start() throws Exception {
    // Retries after 5 s x 0.01 = 50 ms, 300 ms, ...: the schedule, shortened.
    server =
        TestServer.start(
            Map.of("WAITROOM_WEBHOOK_RETRY_SCALE", "0.01", "WAITROOM_WATCHER_POLL_MS", "200"));
    api = server.api;
    push = new PushService();
  }

  @AfterAll
  static void stop() throws Exception {
    if (push != null) push.close();
    if (server != null) server.close();
  }

  static Browser browser() throws Exception {
    return Browser.create(push.origin() + "/push/" + UUID.randomUUID());
  }

  static String pathOf(Browser b) {
    return b.endpoint().substring(push.origin().length());
  }

  static JsonObject subscribe(Fixtures f, String human, Browser b, Object rooms) {
    Res r = api.post("/v1/push/subscriptions", human, b.subscription().put("rooms", rooms));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofSeconds(15));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  static byte[] vapidPublicKey() {
    Res r = api.get("/v1/push/vapid-public-key", TestServer.token("org-any", "bob"));
    assertThat(r.status()).isEqualTo(200);
    return PushService.unb64(r.data().getString("public_key"));
  }

  @Test
  void aPendingCheckInIsPushedEncryptedToEverySubscribedHumanWithAVapidSignature()
      throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser alice = browser();
    Browser bob = browser();
    JsonObject sub = subscribe(f, f.human, alice, "all");
    assertThat(sub.getString("id")).startsWith("psub_");
    assertThat(sub.getString("rooms")).isEqualTo("all");
    assertThat(sub.containsKey("keys")).isFalse();
    subscribe(f, f.human("bob"), bob, new JsonArray().add(f.roomSlug));
    String key = f.agentKey("deployer");
    JsonObject ci =
        f.checkIn(
                key,
                new JsonObject()
                    .put("action", "Deploy v2.3.1 <b>to</b> production")
                    .put("risk_level", "high")
                    .put("urgency", "urgent"))
            .data();

    await(() -> push.hitsOn(pathOf(alice)).size() == 1, "alice's push");
    await(() -> push.hitsOn(pathOf(bob)).size() == 1, "bob's push");
    for (Browser b : List.of(alice, bob)) {
      Hit hit = push.hitsOn(pathOf(b)).get(0);
      assertThat(hit.headers().get("Content-Encoding")).isEqualTo("aes128gcm");
      assertThat(Integer.parseInt(hit.headers().get("TTL"))).isPositive();
      assertThat(hit.headers().get("Urgency")).isEqualTo("high");
      JsonObject payload =
          new JsonObject(new String(b.decrypt(hit.body()), StandardCharsets.UTF_8));
      assertThat(payload.getString("check_in_id")).isEqualTo(ci.getString("id"));
      assertThat(payload.getString("room_id")).isEqualTo(f.room.getString("id"));
      assertThat(payload.getString("room")).isEqualTo("Deployments");
      assertThat(payload.getString("action")).isEqualTo("Deploy v2.3.1 <b>to</b> production");
      assertThat(payload.getString("risk_level")).isEqualTo("high");
      assertThat(payload.getString("urgency")).isEqualTo("urgent");
      assertThat(payload.getString("url")).isEqualTo("/#/check-ins/" + ci.getString("id"));

      // Authorization: vapid t=<JWT signed by the VAPID key>, k=<the VAPID public key>
      String authz = hit.headers().get("Authorization");
      assertThat(authz).startsWith("vapid ");
      Map<String, String> params = new LinkedHashMap<>();
      for (String part : authz.substring(6).split(",")) {
        String[] kv = part.trim().split("=", 2);
        params.put(kv[0], kv[1]);
      }
      byte[] vapid = vapidPublicKey();
      assertThat(PushService.unb64(params.get("k"))).isEqualTo(vapid);
      JsonObject claims = PushService.verifyEs256(params.get("t"), vapid);
      assertThat(claims.getString("aud")).isEqualTo(push.origin());
      assertThat(claims.getString("sub")).isEqualTo("mailto:admin@localhost");
      long exp = claims.getLong("exp");
      long now = Instant.now().getEpochSecond();
      assertThat(exp).isGreaterThan(now).isLessThanOrEqualTo(now + 24 * 3600);
      // A JWT signed by anyone else does not pass.
      byte[] stranger = browser().publicBytes();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> PushService.verifyEs256(params.get("t"), stranger))
          .hasMessageContaining("bad signature");
    }
    assertThat(api.get("/metrics", null).raw())
        .containsPattern("waitroom_push_sent_total\\S* [1-9]");
  }

  @Test
  void onlyPendingAgentCheckInsInTheSubscribedRoomsArePushed() throws Exception {
    Fixtures f = Fixtures.create(api);
    JsonObject other = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Quiet")).data();
    Browser b = browser();
    subscribe(f, f.human, b, new JsonArray().add(other.getString("id")));
    String key = f.agentKey("deployer");
    f.pendingCheckIn(key, "not in the subscribed room");
    // Auto-approved: nobody is needed, nothing is pushed.
    api.put(
        "/v1/rooms/" + other.getString("slug") + "/policies",
        f.human,
        Fixtures.policy("auto_approve", new JsonArray()));
    Res auto =
        api.post(
            "/v1/rooms/" + other.getString("slug") + "/check-in",
            key,
            new JsonObject().put("action", "auto"));
    assertThat(auto.data().getString("status")).isEqualTo("approved");
    api.put(
        "/v1/rooms/" + other.getString("slug") + "/policies",
        f.human,
        Fixtures.policy("require_approval", new JsonArray()));
    Res waiting =
        api.post(
            "/v1/rooms/" + other.getString("slug") + "/check-in",
            key,
            new JsonObject().put("action", "needs you"));
    assertThat(waiting.data().getString("status")).isEqualTo("pending");
    await(() -> push.hitsOn(pathOf(b)).size() >= 1, "the push");
    Thread.sleep(600);
    List<Hit> hits = push.hitsOn(pathOf(b));
    assertThat(hits).hasSize(1);
    JsonObject payload =
        new JsonObject(new String(b.decrypt(hits.get(0).body()), StandardCharsets.UTF_8));
    assertThat(payload.getString("action")).isEqualTo("needs you");
  }

  @Test
  void a410FromThePushServiceRemovesTheSubscription() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser b = browser();
    String id = subscribe(f, f.human, b, "all").getString("id");
    push.answer(pathOf(b), 410);
    String key = f.agentKey("deployer");
    f.pendingCheckIn(key, "first");
    await(() -> push.hitsOn(pathOf(b)).size() == 1, "the push");
    await(
        () -> api.get("/v1/push/subscriptions", f.human).list().isEmpty(),
        "the subscription to go");
    f.pendingCheckIn(key, "second");
    Thread.sleep(800);
    assertThat(push.hitsOn(pathOf(b))).hasSize(1);
    assertThat(api.delete("/v1/push/subscriptions/" + id, f.human).status()).isEqualTo(404);
    assertThat(api.get("/v1/audit?event_type=push.unsubscribed", f.human).list()).isNotEmpty();
  }

  @Test
  void serverErrorsAreRetriedOnTheWebhookScheduleAndThenSucceed() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser b = browser();
    subscribe(f, f.human, b, "all");
    push.answer(pathOf(b), 503, 500);
    JsonObject ci = f.pendingCheckIn(f.agentKey("deployer"), "retry me");
    await(() -> push.hitsOn(pathOf(b)).size() == 3, "three attempts");
    Thread.sleep(800);
    List<Hit> hits = push.hitsOn(pathOf(b));
    assertThat(hits).hasSize(3);
    for (Hit h : hits) {
      // Each attempt is encrypted afresh, and each decrypts to the same message.
      JsonObject p = new JsonObject(new String(b.decrypt(h.body()), StandardCharsets.UTF_8));
      assertThat(p.getString("check_in_id")).isEqualTo(ci.getString("id"));
    }
    assertThat(hits.get(0).body()).isNotEqualTo(hits.get(1).body());
    assertThat(api.get("/metrics", null).raw())
        .containsPattern("waitroom_push_failed_total\\S* [1-9]");
    assertThat(api.get("/v1/push/subscriptions", f.human).list()).hasSize(1);
  }

  @Test
  void subscriptionsBelongToTheirHumanAndOrg() throws Exception {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    String id = subscribe(f, f.human, browser(), "all").getString("id");
    JsonArray mine = api.get("/v1/push/subscriptions", f.human).list();
    assertThat(mine).hasSize(1);
    assertThat(mine.getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(api.get("/v1/push/subscriptions", f.human("bob")).list()).isEmpty();
    assertThat(api.get("/v1/push/subscriptions", other.human).list()).isEmpty();
    assertThat(api.delete("/v1/push/subscriptions/" + id, other.human).status()).isEqualTo(404);
    assertThat(api.delete("/v1/push/subscriptions/" + id, f.human("bob")).status()).isEqualTo(404);
    assertThat(api.delete("/v1/push/subscriptions/psub_nope", f.human).status()).isEqualTo(404);
    // Another org's room cannot be subscribed to.
    Res foreign =
        api.post(
            "/v1/push/subscriptions",
            f.human,
            browser().subscription().put("rooms", new JsonArray().add(other.room.getString("id"))));
    assertThat(foreign.status()).isEqualTo(400);
    assertThat(foreign.error().getJsonObject("details").getString("field")).isEqualTo("rooms[0]");
    // Agents cannot subscribe.
    Res agent =
        api.post(
            "/v1/push/subscriptions",
            f.agentKey("a"),
            browser().subscription().put("rooms", "all"));
    assertThat(agent.status()).isEqualTo(403);
    Res removed = api.delete("/v1/push/subscriptions/" + id, f.human);
    assertThat(removed.status()).isEqualTo(200);
    assertThat(removed.data().getString("id")).isEqualTo(id);
    assertThat(api.delete("/v1/push/subscriptions/" + id, f.human).status()).isEqualTo(404);
  }

  @Test
  void subscribingAnEndpointAgainReplacesTheOldSubscription() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser b = browser();
    String first = subscribe(f, f.human, b, "all").getString("id");
    String second = subscribe(f, f.human("bob"), b, "all").getString("id");
    assertThat(second).isNotEqualTo(first);
    assertThat(api.get("/v1/push/subscriptions", f.human).list()).isEmpty();
    assertThat(api.get("/v1/push/subscriptions", f.human("bob")).list()).hasSize(1);
    f.pendingCheckIn(f.agentKey("deployer"), "once");
    await(() -> push.hitsOn(pathOf(b)).size() == 1, "one push");
    Thread.sleep(600);
    assertThat(push.hitsOn(pathOf(b))).hasSize(1);
  }

  @Test
  void badBodiesAreRefusedNamingTheField() throws Exception {
    Fixtures f = Fixtures.create(api);
    JsonObject good = browser().subscription().put("rooms", "all");
    Map<JsonObject, String> cases = new LinkedHashMap<>();
    cases.put(good.copy().put("endpoint", (Object) null), "endpoint");
    cases.put(good.copy().put("endpoint", 42), "endpoint");
    cases.put(good.copy().put("endpoint", "not a url"), "endpoint");
    cases.put(good.copy().put("endpoint", "ftp://push.example/x"), "endpoint");
    cases.put(good.copy().put("keys", (Object) null), "keys");
    cases.put(good.copy().put("keys", "k"), "keys");
    cases.put(
        good.copy().put("keys", new JsonObject().put("auth", "AAAAAAAAAAAAAAAAAAAAAA")),
        "keys.p256dh");
    cases.put(withKey(good, "p256dh", "!!!"), "keys.p256dh");
    cases.put(withKey(good, "p256dh", PushService.b64(new byte[65])), "keys.p256dh");
    byte[] offCurve = new byte[65];
    offCurve[0] = 4;
    offCurve[64] = 1; // (0, 1) is not on P-256
    cases.put(withKey(good, "p256dh", PushService.b64(offCurve)), "keys.p256dh");
    cases.put(withKey(good, "auth", (Object) null), "keys.auth");
    cases.put(withKey(good, "auth", PushService.b64(new byte[8])), "keys.auth");
    cases.put(good.copy().put("rooms", (Object) null), "rooms");
    cases.put(good.copy().put("rooms", "some"), "rooms");
    cases.put(good.copy().put("rooms", new JsonArray()), "rooms");
    cases.put(good.copy().put("rooms", new JsonArray().add("nope")), "rooms[0]");
    cases.put(good.copy().put("rooms", new JsonArray().add(f.roomSlug).add(7)), "rooms[1]");
    for (var c : cases.entrySet()) {
      Res r = api.post("/v1/push/subscriptions", f.human, c.getKey());
      assertThat(r.status()).as(c.getKey().encode()).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.getKey().encode())
          .isEqualTo(c.getValue());
    }
    Res notObject = api.send("POST", "/v1/push/subscriptions", f.human, "[1]", Map.of());
    assertThat(notObject.status()).isEqualTo(400);
    assertThat(api.get("/v1/push/subscriptions", f.human).list()).isEmpty();
  }

  static JsonObject withKey(JsonObject body, String name, Object value) {
    JsonObject c = body.copy();
    c.getJsonObject("keys").put(name, value);
    return c;
  }

  @Test
  void theServiceWorkerIsServedFromTheRootAndTheKeyIsKeptInTheDataDir() throws Exception {
    Res sw = api.get("/sw.js", null);
    assertThat(sw.status()).isEqualTo(200);
    assertThat(sw.header("Content-Type")).startsWith("text/javascript");
    assertThat(sw.header("Service-Worker-Allowed")).isEqualTo("/");
    assertThat(sw.raw()).contains("showNotification").contains("notificationclick");
    Path file = Path.of(server.env().get("WAITROOM_DATA_DIR"), "vapid-keys");
    List<String> lines = Files.readAllLines(file);
    assertThat(PushService.unb64(lines.get(0))).isEqualTo(vapidPublicKey()).hasSize(65);
    assertThat(api.get("/v1/push/vapid-public-key", null).status()).isEqualTo(401);
  }
}
