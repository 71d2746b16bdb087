package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditApiTest {
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

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
