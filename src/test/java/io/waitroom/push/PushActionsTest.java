package io.waitroom.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.push.PushService.Browser;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Actionable pushes: a pending check-in's push carries the subscription's human's own action links
 * as notification actions; the service worker posts the approve link itself (as the test does
 * here); a decision anywhere replaces the notification (same tag).
 */
class PushActionsTest {
  static TestServer server;
  static Api api;
  static PushService push;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("WAITROOM_WATCHER_POLL_MS", "200"));
    api = server.api;
    push = new PushService();
  }

  @AfterAll
  static void stop() throws Exception {
    if (push != null) push.close();
    if (server != null) server.close();
  }

  static Browser subscribed(Fixtures f, String human) throws Exception {
    Browser b = Browser.create(push.origin() + "/push/" + UUID.randomUUID());
    Res r = api.post("/v1/push/subscriptions", human, b.subscription().put("rooms", "all"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return b;
  }

  static List<JsonObject> received(Browser b) {
    String path = b.endpoint().substring(push.origin().length());
    return push.hitsOn(path).stream()
        .map(
            h -> {
              try {
                return new JsonObject(new String(b.decrypt(h.body()), StandardCharsets.UTF_8));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .toList();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofSeconds(15));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  static HttpResponse<String> postLink(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("reason="))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aLowRiskPushOffersApproveWhichDecidesAsThatHumanViaPush() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser alice = subscribed(f, f.human);
    Browser bob = subscribed(f, f.human("bob"));
    String id =
        f.checkIn(
                f.agentKey("deployer"),
                new JsonObject().put("action", "Restart web-1").put("risk_level", "low"))
            .data()
            .getString("id");
    await(() -> received(alice).size() == 1 && received(bob).size() == 1, "both pushes");
    JsonObject p = received(alice).get(0);
    assertThat(p.getString("tag")).isEqualTo("ci-" + id);
    JsonArray actions = p.getJsonArray("actions");
    assertThat(actions).hasSize(2);
    JsonObject approve = actions.getJsonObject(0);
    assertThat(approve.getString("action")).isEqualTo("approve");
    assertThat(approve.getBoolean("post")).isTrue();
    assertThat(approve.getString("url")).contains("/d/");
    JsonObject reject = actions.getJsonObject(1);
    assertThat(reject.getString("action")).isEqualTo("reject");
    assertThat(reject.getBoolean("post")).isFalse();
    assertThat(p.getJsonObject("links").getString("open")).contains("/d/");
    // Each subscription gets its own human's links.
    assertThat(received(bob).get(0).getJsonArray("actions").getJsonObject(0).getString("url"))
        .isNotEqualTo(approve.getString("url"));

    // The service worker posts the action's link (no JWT) and shows the answer.
    HttpResponse<String> r = postLink(approve.getString("url"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getBoolean("ok")).isTrue();
    assertThat(answer.getString("message")).isEqualTo("Approved · Restart web-1");
    JsonObject ci = api.get("/v1/check-ins/" + id, f.human).data();
    assertThat(ci.getString("status")).isEqualTo("approved");
    assertThat(ci.getJsonObject("decision").getString("via")).isEqualTo("push");
    assertThat(ci.getJsonObject("decision").getString("decided_by"))
        .isEqualTo(f.room.getString("created_by"));

    // Both phones get the notification replaced: same tag, the outcome, no actions.
    await(() -> received(alice).size() == 2 && received(bob).size() == 2, "the settled pushes");
    JsonObject settled = received(bob).get(1);
    assertThat(settled.getString("type")).isEqualTo("checkin.settled");
    assertThat(settled.getString("tag")).isEqualTo("ci-" + id);
    assertThat(settled.getString("status")).isEqualTo("approved");
    assertThat(settled.getString("title")).isEqualTo("Approved · Restart web-1");
    assertThat(settled.containsKey("actions")).isFalse();

    // Bob's approve link now answers why it does nothing, as JSON for his worker.
    String bobApprove =
        received(bob).get(0).getJsonArray("actions").getJsonObject(0).getString("url");
    HttpResponse<String> late = postLink(bobApprove);
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(late.body()).getBoolean("ok")).isFalse();
    assertThat(new JsonObject(late.body()).getString("message")).contains("Already approved by");
  }

  @Test
  void aHighRiskPushOffersReviewNotOneTapApprove() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser alice = subscribed(f, f.human);
    f.checkIn(
        f.agentKey("deployer"),
        new JsonObject().put("action", "Drop prod").put("risk_level", "critical"));
    await(() -> received(alice).size() == 1, "the push");
    JsonArray actions = received(alice).get(0).getJsonArray("actions");
    assertThat(actions.getJsonObject(0).getString("action")).isEqualTo("review");
    assertThat(actions.getJsonObject(0).getBoolean("post")).isFalse();
    assertThat(actions.getJsonObject(1).getString("action")).isEqualTo("reject");
  }

  @Test
  void aWithdrawnCheckInReplacesItsNotification() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser alice = subscribed(f, f.human);
    String key = f.agentKey("deployer");
    String id = f.pendingCheckIn(key, "Maybe later").getString("id");
    await(() -> received(alice).size() == 1, "the push");
    assertThat(api.delete("/v1/check-ins/" + id, key).status()).isEqualTo(200);
    await(() -> received(alice).size() == 2, "the settled push");
    JsonObject settled = received(alice).get(1);
    assertThat(settled.getString("status")).isEqualTo("withdrawn");
    assertThat(settled.getString("body")).isEqualTo("withdrawn by the agent");
  }
}
