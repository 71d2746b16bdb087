package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A human decision sends its COMMIT right behind its statements (the agent's trust row last), not
 * after their answers (issue 15): one agent's decisions in one room still each move the trust row
 * once, and a decision whose last statement fails is rolled back whole.
 */
class DecisionCommitTest extends ServerTest {
  @Test
  void concurrentDecisionsForOneAgentEachCountOnceInItsTrust() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("one");
    String agent = f.agentId(key);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) ids.add(f.pendingCheckIn(key, "deploy " + i).getString("id"));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Res>> answers = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        String verb = i % 4 == 3 ? "reject" : "approve";
        JsonObject body =
            verb.equals("reject") ? new JsonObject().put("reason", "no") : new JsonObject();
        answers.add(pool.submit(() -> api.post("/v1/check-ins/" + id + "/" + verb, f.human, body)));
      }
      for (Future<Res> a : answers)
        assertThat(a.get().status()).as(a.get().toString()).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
    String counts =
        "SELECT approved * 1000 + rejected FROM trust_scores WHERE agent_id = '"
            + agent
            + "' AND room_id = '"
            + f.room.getString("id")
            + "'";
    assertThat(count(counts)).isEqualTo(30 * 1000 + 10);
    for (String id : ids) {
      assertThat(
              count(
                  "SELECT count(*) FROM room_events WHERE type IN ('checkin.approved',"
                      + " 'checkin.rejected') AND data->>'id' = '"
                      + id
                      + "'"))
          .isEqualTo(1);
    }
  }

  @Test
  void aDecisionWhoseLastStatementFailsIsRolledBackWhole() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("refused");
    String agent = f.agentId(key);
    String id = f.pendingCheckIn(key, "deploy").getString("id");
    // The trust change, the decision's last statement, is made to fail for this agent alone.
    String constraint = "trust_refuses_" + agent.replaceAll("[^a-z0-9]", "");
    TestDb.exec(
        server.databaseUrl,
        "ALTER TABLE trust_scores ADD CONSTRAINT "
            + constraint
            + " CHECK (agent_id <> '"
            + agent
            + "') NOT VALID");
    try {
      Res r = api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
      assertThat(r.status()).as(r.toString()).isEqualTo(500);
      assertThat(r.toString()).doesNotContainIgnoringCase("trust_scores").doesNotContain("CHECK");
      // Nothing of the decision stayed: not the status, its messages, its audit row or its event.
      assertThat(api.get("/v1/check-ins/" + id, key).data().getString("status"))
          .isEqualTo("pending");
      assertThat(
              count(
                  "SELECT count(*) FROM audit_log WHERE target_id = '"
                      + id
                      + "' AND event_type = 'checkin.approved'"))
          .isZero();
      assertThat(
              count(
                  "SELECT count(*) FROM room_events WHERE type = 'checkin.approved' AND data->>'id' = '"
                      + id
                      + "'"))
          .isZero();
      assertThat(
              count(
                  "SELECT count(*) FROM check_in_messages WHERE check_in_id = '"
                      + id
                      + "' AND message_type = 'decision'"))
          .isZero();
    } finally {
      TestDb.exec(server.databaseUrl, "ALTER TABLE trust_scores DROP CONSTRAINT " + constraint);
    }
    // The connection went back to the pool outside any transaction: the next decision works.
    Res again = api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.data().getString("status")).isEqualTo("approved");
  }

  private static long count(String sql) {
    return TestDb.queryLong(server.databaseUrl, sql);
  }
}
