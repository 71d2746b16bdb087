package io.waitroom.watchers;

import static io.waitroom.watchers.Receiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code WAITROOM_WEBHOOK_ALLOW_PRIVATE=false}, the production default. */
class WebhookSsrfTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            Map.of(
                "WAITROOM_WEBHOOK_ALLOW_PRIVATE", "false",
                "WAITROOM_WEBHOOK_RETRY_SCALE", "100",
                "WAITROOM_WATCHER_POLL_MS", "100"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void privateLoopbackLinkLocalAndMetadataTargetsAreRefusedAtSubscription() {
    Fixtures f = Fixtures.create(server.api);
    String key = f.agentKey("a");
    List<String> refused =
        List.of(
            "http://127.0.0.1:8080/hook",
            "http://10.0.0.1/hook",
            "http://172.16.5.4/hook",
            "http://192.168.0.10/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:8080/hook",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://100.64.0.1/",
            "http://0.0.0.0:8080/",
            "http://localhost:8080/hook",
            "https://LOCALHOST./hook",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://2130706433/");
    for (String url : refused) {
      Res r =
          server.api.post(
              "/v1/rooms/" + f.roomSlug + "/watch", key, new JsonObject().put("webhook_url", url));
      assertThat(r.status()).as(url + " -> " + r).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo("webhook_url");
    }
    assertThat(TestDb.queryLong(server.databaseUrl, "SELECT count(*) FROM watchers")).isZero();
    // Without a webhook there is nothing to guard.
    Res plain =
        server.api.post(
            "/v1/rooms/" + f.roomSlug + "/watch",
            key,
            new JsonObject().put("event_types", new JsonArray().add("checkin.approved")));
    assertThat(plain.status()).isEqualTo(201);
  }

  @Test
  void theGuardRunsAgainAtDeliveryTime() {
    // A watcher whose target became private after subscription (DNS changed): written directly,
    // as the API would refuse it now.
    try (Receiver rx = Receiver.start()) {
      Fixtures f = Fixtures.create(server.api);
      String key = f.agentKey("qa");
      String agentId = f.agentId(key);
      String wid = "w_rebound" + System.nanoTime();
      TestDb.exec(
          server.databaseUrl,
          "INSERT INTO watchers (id, org_id, room_id, agent_id, event_types, match_types, webhook_url, secret)"
              + " VALUES ('"
              + wid
              + "', '"
              + f.room.getString("org_id")
              + "', '"
              + f.room.getString("id")
              + "', '"
              + agentId
              + "', '{checkin.approved}', '{checkin.approved}', '"
              + rx.url()
              + "', '"
              + WebhookSigner.newSecret()
              + "')");
      JsonObject ci = f.pendingCheckIn(f.agentKey("deployer"), "deploy");
      server.api.post(
          "/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
      await(
          "the refused attempt",
          Duration.ofSeconds(10),
          () -> {
            var all = server.api.all("/v1/watchers/" + wid + "/deliveries", key, 50);
            return !all.isEmpty() && !all.get(0).getJsonArray("attempts").isEmpty();
          });
      JsonObject a =
          server
              .api
              .all("/v1/watchers/" + wid + "/deliveries", key, 50)
              .get(0)
              .getJsonArray("attempts")
              .getJsonObject(0);
      assertThat(a.getValue("status_code")).isNull();
      assertThat(a.getString("error")).contains("target refused").contains("127.0.0.1");
      assertThat(rx.hits).isEmpty();
    }
  }
}
