package io.waitroom.grants;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Standing grants through HTTP: create, match, use counting under concurrency, expiry, revoke. */
class GrantsApiTest extends ServerTest {

  static String in(Duration d) {
    return Instant.now().plus(d).toString();
  }

  static Res grant(Fixtures f, JsonObject body) {
    return api.post("/v1/rooms/" + f.roomSlug + "/grants", f.human, body);
  }

  static JsonObject migrations(Integer maxUses, Duration life) {
    JsonObject b =
        new JsonObject()
            .put("conditions", new JsonObject().put("action_contains", "migration"))
            .put("expires_at", in(life))
            .put("reason", "read-only migrations this week");
    if (maxUses != null) b.put("max_uses", maxUses);
    return b;
  }

  @Test
  void aMatchingGrantApprovesAsSystemGrantCountsTheUseAndIsAudited() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    Res g = grant(f, migrations(3, Duration.ofDays(7)));
    assertThat(g.status()).as(g.toString()).isEqualTo(201);
    String id = g.data().getString("id");
    assertThat(id).startsWith("gr_");
    assertThat(g.data().getInteger("uses")).isZero();
    assertThat(g.data().getInteger("remaining_uses")).isEqualTo(3);

    Res dry =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/policies/evaluate",
            f.human,
            new JsonObject().put("action", "run migration 42"));
    assertThat(dry.data().getString("grant_id")).isEqualTo(id);
    assertThat(dry.data().getString("status")).isEqualTo("approved");

    JsonObject ci = f.checkIn(key, new JsonObject().put("action", "run migration 42")).data();
    assertThat(ci.getString("status")).isEqualTo("approved");
    assertThat(ci.getJsonObject("policy").getString("result")).isEqualTo("auto_approve");
    assertThat(ci.getJsonObject("policy").getString("grant_id")).isEqualTo(id);
    assertThat(ci.getJsonObject("decision").getString("decided_by")).isEqualTo("system:grant");
    // Not matching: the rest of the policy (require_approval by default) applies.
    assertThat(f.pendingCheckIn(key, "drop table").getString("status")).isEqualTo("pending");

    JsonObject listed =
        api.get("/v1/rooms/" + f.roomSlug + "/grants", f.human).list().getJsonObject(0);
    assertThat(listed.getInteger("uses")).isEqualTo(1);
    assertThat(listed.getInteger("remaining_uses")).isEqualTo(2);
    List<String> audit =
        api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 100).stream()
            .map(o -> o.getString("event_type"))
            .toList();
    assertThat(audit).contains("grant.created", "grant.used");
  }

  @Test
  void theLastUseIsSpentOnceByTenConcurrentCheckIns() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    String id = grant(f, migrations(1, Duration.ofDays(1))).data().getString("id");
    List<CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(
          api.sendAsync(
              "POST",
              "/v1/rooms/" + f.roomSlug + "/check-in",
              key,
              new JsonObject().put("action", "migration " + i),
              Map.of()));
    }
    int byGrant = 0;
    int pending = 0;
    for (CompletableFuture<Res> c : all) {
      Res r = c.join();
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      JsonObject policy = r.data().getJsonObject("policy");
      if (id.equals(policy.getString("grant_id"))) {
        byGrant++;
        assertThat(r.data().getString("status")).isEqualTo("approved");
      } else if (r.data().getString("status").equals("pending")) {
        pending++;
      }
    }
    assertThat(byGrant).isEqualTo(1);
    assertThat(pending).isEqualTo(9);
    JsonObject g = api.get("/v1/rooms/" + f.roomSlug + "/grants", f.human).list().getJsonObject(0);
    assertThat(g.getInteger("uses")).isEqualTo(1);
    assertThat(g.getInteger("remaining_uses")).isZero();
  }

  @Test
  void aRevokedGrantNoLongerApprovesAndRevokingTwiceIs409() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    String id = grant(f, migrations(null, Duration.ofDays(1))).data().getString("id");
    String path = "/v1/rooms/" + f.roomSlug + "/grants/" + id;
    Res revoked = api.delete(path, f.human);
    assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
    assertThat(revoked.data().getString("revoked_at")).isNotNull();
    assertThat(api.delete(path, f.human).status()).isEqualTo(409);
    assertThat(f.pendingCheckIn(key, "migration 1").getString("status")).isEqualTo("pending");
    List<String> audit =
        api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 100).stream()
            .map(o -> o.getString("event_type"))
            .toList();
    assertThat(audit).contains("grant.revoked");
  }

  @Test
  void anExpiredGrantNoLongerApproves() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    assertThat(grant(f, migrations(null, Duration.ofSeconds(2))).status()).isEqualTo(201);
    assertThat(f.pendingCheckIn(key, "migration 1").getString("status")).isEqualTo("approved");
    Thread.sleep(2500);
    assertThat(f.pendingCheckIn(key, "migration 2").getString("status")).isEqualTo("pending");
  }

  @Test
  void forbidRulesComeBeforeGrantsAndGrantsBeforeEverythingElse() {
    JsonArray rules =
        new JsonArray()
            .add(
                Fixtures.rule(
                    "no-prod", "forbid", new JsonObject().put("action_contains", "prod")));
    Fixtures f = Fixtures.create(api, Fixtures.policy("forbid", rules));
    String key = f.agentKey("deployer");
    grant(f, migrations(null, Duration.ofDays(1)));
    assertThat(f.checkIn(key, new JsonObject().put("action", "prod migration")).status())
        .isEqualTo(403);
    // default_action forbid is "everything else": the grant wins over it.
    Res ok = f.checkIn(key, new JsonObject().put("action", "staging migration"));
    assertThat(ok.data().getString("status")).isEqualTo("approved");
  }

  @Test
  void badInputsAre400NamingTheFieldAndOtherOrgsGet404() {
    Fixtures f = Fixtures.create(api);
    JsonObject noExpiry = migrations(null, Duration.ofDays(1));
    noExpiry.remove("expires_at");
    assertField(grant(f, noExpiry), "expires_at");
    assertField(grant(f, migrations(null, Duration.ofDays(-1))), "expires_at");
    assertField(grant(f, migrations(null, Duration.ofDays(31))), "expires_at");
    assertField(
        grant(f, migrations(null, Duration.ofDays(1)).put("expires_at", "soon")), "expires_at");
    assertField(grant(f, migrations(0, Duration.ofDays(1))), "max_uses");
    assertField(grant(f, migrations(100_001, Duration.ofDays(1))), "max_uses");
    assertField(
        grant(
            f,
            migrations(null, Duration.ofDays(1))
                .put("conditions", new JsonObject().put("nope", 1))),
        "conditions.nope");
    assertThat(grant(f, migrations(null, Duration.ofDays(30))).status()).isEqualTo(201);
    String id =
        api.get("/v1/rooms/" + f.roomSlug + "/grants", f.human)
            .list()
            .getJsonObject(0)
            .getString("id");

    Fixtures other = Fixtures.create(api);
    assertThat(api.get("/v1/rooms/" + f.room.getString("id") + "/grants", other.human).status())
        .isEqualTo(404);
    // Its own room of the same slug does not hold the grant; the grant's room is not visible.
    assertThat(api.delete("/v1/rooms/" + other.roomSlug + "/grants/" + id, other.human).status())
        .isEqualTo(404);
    assertThat(
            api.delete("/v1/rooms/" + f.room.getString("id") + "/grants/" + id, other.human)
                .status())
        .isEqualTo(404);
    assertThat(
            api.post(
                    "/v1/rooms/" + f.roomSlug + "/grants",
                    f.agentKey("a"),
                    migrations(null, Duration.ofDays(1)))
                .status())
        .isEqualTo(403);
  }

  static void assertField(Res r, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo(field);
  }
}
