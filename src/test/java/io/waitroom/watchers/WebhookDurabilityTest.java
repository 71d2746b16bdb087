package io.waitroom.watchers;

import static io.waitroom.watchers.Receiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Deliveries live in PostgreSQL: they survive a restart and nodes share them without doubles. */
class WebhookDurabilityTest {

  static JsonObject watch(Api api, Fixtures f, String key, String url) {
    Res r =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/watch",
            key,
            new JsonObject()
                .put("event_types", new JsonArray().add("checkin.approved"))
                .put("webhook_url", url));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  @Test
  void deliveriesPendingWhenTheServerStopsArriveAfterARestartWithEveryAttemptListed() {
    Receiver rx = Receiver.down(); // the endpoint is down
    TestServer first =
        TestServer.start(
            Map.of("WAITROOM_WEBHOOK_RETRY_SCALE", "0.2", "WAITROOM_WATCHER_POLL_MS", "100"));
    String wid;
    String key;
    Fixtures f;
    try {
      f = Fixtures.create(first.api);
      key = f.agentKey("qa");
      wid = watch(first.api, f, key, rx.url()).getString("id");
      JsonObject ci = f.pendingCheckIn(f.agentKey("deployer"), "deploy");
      first.api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
      String sid = wid;
      await(
          "a failed attempt",
          Duration.ofSeconds(10),
          () ->
              TestDb.queryLong(
                      first.databaseUrl,
                      "SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.watcher_id = '"
                          + sid
                          + "'")
                  >= 1);
    } finally {
      first.close();
    }
    assertThat(
            TestDb.queryLong(
                first.databaseUrl,
                "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND watcher_id = '"
                    + wid
                    + "'"))
        .isEqualTo(1);

    rx.listen(); // back up, while no server runs
    try (TestServer second = TestServer.boot(first.env())) {
      await("the delivery after the restart", Duration.ofSeconds(30), () -> !rx.hits.isEmpty());
      Receiver.Hit hit = rx.hits.get(0);
      assertThat(hit.header("X-Watcher-Id")).isEqualTo(wid);
      assertThat(hit.json().getString("event")).isEqualTo("checkin.approved");
      String sid = wid;
      String skey = key;
      await(
          "the success recorded",
          Duration.ofSeconds(10),
          () -> {
            List<JsonObject> all = second.api.all("/v1/watchers/" + sid + "/deliveries", skey, 50);
            return !all.isEmpty() && "succeeded".equals(all.get(0).getString("status"));
          });
      JsonObject d = second.api.all("/v1/watchers/" + wid + "/deliveries", f.human, 50).get(0);
      JsonArray attempts = d.getJsonArray("attempts");
      assertThat(attempts.size()).isGreaterThanOrEqualTo(2);
      for (int i = 0; i < attempts.size() - 1; i++) {
        JsonObject a = attempts.getJsonObject(i);
        assertThat(a.getInteger("attempt")).isEqualTo(i + 1);
        assertThat(a.getValue("status_code")).isNull();
        assertThat(a.getString("error")).isNotBlank();
        assertThat(a.getString("next_retry_at")).isNotNull();
      }
      JsonObject last = attempts.getJsonObject(attempts.size() - 1);
      assertThat(last.getInteger("status_code")).isEqualTo(200);
      assertThat(last.getString("error")).isNull();
      assertThat(rx.hits).hasSize(1);
    } finally {
      rx.close();
    }
  }

  @Test
  void twoNodesDeliverEveryEventExactlyOnce() throws Exception {
    try (Receiver rx = Receiver.start();
        TestServer a = TestServer.start(Map.of("WAITROOM_WATCHER_POLL_MS", "50"));
        TestServer b = a.secondNode()) {
      Fixtures f = Fixtures.create(a.api);
      String key = f.agentKey("qa");
      String wid = watch(a.api, f, key, rx.url()).getString("id");
      String agent = f.agentKey("deployer");
      int n = 30;
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) ids.add(f.pendingCheckIn(agent, "deploy " + i).getString("id"));
      // Approvals on both nodes at once: each node's dispatcher and delivery worker race.
      List<CompletableFuture<Res>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Api node = i % 2 == 0 ? a.api : b.api;
        all.add(
            node.sendAsync(
                "POST",
                "/v1/check-ins/" + ids.get(i) + "/approve",
                f.human,
                new JsonObject(),
                Map.of()));
      }
      for (var c : all) assertThat(c.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);

      await("every delivery", Duration.ofSeconds(20), () -> rx.hits.size() >= n);
      Thread.sleep(1000);
      assertThat(rx.hits).hasSize(n);
      assertThat(rx.hits.stream().map(h -> h.header("webhook-id")).distinct()).hasSize(n);
      assertThat(
              rx.hits.stream()
                  .map(h -> h.json().getJsonObject("data").getString("id"))
                  .collect(Collectors.toSet()))
          .containsExactlyInAnyOrderElementsOf(ids);
      String db = a.databaseUrl;
      assertThat(
              TestDb.queryLong(
                  db, "SELECT count(*) FROM webhook_deliveries WHERE watcher_id = '" + wid + "'"))
          .isEqualTo(n);
      assertThat(
              TestDb.queryLong(
                  db,
                  "SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.watcher_id = '"
                      + wid
                      + "'"))
          .isEqualTo(n);
      assertThat(
              TestDb.queryLong(
                  db,
                  "SELECT count(*) FROM room_events WHERE type = 'watcher.triggered' AND data->>'watcher_id' = '"
                      + wid
                      + "'"))
          .isEqualTo(n);
      assertThat(
              TestDb.queryLong(
                  db,
                  "SELECT count(*) FROM room_events WHERE id > (SELECT last_event_id FROM watcher_dispatch)"))
          .isZero();
    }
  }
}
