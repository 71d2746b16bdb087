package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CheckInsApiTest extends ServerTest {
  @Test
  void aCheckInUnderDefaultPoliciesIsPendingWithTheRoomTimeout() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    Res r =
        f.checkIn(
            key,
            new JsonObject()
                .put("action", "Deploy v2.3.1 to production")
                .put("description", "diff attached")
                .put("risk_level", "high")
                .put("urgency", "urgent")
                .put("context", new JsonObject().put("env", "prod")));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonObject ci = r.data();
    assertThat(ci.getString("id")).matches("ci_[0-9a-z]{26}");
    assertThat(ci.getString("status")).isEqualTo("pending");
    assertThat(ci.getString("direction")).isEqualTo("agent_to_human");
    assertThat(ci.getString("agent_id")).isEqualTo(f.agentId(key));
    assertThat(ci.getString("room_id")).isEqualTo(f.room.getString("id"));
    assertThat(ci.getString("risk_level")).isEqualTo("high");
    assertThat(ci.getString("urgency")).isEqualTo("urgent");
    assertThat(ci.getJsonObject("context")).isEqualTo(new JsonObject().put("env", "prod"));
    assertThat(ci.getInteger("timeout_minutes")).isEqualTo(60);
    assertThat(ci.getString("timeout_action")).isEqualTo("cancel");
    Duration toExpiry =
        Duration.between(
            Instant.parse(ci.getString("created_at")), Instant.parse(ci.getString("expires_at")));
    assertThat(toExpiry.getSeconds())
        .isBetween(59L, 61L); // TestServer runs with 1 s "minutes": 60 of them
    assertThat(ci.getValue("decision")).isNull();
    assertThat(ci.getJsonObject("policy").getString("result")).isEqualTo("require_approval");
  }

  /**
   * A create builds its answer from the transaction's now() instead of reading the row back: the
   * answer must be the stored check-in, field for field, in every way a create can start (pending
   * with a timeout, a quorum and escalation steps; approved by a rule), JSON context included.
   */
  @Test
  void theCreateAnswerIsTheStoredCheckInInEveryStartingState() {
    Fixtures f = Fixtures.create(api);
    String lead = f.userId(f.human, "alice");
    JsonObject policies =
        Fixtures.policy(
                "require_approval",
                new JsonArray()
                    .add(
                        Fixtures.rule(
                            "reads",
                            "auto_approve",
                            new JsonObject().put("action_matches", "^read "))))
            .put(
                "quorum",
                new JsonObject()
                    .put("required", 1)
                    .put("approvers", new JsonArray().add(lead))
                    .put("reject", "any"))
            .put(
                "escalation",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("after_minutes", 30)
                            .put("urgency", "urgent")
                            .put("notify", "all")));
    Res put = f.putPolicies(policies);
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    String key = f.agentKey("deployer");
    JsonObject context =
        new JsonObject()
            .put("zeta", 1)
            .put("alpha", new JsonObject().put("b", 2.5).put("a", new JsonArray().add("x")))
            .put("nothing", (Object) null);
    List<JsonObject> created = new ArrayList<>();
    for (String action : List.of("deploy v2", "read logs")) {
      Res r =
          f.checkIn(
              key,
              new JsonObject()
                  .put("action", action)
                  .put("description", "with \"quotes\" and ü")
                  .put("risk_level", "low")
                  .put("context", context));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      created.add(r.data());
    }
    assertThat(created.get(0).getString("status")).isEqualTo("pending");
    assertThat(created.get(0).getString("expires_at")).isNotNull();
    assertThat(created.get(0).getJsonObject("quorum")).isNotNull();
    assertThat(created.get(1).getString("status")).isEqualTo("approved");
    assertThat(created.get(1).getJsonObject("decision").getString("decided_at")).isNotNull();
    for (JsonObject answer : created) {
      JsonObject stored = api.get("/v1/check-ins/" + answer.getString("id"), key).data();
      stored.remove("messages");
      stored.remove("participants");
      assertThat(answer.getMap()).isEqualTo(stored.getMap());
    }
  }

  @Test
  void defaultsAreMediumNormalAndEmptyContext() {
    Fixtures f = Fixtures.create(api);
    JsonObject ci = f.pendingCheckIn(f.agentKey("a"), "Delete old backups");
    assertThat(ci.getString("risk_level")).isEqualTo("medium");
    assertThat(ci.getString("urgency")).isEqualTo("normal");
    assertThat(ci.getJsonObject("context")).isEqualTo(new JsonObject());
  }

  @Test
  void approveRecordsTheDecisionAndRaisesTrust() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    JsonObject ci = f.pendingCheckIn(key, "Send invoice");
    Res r =
        api.post(
            "/v1/check-ins/" + ci.getString("id") + "/approve",
            f.human,
            new JsonObject().put("reason", "fine"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.data().getString("status")).isEqualTo("approved");
    JsonObject d = r.data().getJsonObject("decision");
    assertThat(d.getString("type")).isEqualTo("approved");
    assertThat(d.getString("reason")).isEqualTo("fine");
    assertThat(d.getString("decided_by")).startsWith("usr_");
    assertThat(d.getString("decided_at")).isNotNull();
    Res status = api.get("/v1/check-ins/" + ci.getString("id") + "/status", key);
    assertThat(status.data().getString("status")).isEqualTo("approved");
    assertThat(f.trust(f.agentId(key))).isCloseTo(16.0, within(1e-9));
    // Approve without a reason is fine too.
    JsonObject ci2 = f.pendingCheckIn(key, "Send another invoice");
    assertThat(
            api.post("/v1/check-ins/" + ci2.getString("id") + "/approve", f.human, null).status())
        .isEqualTo(200);
    assertThat(f.trust(f.agentId(key))).isCloseTo(17.0, within(1e-9));
  }

  @Test
  void rejectNeedsAReasonAndLowersTrust() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Buy 50 seats").getString("id");
    Res noReason = api.post("/v1/check-ins/" + id + "/reject", f.human, new JsonObject());
    assertThat(noReason.status()).isEqualTo(400);
    assertThat(noReason.error().getJsonObject("details").getString("field")).isEqualTo("reason");
    Res empty =
        api.post("/v1/check-ins/" + id + "/reject", f.human, new JsonObject().put("reason", ""));
    assertThat(empty.status()).isEqualTo(400);
    Res tooLong =
        api.post(
            "/v1/check-ins/" + id + "/reject",
            f.human,
            new JsonObject().put("reason", "r".repeat(2001)));
    assertThat(tooLong.status()).isEqualTo(400);
    Res ok =
        api.post(
            "/v1/check-ins/" + id + "/reject",
            f.human,
            new JsonObject().put("reason", "r".repeat(2000)));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.data().getString("status")).isEqualTo("rejected");
    assertThat(f.trust(f.agentId(key))).isCloseTo(14.7, within(1e-9));
  }

  @Test
  void modifyNeedsReasonAndModificationsAndTheAgentReadsThem() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy to production").getString("id");
    JsonObject mods = new JsonObject().put("target", "staging").put("then", "smoke tests");
    Map<JsonObject, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject().put("modifications", mods), "reason");
    bad.put(new JsonObject().put("reason", "staging first"), "modifications");
    bad.put(new JsonObject().put("reason", "x").put("modifications", "staging"), "modifications");
    bad.put(
        new JsonObject()
            .put("reason", "x")
            .put("modifications", new JsonObject().put("blob", "b".repeat(10_300))),
        "modifications");
    for (var c : bad.entrySet()) {
      Res r = api.post("/v1/check-ins/" + id + "/modify", f.human, c.getKey());
      assertThat(r.status()).as(c.getKey().encode()).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo(c.getValue());
    }
    Res r =
        api.post(
            "/v1/check-ins/" + id + "/modify",
            f.human,
            new JsonObject().put("reason", "Deploy to staging first").put("modifications", mods));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    Res status = api.get("/v1/check-ins/" + id + "/status", key);
    assertThat(status.data().getString("status")).isEqualTo("modified");
    assertThat(status.data().getJsonObject("decision").getJsonObject("modifications"))
        .isEqualTo(mods);
    assertThat(status.data().getJsonObject("modifications")).isEqualTo(mods);
    assertThat(status.data().getString("decision_reason")).isEqualTo("Deploy to staging first");
    assertThat(f.trust(f.agentId(key))).isCloseTo(15.6, within(1e-9));
  }

  @Test
  void decidingAnythingButPendingIs409AndUnknownIs404() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "x").getString("id");
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(200);
    for (String verb : List.of("approve", "reject", "modify")) {
      Res r =
          api.post(
              "/v1/check-ins/" + id + "/" + verb,
              f.human,
              new JsonObject().put("reason", "again").put("modifications", new JsonObject()));
      assertThat(r.status()).as(verb).isEqualTo(409);
      assertThat(r.code()).isEqualTo("CONFLICT");
    }
    assertThat(api.post("/v1/check-ins/ci_nope/approve", f.human, null).status()).isEqualTo(404);
  }

  @Test
  void wrongActorKindsAre403AndOtherOrgsAre404() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "x").getString("id");
    Res humanCreates =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/check-in", f.human, new JsonObject().put("action", "x"));
    assertThat(humanCreates.status()).isEqualTo(403);
    assertThat(humanCreates.code()).isEqualTo("FORBIDDEN");
    Res agentDecides = api.post("/v1/check-ins/" + id + "/approve", key, null);
    assertThat(agentDecides.status()).isEqualTo(403);
    // Another org: every read and write is 404.
    assertThat(api.post("/v1/check-ins/" + id + "/approve", other.human, null).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/check-ins/" + id, other.human).status()).isEqualTo(404);
    assertThat(api.get("/v1/check-ins/" + id + "/status", other.agentKey("b")).status())
        .isEqualTo(404);
    assertThat(api.delete("/v1/check-ins/" + id, other.agentKey("c")).status()).isEqualTo(404);
    assertThat(api.get("/v1/rooms/" + f.room.getString("id") + "/pending", other.human).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/check-ins/" + id + "/status", key).data().getString("status"))
        .isEqualTo("pending");
  }

  @Test
  void withdrawByTheCreatorOnlyAndOnlyWhilePending() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String otherKey = f.agentKey("b");
    String id = f.pendingCheckIn(key, "x").getString("id");
    Res byOther = api.delete("/v1/check-ins/" + id, otherKey);
    assertThat(byOther.status()).isEqualTo(403);
    assertThat(api.delete("/v1/check-ins/" + id, f.human).status()).isEqualTo(403);
    Res ok = api.delete("/v1/check-ins/" + id, key);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.data().getString("status")).isEqualTo("withdrawn");
    assertThat(api.delete("/v1/check-ins/" + id, key).status()).isEqualTo(409);
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(409);
    assertThat(f.trust(f.agentId(key))).isEqualTo(15.0);
  }

  @Test
  void everyFieldLimitIs400NamingTheFieldAndNothingIsWritten() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    Map<Object, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject(), "action");
    bad.put(new JsonObject().put("action", ""), "action");
    bad.put(new JsonObject().put("action", "a".repeat(501)), "action");
    bad.put(new JsonObject().put("action", 12), "action");
    bad.put(
        new JsonObject().put("action", "x").put("description", "d".repeat(5001)), "description");
    bad.put(new JsonObject().put("action", "x").put("risk_level", "extreme"), "risk_level");
    bad.put(new JsonObject().put("action", "x").put("risk_level", 3), "risk_level");
    bad.put(new JsonObject().put("action", "x").put("urgency", "asap"), "urgency");
    bad.put(new JsonObject().put("action", "x").put("context", "env=prod"), "context");
    bad.put(new JsonObject().put("action", "x").put("context", new JsonArray()), "context");
    bad.put(
        new JsonObject()
            .put("action", "x")
            .put("context", new JsonObject().put("b", "b".repeat(10_300))),
        "context");
    bad.put(new JsonObject().put("action", "x").put("timeout_minutes", 0), "timeout_minutes");
    bad.put(new JsonObject().put("action", "x").put("timeout_minutes", 10081), "timeout_minutes");
    bad.put(new JsonObject().put("action", "x").put("timeout_minutes", 1.5), "timeout_minutes");
    bad.put(new JsonObject().put("action", "x").put("timeout_minutes", "5"), "timeout_minutes");
    bad.put(new JsonObject().put("action", "x").put("timeout_action", "explode"), "timeout_action");
    bad.put("{\"action\": ", "body");
    for (var c : bad.entrySet()) {
      Res r = f.checkIn(key, c.getKey() instanceof JsonObject o ? o : null);
      if (!(c.getKey() instanceof JsonObject)) {
        r = api.post("/v1/rooms/" + f.roomSlug + "/check-in", key, c.getKey());
      }
      assertThat(r.status()).as(c.getKey().toString()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.getKey().toString())
          .isEqualTo(c.getValue());
    }
    Res ok =
        f.checkIn(
            key,
            new JsonObject()
                .put("action", "a".repeat(500))
                .put("description", "d".repeat(5000))
                .put("timeout_minutes", 10080)
                .put("timeout_action", "hold"));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    List<JsonObject> stored = api.all("/v1/rooms/" + f.roomSlug + "/pending", f.human, 100);
    assertThat(stored).hasSize(1);
    assertThat(
            api.post("/v1/rooms/no-such-room/check-in", key, new JsonObject().put("action", "x"))
                .status())
        .isEqualTo(404);
  }

  @Test
  void getShowsTheThreadWithServerWrittenMessages() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    api.post(
        "/v1/check-ins/" + id + "/modify",
        f.human,
        new JsonObject()
            .put("reason", "staging first")
            .put("modifications", new JsonObject().put("env", "staging")));
    Res r = api.get("/v1/check-ins/" + id, key);
    assertThat(r.status()).isEqualTo(200);
    JsonArray messages = r.data().getJsonArray("messages");
    assertThat(messages).hasSize(3);
    JsonObject created = messages.getJsonObject(0);
    JsonObject changed = messages.getJsonObject(1);
    JsonObject decision = messages.getJsonObject(2);
    assertThat(created.getString("message_type")).isEqualTo("status_change");
    assertThat(changed.getString("message_type")).isEqualTo("status_change");
    assertThat(changed.getJsonObject("metadata").getString("to")).isEqualTo("modified");
    assertThat(decision.getString("message_type")).isEqualTo("decision");
    assertThat(decision.getString("body")).isEqualTo("staging first");
    assertThat(decision.getString("author_type")).isEqualTo("human");
    assertThat(r.data().getJsonArray("participants")).isEmpty();
  }

  @Test
  void manyConcurrentDecisionsHaveExactlyOneWinner() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "x").getString("id");
    List<CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String verb = i % 3 == 0 ? "approve" : i % 3 == 1 ? "reject" : "modify";
      JsonObject body =
          new JsonObject()
              .put("reason", "r" + i)
              .put("modifications", new JsonObject().put("i", i));
      all.add(
          api.sendAsync(
              "POST", "/v1/check-ins/" + id + "/" + verb, f.human("h" + i), body, Map.of()));
    }
    List<Integer> codes = new ArrayList<>();
    for (var c : all) codes.add(c.get().status());
    assertThat(codes.stream().filter(c -> c == 200).count()).as(codes.toString()).isEqualTo(1);
    assertThat(codes.stream().filter(c -> c == 409).count()).isEqualTo(19);
    String status = api.get("/v1/check-ins/" + id + "/status", key).data().getString("status");
    double expected =
        switch (status) {
          case "approved" -> 16.0;
          case "rejected" -> 14.7;
          default -> 15.6;
        };
    assertThat(f.trust(f.agentId(key))).isCloseTo(expected, within(1e-9));
    assertThat(api.get("/v1/check-ins/" + id, key).data().getJsonArray("messages")).hasSize(3);
  }

  @Test
  void withdrawalRacingADecisionHasOneWinner() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    for (int round = 0; round < 5; round++) {
      String id = f.pendingCheckIn(key, "x" + round).getString("id");
      var w = api.sendAsync("DELETE", "/v1/check-ins/" + id, key, null, Map.of());
      var d = api.sendAsync("POST", "/v1/check-ins/" + id + "/approve", f.human, null, Map.of());
      int ws = w.get().status();
      int ds = d.get().status();
      assertThat(List.of(ws, ds)).as("round " + round).containsExactlyInAnyOrder(200, 409);
      String status = api.get("/v1/check-ins/" + id + "/status", key).data().getString("status");
      assertThat(status).isEqualTo(ws == 200 ? "withdrawn" : "approved");
    }
  }

  @Test
  void pendingListFiltersAndPages() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    for (int i = 0; i < 5; i++) {
      f.checkIn(
          a,
          new JsonObject().put("action", "a" + i).put("risk_level", i % 2 == 0 ? "low" : "high"));
    }
    f.checkIn(b, new JsonObject().put("action", "b").put("urgency", "urgent"));
    String approved = f.pendingCheckIn(b, "to approve").getString("id");
    api.post("/v1/check-ins/" + approved + "/approve", f.human, null);
    String base = "/v1/rooms/" + f.roomSlug + "/pending";
    assertThat(api.all(base, f.human, 2)).hasSize(6);
    assertThat(api.all(base + "?risk_level=low", f.human, 2)).hasSize(3);
    assertThat(api.all(base + "?urgency=urgent", f.human, 2)).hasSize(1);
    assertThat(api.all(base + "?agent_id=" + f.agentId(b), f.human, 2)).hasSize(1);
    assertThat(api.all(base + "?status=approved", f.human, 2)).hasSize(1);
    for (String q :
        List.of(
            "status=bogus",
            "risk_level=huge",
            "urgency=now",
            "limit=0",
            "limit=101",
            "cursor=xyz")) {
      Res r = api.get(base + "?" + q, f.human);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field"))
          .isEqualTo(q.substring(0, q.indexOf('=')));
    }
    assertThat(api.get(base, a).status()).isEqualTo(403);
  }

  @Test
  void idempotentRetriesReturnTheFirstResponse() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String path = "/v1/rooms/" + f.roomSlug + "/check-in";
    JsonObject body = new JsonObject().put("action", "Deploy once");
    Res first = api.send("POST", path, key, body, Map.of("Idempotency-Key", "k-1"));
    Res again = api.send("POST", path, key, body, Map.of("Idempotency-Key", "k-1"));
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    Res different =
        api.send(
            "POST",
            path,
            key,
            new JsonObject().put("action", "Deploy twice"),
            Map.of("Idempotency-Key", "k-1"));
    assertThat(different.status()).isEqualTo(409);
    // Concurrent retries with one key create one check-in.
    List<CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++)
      all.add(api.sendAsync("POST", path, key, body, Map.of("Idempotency-Key", "k-2")));
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (var c : all) {
      Res r = c.get();
      assertThat(r.status()).isEqualTo(201);
      ids.add(r.data().getString("id"));
    }
    assertThat(ids).hasSize(1);
    assertThat(api.all("/v1/rooms/" + f.roomSlug + "/pending", f.human, 100)).hasSize(2);
    Res badKey = api.send("POST", path, key, body, Map.of("Idempotency-Key", "k".repeat(256)));
    assertThat(badKey.status()).isEqualTo(400);
  }
}
