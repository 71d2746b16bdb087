package io.waitroom.checkins;

import static io.waitroom.support.Fixtures.policy;
import static io.waitroom.support.Fixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestServer;
import org.junit.jupiter.api.Test;

class PolicyAndTrustApiTest extends ServerTest {
  static JsonObject spec6Policies() {
    return policy(
            "require_approval",
            new JsonArray()
                .add(
                    rule(
                        "no-prod-drops",
                        "forbid",
                        new JsonObject()
                            .put("action_contains", new JsonArray().add("drop table").add("rm -rf"))
                            .put("risk_level", new JsonArray().add("high").add("critical"))))
                .add(
                    rule(
                        "reads-ok",
                        "auto_approve",
                        new JsonObject()
                            .put("action_matches", "^(read|list|get) ")
                            .put(
                                "context",
                                new JsonObject()
                                    .put("env", new JsonArray().add("dev").add("staging"))))))
        .put(
            "trust_thresholds",
            new JsonObject().put("auto_approve_low", 40).put("auto_approve_medium", 70));
  }

  @Test
  void forbidRuleRejectsAndReturns403WithCheckInId() {
    Fixtures f = Fixtures.create(api);
    assertThat(f.putPolicies(spec6Policies()).status()).isEqualTo(200);
    String key = f.agentKey("a");
    Res r =
        f.checkIn(
            key, new JsonObject().put("action", "DROP TABLE users").put("risk_level", "critical"));
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("POLICY_FORBIDS");
    JsonObject details = r.error().getJsonObject("details");
    assertThat(details.getString("rule_id")).isEqualTo("no-prod-drops");
    String id = details.getString("check_in_id");
    JsonObject stored = api.get("/v1/check-ins/" + id, key).data();
    assertThat(stored.getString("status")).isEqualTo("rejected");
    assertThat(stored.getJsonObject("policy").getString("result")).isEqualTo("forbid");
    assertThat(stored.getJsonObject("policy").getString("rule_id")).isEqualTo("no-prod-drops");
    assertThat(stored.getJsonObject("decision").getString("decided_by")).isEqualTo("system:policy");
    // Policy outcomes never move trust.
    assertThat(f.trust(f.agentId(key))).isEqualTo(15.0);
    // The same action at low risk is not forbidden: every condition must match.
    assertThat(
            f.checkIn(
                    key, new JsonObject().put("action", "drop table tmp").put("risk_level", "low"))
                .status())
        .isEqualTo(201);
  }

  @Test
  void autoApproveRuleApprovesWithoutAHuman() {
    Fixtures f = Fixtures.create(api);
    f.putPolicies(spec6Policies());
    String key = f.agentKey("a");
    Res r =
        f.checkIn(
            key,
            new JsonObject()
                .put("action", "read logs")
                .put("context", new JsonObject().put("env", "dev")));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.data().getString("status")).isEqualTo("approved");
    assertThat(r.data().getJsonObject("policy").getString("rule_id")).isEqualTo("reads-ok");
    assertThat(r.data().getJsonObject("decision").getString("decided_by"))
        .isEqualTo("system:policy");
    assertThat(r.data().getValue("expires_at")).isNull();
    Res prod =
        f.checkIn(
            key,
            new JsonObject()
                .put("action", "read logs")
                .put("context", new JsonObject().put("env", "prod")));
    assertThat(prod.data().getString("status")).isEqualTo("pending");
    assertThat(f.trust(f.agentId(key))).isEqualTo(15.0);
  }

  @Test
  void trustThresholdsAutoApproveAtTheBoundaryNotBelow() {
    Fixtures f = Fixtures.create(api);
    JsonObject p =
        policy("require_approval", new JsonArray())
            .put(
                "trust_thresholds",
                new JsonObject().put("auto_approve_low", 16).put("auto_approve_medium", 17));
    assertThat(f.putPolicies(p).status()).isEqualTo(200);
    String key = f.agentKey("a");
    // 15 < 16: below the low threshold.
    assertThat(f.checkIn(key, low("one")).data().getString("status")).isEqualTo("pending");
    approveOne(f, key); // 16
    JsonObject atLow = f.checkIn(key, low("two")).data();
    assertThat(atLow.getString("status")).isEqualTo("approved");
    assertThat(atLow.getJsonObject("decision").getString("decided_by")).isEqualTo("system:trust");
    assertThat(f.checkIn(key, medium("m1")).data().getString("status"))
        .isEqualTo("pending"); // 16 < 17
    approveOne(f, key); // 17
    assertThat(f.checkIn(key, medium("m2")).data().getString("status")).isEqualTo("approved");
    approveOne(f, key); // 18: above both
    assertThat(f.checkIn(key, low("three")).data().getString("status")).isEqualTo("approved");
    assertThat(f.checkIn(key, medium("m3")).data().getString("status")).isEqualTo("approved");
    // High and critical never go by trust.
    assertThat(
            f.checkIn(key, new JsonObject().put("action", "h").put("risk_level", "high"))
                .data()
                .getString("status"))
        .isEqualTo("pending");
    assertThat(
            f.checkIn(key, new JsonObject().put("action", "c").put("risk_level", "critical"))
                .data()
                .getString("status"))
        .isEqualTo("pending");
    // Trust only moves with human decisions: 18 after three approvals of pending ones.
    assertThat(f.trust(f.agentId(key))).isCloseTo(18.0, within(1e-9));
  }

  @Test
  void aRequireApprovalRuleSkipsTrust() {
    Fixtures f = Fixtures.create(api);
    JsonObject p =
        policy(
                "auto_approve",
                new JsonArray()
                    .add(
                        rule(
                            "humans-for-payments",
                            "require_approval",
                            new JsonObject().put("action_contains", "payment"))))
            .put(
                "trust_thresholds",
                new JsonObject().put("auto_approve_low", 0).put("auto_approve_medium", 0));
    f.putPolicies(p);
    String key = f.agentKey("a");
    assertThat(f.checkIn(key, low("send payment")).data().getString("status")).isEqualTo("pending");
    assertThat(f.checkIn(key, low("send email")).data().getString("status")).isEqualTo("approved");
  }

  @Test
  void defaultActionsApplyLast() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    JsonObject noTrust =
        new JsonObject().put("auto_approve_low", 101).put("auto_approve_medium", 101);
    f.putPolicies(
        policy("forbid", new JsonArray())
            .put(
                "trust_thresholds",
                new JsonObject().putNull("auto_approve_low").putNull("auto_approve_medium")));
    Res forbidden = f.checkIn(key, low("anything"));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.code()).isEqualTo("POLICY_FORBIDS");
    f.putPolicies(policy("auto_approve", new JsonArray()));
    assertThat(f.checkIn(key, low("anything")).data().getString("status")).isEqualTo("approved");
    assertThat(noTrust).isNotNull();
  }

  @Test
  void invalidPoliciesAre400NamingTheRule() {
    Fixtures f = Fixtures.create(api);
    JsonObject unknownEffect =
        policy("require_approval", new JsonArray().add(rule("r1", "explode", new JsonObject())));
    Res r = f.putPolicies(unknownEffect);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("message")).contains("r1");
    JsonObject badRegex =
        policy(
            "require_approval",
            new JsonArray()
                .add(
                    rule("bad-re", "forbid", new JsonObject().put("action_matches", "(unclosed"))));
    Res r2 = f.putPolicies(badRegex);
    assertThat(r2.status()).isEqualTo(400);
    assertThat(r2.error().getString("message")).contains("bad-re");
    JsonObject wrongType =
        policy(
            "require_approval",
            new JsonArray().add(rule("typed", "forbid", new JsonObject().put("risk_level", 5))));
    assertThat(f.putPolicies(wrongType).status()).isEqualTo(400);
    assertThat(f.putPolicies(new JsonObject().put("default_action", "maybe")).status())
        .isEqualTo(400);
    // Nothing was stored: the room still has its defaults.
    JsonObject stored =
        api.get("/v1/rooms/" + f.roomSlug, f.human).data().getJsonObject("policies");
    assertThat(stored.getJsonArray("rules")).isEmpty();
    // The wrapped form of the API reference works too.
    Res wrapped =
        f.putPolicies(new JsonObject().put("policies", policy("auto_approve", new JsonArray())));
    assertThat(wrapped.status()).isEqualTo(200);
    assertThat(wrapped.data().getJsonObject("policies").getString("default_action"))
        .isEqualTo("auto_approve");
    // Policies are for humans.
    assertThat(
            api.put("/v1/rooms/" + f.roomSlug + "/policies", f.agentKey("a"), spec6Policies())
                .status())
        .isEqualTo(403);
  }

  @Test
  void aPathologicalRegexAnswersInMilliseconds() {
    Fixtures f = Fixtures.create(api);
    f.putPolicies(
        policy(
            "require_approval",
            new JsonArray()
                .add(rule("evil", "forbid", new JsonObject().put("action_matches", "^(a+)+$")))));
    String key = f.agentKey("a");
    long t0 = System.nanoTime();
    Res r = f.checkIn(key, new JsonObject().put("action", "a".repeat(499) + "!"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(201);
    assertThat(ms).as("ms").isLessThan(1000);
    assertThat(f.checkIn(key, new JsonObject().put("action", "a".repeat(500))).status())
        .isEqualTo(403);
  }

  @Test
  void policyChangesTakeEffectImmediately() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    assertThat(f.checkIn(key, low("x")).data().getString("status")).isEqualTo("pending");
    f.putPolicies(policy("auto_approve", new JsonArray()));
    assertThat(f.checkIn(key, low("x")).data().getString("status")).isEqualTo("approved");
    f.putPolicies(policy("require_approval", new JsonArray()));
    assertThat(f.checkIn(key, low("x")).data().getString("status")).isEqualTo("pending");
  }

  /**
   * Each node keeps its own parsed copy of a room's policies; a change made through another node
   * holds on the very next check-in, with no invalidation message at all (no Redis between these
   * two nodes): the copy is checked against the room's version in the check-in's own read.
   */
  @Test
  void aPolicyChangedOnAnotherNodeHoldsAtOnceWithoutAnyInvalidation() {
    try (TestServer other = server.secondNode()) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("a");
      String onOther = "/v1/rooms/" + f.roomSlug + "/check-in";
      // The other node parses and keeps the room's policies.
      assertThat(other.api.post(onOther, key, low("x")).data().getString("status"))
          .isEqualTo("pending");
      assertThat(f.putPolicies(policy("auto_approve", new JsonArray())).status()).isEqualTo(200);
      assertThat(other.api.post(onOther, key, low("x")).data().getString("status"))
          .isEqualTo("approved");
      JsonArray forbid =
          new JsonArray()
              .add(
                  rule(
                      "no-x",
                      "forbid",
                      new JsonObject().put("action_contains", new JsonArray().add("x"))));
      assertThat(f.putPolicies(policy("auto_approve", forbid)).status()).isEqualTo(200);
      Res refused = other.api.post(onOther, key, low("x"));
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.error().getJsonObject("details").getString("rule_id")).isEqualTo("no-x");
    }
  }

  @Test
  void dryRunEvaluatesWithoutStoring() {
    Fixtures f = Fixtures.create(api);
    f.putPolicies(spec6Policies());
    String key = f.agentKey("a");
    String agentId = f.agentId(key);
    String path = "/v1/rooms/" + f.roomSlug + "/policies/evaluate";
    Res r =
        api.post(
            path,
            f.human,
            new JsonObject()
                .put("action", "rm -rf /")
                .put("risk_level", "high")
                .put("agent_id", agentId));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.data().getString("result")).isEqualTo("forbid");
    assertThat(r.data().getString("rule_id")).isEqualTo("no-prod-drops");
    assertThat(r.data().getString("status")).isEqualTo("rejected");
    assertThat(r.data().getDouble("trust_score")).isEqualTo(15.0);
    Res draft =
        api.post(
            path,
            f.human,
            new JsonObject()
                .put("action", "rm -rf /")
                .put("policies", policy("auto_approve", new JsonArray())));
    assertThat(draft.data().getString("result")).isEqualTo("auto_approve");
    assertThat(api.all("/v1/rooms/" + f.roomSlug + "/pending?status=rejected", f.human, 100))
        .isEmpty();
    assertThat(api.post(path, f.human, new JsonObject()).status()).isEqualTo(400);
    assertThat(
            api.post(
                    path, f.human, new JsonObject().put("action", "x").put("agent_id", "ag_nobody"))
                .status())
        .isEqualTo(400);
    assertThat(api.post(path, key, new JsonObject().put("action", "x")).status()).isEqualTo(403);
  }

  @Test
  void trustIsClampedAndListedPerRoom() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String agentId = f.agentId(key);
    for (int i = 0; i < 51; i++) {
      String id = f.pendingCheckIn(key, "r" + i).getString("id");
      api.post("/v1/check-ins/" + id + "/reject", f.human, new JsonObject().put("reason", "no"));
    }
    assertThat(f.trust(agentId)).isEqualTo(0.0); // 15 - 51 * 0.3 < 0
    Res trust = api.get("/v1/agents/" + agentId + "/trust", f.human);
    JsonObject row = trust.data().getJsonArray("rooms").getJsonObject(0);
    assertThat(row.getInteger("rejected")).isEqualTo(51);
    assertThat(row.getString("room_slug")).isEqualTo(f.roomSlug);
    assertThat(api.get("/v1/agents/" + agentId + "/trust", Fixtures.create(api).human).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/agents/" + agentId + "/trust", key).status()).isEqualTo(403);
  }

  @Test
  void trustNeverExceeds100() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String agentId = f.agentId(key);
    approveOne(f, key); // creates the row at 16
    io.waitroom.support.TestDb.exec(
        server.databaseUrl,
        "UPDATE trust_scores SET score = 99.5 WHERE agent_id = '" + agentId + "'");
    approveOne(f, key);
    assertThat(f.trust(agentId)).isEqualTo(100.0);
    approveOne(f, key);
    assertThat(f.trust(agentId)).isEqualTo(100.0);
    String id =
        f.checkIn(key, new JsonObject().put("action", "x").put("risk_level", "critical"))
            .data()
            .getString("id");
    Res modified =
        api.post(
            "/v1/check-ins/" + id + "/modify",
            f.human,
            new JsonObject().put("reason", "r").put("modifications", new JsonObject()));
    assertThat(modified.status()).isEqualTo(200);
    assertThat(f.trust(agentId)).isEqualTo(100.0);
  }

  private static JsonObject low(String action) {
    return new JsonObject().put("action", action).put("risk_level", "low");
  }

  private static JsonObject medium(String action) {
    return new JsonObject().put("action", action).put("risk_level", "medium");
  }

  private void approveOne(Fixtures f, String key) {
    String id =
        f.checkIn(key, new JsonObject().put("action", "to approve").put("risk_level", "high"))
            .data()
            .getString("id");
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(200);
  }
}
