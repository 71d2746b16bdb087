package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestDb;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AuditApiTest extends ServerTest {
  @Test
  void everyStepIsAuditedNewestFirst() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String agentId = f.agentId(key);
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    api.post("/v1/check-ins/" + id + "/approve", f.human, null);
    f.putPolicies(Fixtures.policy("auto_approve", new io.vertx.core.json.JsonArray()));
    List<JsonObject> org = api.all("/v1/audit", f.human, 2);
    List<String> types = org.stream().map(o -> o.getString("event_type")).toList();
    assertThat(types)
        .containsExactly(
            "room.policies_updated",
            "checkin.approved",
            "checkin.created",
            "agent.registered",
            "room.created");
    JsonObject approved = org.get(1);
    assertThat(approved.getString("actor_type")).isEqualTo("human");
    assertThat(approved.getString("target_type")).isEqualTo("check_in");
    assertThat(approved.getString("target_id")).isEqualTo(id);
    assertThat(approved.getJsonObject("snapshot").getString("status")).isEqualTo("approved");
    assertThat(approved.getString("id")).startsWith("aud_");
    assertThat(api.all("/v1/audit?event_type=checkin.created", f.human, 10)).hasSize(1);
    assertThat(api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 10)).hasSize(4);
    Res agentAudit = api.get("/v1/agents/" + agentId + "/audit", f.human);
    // agent.registered (the agent is the target) and checkin.created (the agent is the actor).
    assertThat(agentAudit.list())
        .extracting(o -> ((JsonObject) o).getString("event_type"))
        .containsExactly("checkin.created", "agent.registered");
  }

  @Test
  void rowsWrittenInOneTransactionListNewestFirst() {
    // A forbidden check-in writes checkin.created (the agent) and then checkin.rejected (the
    // engine) in one transaction, usually within the same millisecond: newest first must still
    // put the rejection above the creation.
    Fixtures f =
        Fixtures.create(
            api,
            Fixtures.policy(
                "require_approval",
                new JsonArray()
                    .add(
                        Fixtures.rule(
                            "no-drops",
                            "forbid",
                            new JsonObject().put("action_contains", "drop")))));
    String key = f.agentKey("a");
    for (int i = 0; i < 25; i++) {
      Res r = f.checkIn(key, new JsonObject().put("action", "drop table t" + i));
      assertThat(r.status()).as(r.toString()).isEqualTo(403);
    }
    List<JsonObject> rows = api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 100);
    Map<String, List<String>> byCheckIn = new HashMap<>();
    for (JsonObject row : rows) {
      if (!"check_in".equals(row.getString("target_type"))) continue;
      byCheckIn
          .computeIfAbsent(row.getString("target_id"), k -> new ArrayList<>())
          .add(row.getString("event_type"));
    }
    assertThat(byCheckIn).hasSize(25);
    byCheckIn.forEach(
        (id, types) ->
            assertThat(types).as(id).containsExactly("checkin.rejected", "checkin.created"));
  }

  @Test
  void concurrentPolicyReplacementsAuditAnUnbrokenBeforeAfterChain() throws Exception {
    Fixtures f = Fixtures.create(api);
    int n = 12;
    List<CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonObject doc = Fixtures.policy("require_approval", new JsonArray());
      doc.put("timeout_minutes", 100 + i);
      all.add(
          api.sendAsync("PUT", "/v1/rooms/" + f.roomSlug + "/policies", f.human, doc, Map.of()));
    }
    for (var c : all) assertThat(c.get().status()).as(c.get().toString()).isEqualTo(200);
    List<JsonObject> rows =
        api.all(
            "/v1/rooms/" + f.roomSlug + "/audit?event_type=room.policies_updated", f.human, 100);
    assertThat(rows).hasSize(n);
    // Each replacement's "before" is exactly what the previous one left: newest first, every
    // row's before is the next (older) row's after, and the oldest starts from the defaults.
    for (int i = 0; i < n; i++) {
      JsonObject snapshot = rows.get(i).getJsonObject("snapshot");
      int before = snapshot.getJsonObject("before").getInteger("timeout_minutes");
      int expected =
          i == n - 1
              ? 60
              : rows.get(i + 1)
                  .getJsonObject("snapshot")
                  .getJsonObject("after")
                  .getInteger("timeout_minutes");
      assertThat(before).as("row " + i + " of " + rows).isEqualTo(expected);
    }
    int current =
        api.get("/v1/rooms/" + f.roomSlug, f.human)
            .data()
            .getJsonObject("policies")
            .getInteger("timeout_minutes");
    assertThat(
            rows.get(0)
                .getJsonObject("snapshot")
                .getJsonObject("after")
                .getInteger("timeout_minutes"))
        .isEqualTo(current);
  }

  @Test
  void auditIsAppendOnlyInTheDatabase() {
    Fixtures f = Fixtures.create(api);
    assertThat(api.all("/v1/audit", f.human, 10)).isNotEmpty();
    assertThatThrownBy(
            () -> TestDb.exec(server.databaseUrl, "UPDATE audit_log SET event_type = 'x'"))
        .hasStackTraceContaining("append-only");
    assertThatThrownBy(() -> TestDb.exec(server.databaseUrl, "DELETE FROM audit_log"))
        .hasStackTraceContaining("append-only");
    assertThatThrownBy(() -> TestDb.exec(server.databaseUrl, "TRUNCATE audit_log"))
        .hasStackTraceContaining("append-only");
    assertThat(api.all("/v1/audit", f.human, 10)).isNotEmpty();
  }

  @Test
  void auditIsForHumansOfTheOrg() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    String key = f.agentKey("a");
    assertThat(api.get("/v1/audit", key).status()).isEqualTo(403);
    assertThat(api.all("/v1/audit", other.human, 100))
        .noneMatch(
            o ->
                o.getString("room_id") != null
                    && o.getString("room_id").equals(f.room.getString("id")));
    assertThat(api.get("/v1/rooms/" + f.room.getString("id") + "/audit", other.human).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/agents/" + f.agentId(key) + "/audit", other.human).status())
        .isEqualTo(404);
    Res limit = api.get("/v1/audit?limit=101", f.human);
    assertThat(limit.status()).isEqualTo(400);
  }
}
