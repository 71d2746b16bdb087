package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/check-ins/:id/status?wait=N}. */
class LongPollTest extends ServerTest {
  @Test
  void aWaitingAgentIsAnsweredAsSoonAsAHumanDecides() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    long t0 = System.nanoTime();
    CompletableFuture<Res> waiting =
        api.sendAsync("GET", "/v1/check-ins/" + id + "/status?wait=30", key, null, Map.of());
    Thread.sleep(500);
    assertThat(waiting).isNotDone();
    Res decided =
        api.post(
            "/v1/check-ins/" + id + "/modify",
            f.human,
            new JsonObject()
                .put("reason", "staging")
                .put("modifications", new JsonObject().put("env", "staging")));
    assertThat(decided.status()).isEqualTo(200);
    Res r = waiting.get(10, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getString("status")).isEqualTo("modified");
    assertThat(r.data().getJsonObject("modifications").getString("env")).isEqualTo("staging");
    assertThat(ms).isLessThan(5000);
  }

  @Test
  void aWaitTimesOutWithTheCurrentState() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    long t0 = System.nanoTime();
    Res r = api.get("/v1/check-ins/" + id + "/status?wait=1", key);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getString("status")).isEqualTo("pending");
    assertThat(ms).isBetween(900L, 4000L);
  }

  @Test
  void aDecidedCheckInAnswersAtOnce() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    api.post("/v1/check-ins/" + id + "/approve", f.human, null);
    long t0 = System.nanoTime();
    Res r = api.get("/v1/check-ins/" + id + "/status?wait=30", key);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
    assertThat(r.data().getString("status")).isEqualTo("approved");
  }

  @Test
  void manyWaitersAreAllWokenByTheirOwnDecision() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) ids.add(f.pendingCheckIn(key, "c" + i).getString("id"));
    List<CompletableFuture<Res>> waits = new ArrayList<>();
    for (String id : ids) {
      waits.add(
          api.sendAsync("GET", "/v1/check-ins/" + id + "/status?wait=30", key, null, Map.of()));
    }
    Thread.sleep(500);
    // Decide only the even ones: the odd ones keep waiting.
    for (int i = 0; i < ids.size(); i += 2) {
      api.post(
          "/v1/check-ins/" + ids.get(i) + "/reject", f.human, new JsonObject().put("reason", "no"));
    }
    for (int i = 0; i < ids.size(); i += 2) {
      assertThat(waits.get(i).get(10, TimeUnit.SECONDS).data().getString("status"))
          .isEqualTo("rejected");
    }
    for (int i = 1; i < ids.size(); i += 2) assertThat(waits.get(i)).isNotDone();
    for (int i = 1; i < ids.size(); i += 2) api.delete("/v1/check-ins/" + ids.get(i), key);
    for (int i = 1; i < ids.size(); i += 2) {
      assertThat(waits.get(i).get(10, TimeUnit.SECONDS).data().getString("status"))
          .isEqualTo("withdrawn");
    }
  }

  @Test
  void badWaitIs400AndOtherOrgsAre404() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    for (String w : List.of("0", "61", "abc", "-1", "1.5")) {
      Res r = api.get("/v1/check-ins/" + id + "/status?wait=" + w, key);
      assertThat(r.status()).as(w).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo("wait");
    }
    Fixtures other = Fixtures.create(api);
    assertThat(api.get("/v1/check-ins/" + id + "/status?wait=5", other.agentKey("b")).status())
        .isEqualTo(404);
  }
}
