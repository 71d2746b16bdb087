package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Timeouts with 1-second "minutes" and a 200 ms sweep (TestServer's settings). */
class TimeoutSweeperTest extends ServerTest {
  static String await(Api api, String key, String id, String status, long timeoutMs)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String s = null;
    while (System.currentTimeMillis() < deadline) {
      s = api.get("/v1/check-ins/" + id + "/status", key).data().getString("status");
      if (s.equals(status)) return s;
      Thread.sleep(100);
    }
    return s;
  }

  /** A check-in with a one-"minute" (one second here) timeout and the given timeout action. */
  static Res oneMinute(Fixtures f, String key, String timeoutAction) {
    return f.checkIn(
        key,
        new JsonObject()
            .put("action", "x")
            .put("timeout_minutes", 1)
            .put("timeout_action", timeoutAction));
  }

  @Test
  void cancelExpiresWithinFiveSecondsAndCostsTrust() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    Res r = oneMinute(f, key, "cancel");
    String id = r.data().getString("id");
    assertThat(await(api, key, id, "expired", 6000)).isEqualTo("expired");
    JsonObject ci = api.get("/v1/check-ins/" + id, key).data();
    assertThat(ci.getJsonObject("decision").getString("decided_by")).isEqualTo("system:timeout");
    assertThat(f.trust(f.agentId(key))).isCloseTo(14.9, within(1e-9));
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(409);
    List<String> events =
        api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 100).stream()
            .map(o -> o.getString("event_type"))
            .toList();
    assertThat(events).contains("checkin.expired");
  }

  @Test
  void autoApproveApprovesAsSystemTimeoutWithoutTrust() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = oneMinute(f, key, "auto_approve").data().getString("id");
    assertThat(await(api, key, id, "approved", 6000)).isEqualTo("approved");
    JsonObject ci = api.get("/v1/check-ins/" + id + "/status", key).data();
    assertThat(ci.getJsonObject("decision").getString("decided_by")).isEqualTo("system:timeout");
    assertThat(f.trust(f.agentId(key))).isEqualTo(15.0);
  }

  @Test
  void holdNeverExpires() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    Res r = oneMinute(f, key, "hold");
    assertThat(r.data().getValue("expires_at")).isNull();
    Thread.sleep(2500);
    assertThat(
            api.get("/v1/check-ins/" + r.data().getString("id") + "/status", key)
                .data()
                .getString("status"))
        .isEqualTo("pending");
  }

  @Test
  void theRoomTimeoutAppliesWhenTheCheckInGivesNone() throws Exception {
    Fixtures f =
        Fixtures.create(
            api, new JsonObject().put("timeout_minutes", 1).put("timeout_action", "auto_approve"));
    String key = f.agentKey("a");
    Res r = f.checkIn(key, new JsonObject().put("action", "x"));
    assertThat(r.data().getInteger("timeout_minutes")).isEqualTo(1);
    assertThat(r.data().getString("timeout_action")).isEqualTo("auto_approve");
    assertThat(await(api, key, r.data().getString("id"), "approved", 6000)).isEqualTo("approved");
  }

  @Test
  void decisionsRacingTheSweeperHaveOneWinnerEach() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(
          f.checkIn(key, new JsonObject().put("action", "r" + i).put("timeout_minutes", 1))
              .data()
              .getString("id"));
    }
    Thread.sleep(900); // decisions land around the expiry
    List<CompletableFuture<Res>> decisions = new ArrayList<>();
    for (String id : ids)
      decisions.add(
          api.sendAsync("POST", "/v1/check-ins/" + id + "/approve", f.human, null, Map.of()));
    int humanWins = 0;
    for (int i = 0; i < ids.size(); i++) {
      Res d = decisions.get(i).get();
      assertThat(d.status()).isIn(200, 409);
      String finalStatus =
          await(api, key, ids.get(i), d.status() == 200 ? "approved" : "expired", 6000);
      assertThat(finalStatus).isEqualTo(d.status() == 200 ? "approved" : "expired");
      if (d.status() == 200) humanWins++;
    }
    // Each check-in was resolved exactly once: one audit row per resolution.
    long resolutions =
        TestDb.queryLong(
            server.databaseUrl,
            "SELECT count(*) FROM audit_log WHERE event_type IN ('checkin.approved','checkin.expired') AND target_id IN ('"
                + String.join("','", ids)
                + "')");
    assertThat(resolutions).isEqualTo(ids.size());
    double expectedTrust = 15 + humanWins * 1.0 - (ids.size() - humanWins) * 0.1;
    assertThat(f.trust(f.agentId(key))).isCloseTo(Math.max(0, expectedTrust), within(1e-6));
  }

  @Test
  void checkInsThatFellDueWhileTheServerWasDownExpireAfterRestart() throws Exception {
    TestServer first = TestServer.start();
    Fixtures f = Fixtures.create(first.api);
    String key = f.agentKey("a");
    String id =
        f.checkIn(key, new JsonObject().put("action", "x").put("timeout_minutes", 2))
            .data()
            .getString("id");
    first.close();
    Thread.sleep(2500); // due while nobody sweeps
    TestServer second = TestServer.boot(first.env());
    try {
      assertThat(await(second.api, key, id, "expired", 6000)).isEqualTo("expired");
    } finally {
      second.close();
    }
  }

  @Test
  void oneSweepTakesItsRoomsInRoomIdOrderSoNodesNeverDeadlockOnRoomLocks() throws Exception {
    // Each expiry takes its room's event lock until the batch commits. Batches that take rooms
    // in expiry order can take them in opposite orders on two nodes (or against the watcher
    // dispatcher, which goes by room id) and deadlock; room id order cannot.
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    Res other = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Second"));
    assertThat(other.status()).isEqualTo(201);
    String firstRoom = f.room.getString("id");
    String secondRoom = other.data().getString("id");
    assertThat(firstRoom).isLessThan(secondRoom);
    JsonObject hold = new JsonObject().put("timeout_minutes", 600).put("timeout_action", "cancel");
    // Created (and so stored and expiring) second room first.
    String inSecond =
        api.post("/v1/rooms/" + secondRoom + "/check-in", key, hold.copy().put("action", "b"))
            .data()
            .getString("id");
    String inFirst = f.checkIn(key, hold.copy().put("action", "a")).data().getString("id");
    // Both fall due in one statement, the second room's first: one sweep takes both.
    TestDb.exec(
        server.databaseUrl,
        "UPDATE check_ins SET expires_at = CASE id WHEN '"
            + inSecond
            + "' THEN now() - interval '2 seconds' ELSE now() - interval '1 second' END"
            + " WHERE id IN ('"
            + inFirst
            + "', '"
            + inSecond
            + "')");
    assertThat(await(api, key, inFirst, "expired", 6000)).isEqualTo("expired");
    assertThat(await(api, key, inSecond, "expired", 6000)).isEqualTo("expired");
    String sql = "SELECT id FROM room_events WHERE type = 'checkin.expired' AND data->>'id' = '%s'";
    long first = TestDb.queryLong(server.databaseUrl, sql.formatted(inFirst));
    long second = TestDb.queryLong(server.databaseUrl, sql.formatted(inSecond));
    assertThat(first).as("the first room's expiry was written first").isLessThan(second);
  }
}
