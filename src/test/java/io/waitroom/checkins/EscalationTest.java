package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Escalation steps with 1-second "minutes", swept by two nodes sharing one database. */
class EscalationTest extends ServerTest {

  static JsonObject step(int after, String urgency, Object notify) {
    return new JsonObject()
        .put("after_minutes", after)
        .put("urgency", urgency)
        .put("notify", notify);
  }

  static JsonObject policy(JsonArray escalation) {
    return new JsonObject()
        .put("default_action", "require_approval")
        .put("timeout_minutes", 30)
        .put("timeout_action", "cancel")
        .put("rules", new JsonArray())
        .put("escalation", escalation);
  }

  @Test
  void eachStepFiresOnceInOrderOnTwoNodes() throws Exception {
    try (TestServer second = server.secondNode()) {
      Fixtures f = Fixtures.create(api);
      String lead = f.userId(f.human("lead"), "lead");
      JsonArray steps =
          new JsonArray()
              .add(step(1, "high", new JsonArray().add(lead)))
              .add(step(2, "urgent", "all"));
      assertThat(f.putPolicies(policy(steps)).status()).isEqualTo(200);
      String key = f.agentKey("payments");
      String url = api.base() + "/v1/rooms/" + f.roomSlug + "/events?types=checkin.escalated";
      try (SseClient sse = SseClient.open(url, f.human, Map.of())) {
        assertThat(sse.nextFrame(5_000).comment()).isEqualTo("connected");
        JsonObject ci = f.pendingCheckIn(key, "refund");
        String id = ci.getString("id");
        assertThat(ci.getInteger("escalation_level")).isZero();
        JsonObject calm =
            f.checkIn(key, new JsonObject().put("action", "refund").put("urgency", "urgent"))
                .data();

        List<Frame> got = sse.events(4, 15_000);
        List<JsonObject> mine =
            got.stream()
                .map(fr -> fr.json().getJsonObject("data"))
                .filter(j -> id.equals(j.getString("id")))
                .toList();
        assertThat(mine).extracting(j -> j.getInteger("level")).containsExactly(1, 2);
        assertThat(mine.get(0).getJsonArray("notify")).containsExactly(lead);
        assertThat(mine.get(1).getString("notify")).isEqualTo("all");
        assertThat(mine).extracting(j -> j.getString("urgency")).containsExactly("high", "urgent");
        // Nothing fires a third time, on either node.
        assertThat(sse.drainEvents(2_500)).isEmpty();

        JsonObject after = api.get("/v1/check-ins/" + id, f.human).data();
        assertThat(after.getInteger("escalation_level")).isEqualTo(2);
        assertThat(after.getString("urgency")).isEqualTo("urgent");
        assertThat(after.getString("status")).isEqualTo("pending");
        List<String> escalationMessages =
            after.getJsonArray("messages").stream()
                .map(m -> (JsonObject) m)
                .filter(m -> m.getString("message_type").equals("escalation"))
                .map(m -> m.getString("author_id"))
                .toList();
        assertThat(escalationMessages).containsExactly("system:escalation", "system:escalation");
        long audits =
            api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 100).stream()
                .filter(a -> id.equals(a.getString("target_id")))
                .filter(a -> a.getString("event_type").equals("checkin.escalated"))
                .count();
        assertThat(audits).isEqualTo(2);
        // Never lowered: an urgent check-in stays urgent through a "high" step.
        JsonObject kept = api.get("/v1/check-ins/" + calm.getString("id"), f.human).data();
        assertThat(kept.getString("urgency")).isEqualTo("urgent");
        assertThat(kept.getInteger("escalation_level")).isEqualTo(2);
      }
    }
  }

  @Test
  void aDecidedCheckInIsNotEscalated() throws Exception {
    Fixtures f = Fixtures.create(api);
    f.putPolicies(policy(new JsonArray().add(step(1, "high", "all"))));
    String key = f.agentKey("payments");
    String id = f.pendingCheckIn(key, "refund").getString("id");
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(200);
    Thread.sleep(2_000);
    JsonObject ci = api.get("/v1/check-ins/" + id, f.human).data();
    assertThat(ci.getInteger("escalation_level")).isZero();
    assertThat(ci.getString("urgency")).isEqualTo("normal");
  }

  @Test
  void stepsMustIncreaseAndComeBeforeTheTimeout() {
    Fixtures f = Fixtures.create(api);
    Res same =
        f.putPolicies(
            policy(new JsonArray().add(step(5, "high", "all")).add(step(5, "urgent", "all"))));
    assertThat(same.status()).isEqualTo(400);
    assertThat(same.error().getJsonObject("details").getString("field"))
        .isEqualTo("escalation[1].after_minutes");
    Res late = f.putPolicies(policy(new JsonArray().add(step(30, "high", "all"))));
    assertThat(late.status()).isEqualTo(400);
    assertThat(late.error().getJsonObject("details").getString("field"))
        .isEqualTo("escalation[0].after_minutes");
    // With hold there is no timeout to come before.
    Res hold =
        f.putPolicies(
            policy(new JsonArray().add(step(30, "high", "all"))).put("timeout_action", "hold"));
    assertThat(hold.status()).as(hold.toString()).isEqualTo(200);
    Res badNotify = f.putPolicies(policy(new JsonArray().add(step(1, "high", "everyone"))));
    assertThat(badNotify.error().getJsonObject("details").getString("field"))
        .isEqualTo("escalation[0].notify");
  }
}
