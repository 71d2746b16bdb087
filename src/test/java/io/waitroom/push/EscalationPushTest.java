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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An escalation step pushes to the humans it notifies, once per step, with two nodes sweeping one
 * database and a local push service receiving (and the test decrypting) the pushes.
 */
class EscalationPushTest {
  static TestServer server;
  static TestServer second;
  static Api api;
  static PushService push;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("WAITROOM_WATCHER_POLL_MS", "200"));
    second = server.secondNode();
    api = server.api;
    push = new PushService();
  }

  @AfterAll
  static void stop() throws Exception {
    if (push != null) push.close();
    if (second != null) second.close();
    if (server != null) server.close();
  }

  static Browser browser() throws Exception {
    return Browser.create(push.origin() + "/push/" + UUID.randomUUID());
  }

  static String pathOf(Browser b) {
    return b.endpoint().substring(push.origin().length());
  }

  static void subscribe(String human, Browser b, Object rooms) {
    Res r = api.post("/v1/push/subscriptions", human, b.subscription().put("rooms", rooms));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  static JsonObject step(int after, String urgency, Object notify) {
    return new JsonObject()
        .put("after_minutes", after)
        .put("urgency", urgency)
        .put("notify", notify);
  }

  /** Two escalation steps; nothing else decides (a human is needed, 30 "minutes" to answer). */
  static JsonObject policy(JsonObject first, JsonObject second) {
    return new JsonObject()
        .put("default_action", "require_approval")
        .put("timeout_minutes", 30)
        .put("timeout_action", "cancel")
        .put("rules", new JsonArray())
        .put("escalation", new JsonArray().add(first).add(second));
  }

  /** The decrypted payloads that reached {@code b}, in arrival order. */
  static List<JsonObject> payloads(Browser b) {
    return push.hitsOn(pathOf(b)).stream()
        .map(Hit::body)
        .map(
            body -> {
              try {
                return new JsonObject(new String(b.decrypt(body), StandardCharsets.UTF_8));
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }

  @Test
  void eachStepPushesOnceToTheHumansItNotifies() throws Exception {
    Fixtures f = Fixtures.create(api);
    String leadToken = f.human("lead");
    String lead = f.userId(leadToken, "lead");
    String bobToken = f.human("bob");
    JsonObject quiet = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Quiet")).data();
    // The lead follows only another room: being named by the step reaches them anyway.
    Browser leadPhone = browser();
    subscribe(leadToken, leadPhone, new JsonArray().add(quiet.getString("id")));
    Browser alice = browser();
    subscribe(f.human, alice, new JsonArray().add(f.roomSlug));
    // Bob follows another room: "all" respects what each human follows.
    Browser bob = browser();
    subscribe(bobToken, bob, new JsonArray().add(quiet.getString("id")));
    JsonObject policy =
        policy(step(1, "high", new JsonArray().add(lead)), step(2, "urgent", "all"));
    assertThat(f.putPolicies(policy).status()).isEqualTo(200);
    String key = f.agentKey("payments");
    String id = f.pendingCheckIn(key, "Refund order #1234 <b>now</b>").getString("id");

    PushApiTest.await(() -> payloads(alice).size() == 2, "alice's two pushes");
    PushApiTest.await(() -> payloads(leadPhone).size() == 1, "the lead's push");
    // Two sweeping nodes, later sweeps: still once per step.
    Thread.sleep(2_500);
    List<JsonObject> toLead = payloads(leadPhone);
    assertThat(toLead).hasSize(1);
    JsonObject first = toLead.get(0);
    assertThat(first.getString("type")).isEqualTo("checkin.escalated");
    assertThat(first.getString("check_in_id")).isEqualTo(id);
    assertThat(first.getInteger("escalation_level")).isEqualTo(1);
    assertThat(first.getString("urgency")).isEqualTo("high");
    assertThat(first.getString("room")).isEqualTo("Deployments");
    assertThat(first.getString("action")).isEqualTo("Refund order #1234 <b>now</b>");
    assertThat(first.getString("url")).isEqualTo("/#/check-ins/" + id);
    assertThat(push.hitsOn(pathOf(leadPhone)).get(0).headers().get("Urgency")).isEqualTo("high");

    List<JsonObject> toAlice = payloads(alice);
    assertThat(toAlice)
        .extracting(p -> p.getString("type"))
        .containsExactly("checkin.pending", "checkin.escalated");
    assertThat(toAlice.get(1).getInteger("escalation_level")).isEqualTo(2);
    assertThat(toAlice.get(1).getString("urgency")).isEqualTo("urgent");
    assertThat(payloads(bob)).isEmpty();
  }

  @Test
  void aStepNotifyingNobodyPushesNothingAndADecisionStopsTheSteps() throws Exception {
    Fixtures f = Fixtures.create(api);
    Browser alice = browser();
    subscribe(f.human, alice, "all");
    JsonObject policy = policy(step(1, "high", new JsonArray()), step(3, "urgent", "all"));
    assertThat(f.putPolicies(policy).status()).isEqualTo(200);
    String key = f.agentKey("payments");
    String id = f.pendingCheckIn(key, "refund").getString("id");
    PushApiTest.await(
        () -> api.get("/v1/check-ins/" + id, f.human).data().getInteger("escalation_level") == 1,
        "the first step");
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(200);
    Thread.sleep(3_000);
    // The "waiting for you" push, then the decision replacing it on the phone: the first step
    // names nobody, the second never fires.
    assertThat(payloads(alice))
        .extracting(p -> p.getString("type"))
        .containsExactly("checkin.pending", "checkin.settled");
  }
}
