package io.waitroom.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/stats} and {@code GET /v1/stats/rooms} against a scripted history: every decision
 * is made through the API (its own paths write {@code decided_at}), and the expected numbers are
 * computed here from the timestamps the API returned, with the same definitions (percentiles by
 * linear interpolation, buckets aligned to UTC hours).
 */
class StatsApiTest extends ServerTest {
  record Decided(String roomId, String outcome, Instant created, Instant decided, boolean human) {
    double seconds() {
      return Duration.between(created, decided).toNanos() / 1e9;
    }
  }

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  static Decided decided(JsonObject ci, String outcome, boolean human) {
    return new Decided(
        ci.getString("room_id"),
        outcome,
        at(ci.getString("created_at")),
        at(ci.getJsonObject("decision").getString("decided_at")),
        human);
  }

  /** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
  static Double percentile(List<Double> values, double p) {
    if (values.isEmpty()) return null;
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    double rank = p * (v.size() - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return v.get(lo) + (v.get(hi) - v.get(lo)) * (rank - lo);
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void statsCountOutcomesAndPercentilesExactlyPerBucketAndRoom() throws Exception {
    Fixtures f =
        Fixtures.create(
            api,
            Fixtures.policy(
                "require_approval",
                new JsonArray()
                    .add(
                        Fixtures.rule(
                            "reads",
                            "auto_approve",
                            new JsonObject().put("action_matches", "^read ")))
                    .add(
                        Fixtures.rule(
                            "no-drops",
                            "forbid",
                            new JsonObject()
                                .put("action_contains", new JsonArray().add("drop"))))));
    String roomA = f.room.getString("id");
    String key = f.agentKey("deployer");
    String agentId = f.agentId(key);
    Res other = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Billing"));
    String roomB = other.data().getString("id");
    List<Decided> expected = new ArrayList<>();

    // Room A: approved, modified, rejected by a human, at different waits.
    JsonObject a1 = f.pendingCheckIn(key, "Deploy api");
    Thread.sleep(300);
    expected.add(
        decided(
            api.post("/v1/check-ins/" + a1.getString("id") + "/approve", f.human, null).data(),
            "approved",
            true));
    JsonObject a2 = f.pendingCheckIn(key, "Scale workers");
    Thread.sleep(700);
    expected.add(
        decided(
            api.post(
                    "/v1/check-ins/" + a2.getString("id") + "/modify",
                    f.human,
                    new JsonObject()
                        .put("reason", "fewer")
                        .put("modifications", new JsonObject().put("n", 2)))
                .data(),
            "modified",
            true));
    JsonObject a3 = f.pendingCheckIn(key, "Rotate keys");
    Thread.sleep(1100);
    expected.add(
        decided(
            api.post(
                    "/v1/check-ins/" + a3.getString("id") + "/reject",
                    f.human,
                    new JsonObject().put("reason", "not now"))
                .data(),
            "rejected",
            true));
    // A withdrawn one is never decided; an auto-approved and a forbidden one are the server's.
    JsonObject a4 = f.pendingCheckIn(key, "Withdraw me");
    assertThat(api.delete("/v1/check-ins/" + a4.getString("id"), key).status()).isEqualTo(200);
    Res auto = f.checkIn(key, new JsonObject().put("action", "read logs"));
    assertThat(auto.status()).isEqualTo(201);
    expected.add(decided(auto.data(), "auto_approved", false));
    Res forbidden = f.checkIn(key, new JsonObject().put("action", "drop table users"));
    assertThat(forbidden.status()).isEqualTo(403);
    String forbiddenId = forbidden.error().getJsonObject("details").getString("check_in_id");
    expected.add(
        decided(api.get("/v1/check-ins/" + forbiddenId, f.human).data(), "forbidden", false));
    // An expired one (a timeout "minute" is a second in tests).
    Res expiring =
        f.checkIn(
            key,
            new JsonObject()
                .put("action", "Wait forever")
                .put("timeout_minutes", 1)
                .put("timeout_action", "cancel"));
    String expId = expiring.data().getString("id");
    JsonObject exp = null;
    for (int i = 0; i < 100 && exp == null; i++) {
      JsonObject s = api.get("/v1/check-ins/" + expId, f.human).data();
      if ("expired".equals(s.getString("status"))) exp = s;
      else Thread.sleep(100);
    }
    assertThat(exp).as("the check-in expired").isNotNull();
    expected.add(decided(exp, "expired", false));
    // Room B: one approval, in the org's numbers but not room A's.
    Res b1 =
        api.post("/v1/rooms/" + roomB + "/check-in", key, new JsonObject().put("action", "Refund"));
    Thread.sleep(200);
    expected.add(
        decided(
            api.post("/v1/check-ins/" + b1.data().getString("id") + "/approve", f.human, null)
                .data(),
            "approved",
            true));

    // Another org's decision never shows.
    Fixtures g = Fixtures.create(api);
    String gKey = g.agentKey("stranger");
    JsonObject g1 = g.pendingCheckIn(gKey, "Elsewhere");
    api.post("/v1/check-ins/" + g1.getString("id") + "/approve", g.human, null);

    Instant to = Instant.now().plusSeconds(1);
    Instant from = to.minus(Duration.ofHours(3));
    String range = "from=" + q(from.toString()) + "&to=" + q(to.toString()) + "&bucket=hour";

    Res all = api.get("/v1/stats?" + range, f.human);
    assertThat(all.status()).as(all.toString()).isEqualTo(200);
    assertMatches(all.data(), expected, from, to);
    assertThat(all.data().getJsonObject("totals").getLong("decided")).isEqualTo(7);

    Res onlyA = api.get("/v1/stats?room=" + f.roomSlug + "&" + range, f.human);
    assertThat(onlyA.status()).as(onlyA.toString()).isEqualTo(200);
    assertThat(onlyA.data().getString("room_id")).isEqualTo(roomA);
    assertMatches(
        onlyA.data(), expected.stream().filter(d -> d.roomId().equals(roomA)).toList(), from, to);
    JsonObject totals = onlyA.data().getJsonObject("totals");
    for (String outcome : Outcomes.ALL) {
      assertThat(totals.getJsonObject("outcomes").getLong(outcome)).as(outcome).isEqualTo(1);
    }

    // Trust in room A: +1.0, +0.6, -0.3 by people, -0.1 on expiry, in that order.
    JsonArray trust = onlyA.data().getJsonArray("trust");
    assertThat(trust).hasSize(1);
    JsonObject line = trust.getJsonObject(0);
    assertThat(line.getString("agent_id")).isEqualTo(agentId);
    assertThat(line.getString("agent_name")).isEqualTo("deployer");
    assertThat(line.getValue("start_score")).isNull();
    assertThat(
            line.getJsonArray("points").stream()
                .map(p -> ((JsonObject) p).getDouble("score"))
                .toList())
        .containsExactly(16.0, 16.6, 16.3, 16.2);
    assertThat(
            line.getJsonArray("points").stream()
                .map(p -> ((JsonObject) p).getString("outcome"))
                .toList())
        .containsExactly("approved", "modified", "rejected", "expired");
    // A range starting after those changes starts the line at the last score before it.
    Res later =
        api.get(
            "/v1/stats?room="
                + roomA
                + "&from="
                + q(Instant.now().plusSeconds(1).toString())
                + "&to="
                + q(Instant.now().plusSeconds(60).toString())
                + "&bucket=hour",
            f.human);
    JsonObject laterLine = later.data().getJsonArray("trust").getJsonObject(0);
    assertThat(laterLine.getDouble("start_score")).isEqualTo(16.2);
    assertThat(laterLine.getJsonArray("points")).isEmpty();
    assertThat(later.data().getJsonObject("totals").getLong("decided")).isZero();

    // The other org sees only its own decision.
    Res theirs = api.get("/v1/stats?" + range, g.human);
    assertThat(theirs.data().getJsonObject("totals").getLong("decided")).isEqualTo(1);
    assertThat(theirs.data().getJsonArray("trust")).hasSize(1);
    // ... and our room is not theirs to ask about.
    assertThat(api.get("/v1/stats?room=" + roomA, g.human).status()).isEqualTo(404);

    // The room overview.
    JsonObject pendingA = f.pendingCheckIn(key, "Still waiting");
    Res rooms = api.get("/v1/stats/rooms", f.human);
    assertThat(rooms.status()).isEqualTo(200);
    JsonObject a =
        rooms.list().stream()
            .map(JsonObject.class::cast)
            .filter(r -> r.getString("room_id").equals(roomA))
            .findFirst()
            .orElseThrow();
    assertThat(a.getLong("pending")).isEqualTo(1);
    assertThat(a.getString("oldest_pending_at")).isEqualTo(pendingA.getString("created_at"));
    assertThat(a.getString("name")).isEqualTo("Deployments");
    List<Decided> inA = expected.stream().filter(d -> d.roomId().equals(roomA)).toList();
    Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS);
    assertThat(a.getLong("decided_today"))
        .isEqualTo(inA.stream().filter(d -> !d.decided().isBefore(midnight)).count());
    assertThat(a.getDouble("median_decision_seconds_7d"))
        .isCloseTo(
            percentile(inA.stream().filter(Decided::human).map(Decided::seconds).toList(), 0.5),
            within(1e-6));
    assertThat(rooms.list()).hasSize(2);
    assertThat(api.get("/v1/stats/rooms", g.human).list()).hasSize(1);

    // The same decisions in /metrics, by room and outcome.
    Res metrics = api.get("/metrics", f.human);
    assertThat(metrics.raw())
        .contains("waitroom_decision_seconds_count{outcome=\"approved\",room=\"" + roomA + "\"} 1")
        .contains("waitroom_decision_seconds_count{outcome=\"modified\",room=\"" + roomA + "\"} 1")
        .contains("waitroom_decision_seconds_count{outcome=\"forbidden\",room=\"" + roomA + "\"} 1")
        .contains("waitroom_decision_seconds_count{outcome=\"approved\",room=\"" + roomB + "\"} 1")
        .contains(
            "waitroom_decision_seconds_bucket{outcome=\"rejected\",room=\""
                + roomA
                + "\",le=\"5.0\"} 1");
  }

  /** The series and totals are what `expected` gives by the endpoint's definitions. */
  static void assertMatches(JsonObject data, List<Decided> expected, Instant from, Instant to) {
    TreeMap<Instant, List<Decided>> byHour = new TreeMap<>();
    for (Decided d : expected)
      byHour
          .computeIfAbsent(d.decided().truncatedTo(ChronoUnit.HOURS), k -> new ArrayList<>())
          .add(d);
    JsonArray series = data.getJsonArray("series");
    // One bucket per UTC hour from the one holding `from` to the one holding `to`.
    long hours =
        ChronoUnit.HOURS.between(
                from.truncatedTo(ChronoUnit.HOURS), to.truncatedTo(ChronoUnit.HOURS))
            + 1;
    assertThat(series).hasSize((int) hours);
    for (Object o : series) {
      JsonObject b = (JsonObject) o;
      List<Decided> in = byHour.getOrDefault(Instant.parse(b.getString("start")), List.of());
      assertBucket(b, in);
    }
    assertBucket(data.getJsonObject("totals"), expected);
  }

  static void assertBucket(JsonObject b, List<Decided> in) {
    assertThat(b.getLong("decided")).as(b.encode()).isEqualTo(in.size());
    for (String outcome : Outcomes.ALL) {
      assertThat(b.getJsonObject("outcomes").getLong(outcome))
          .as(outcome + " in " + b.encode())
          .isEqualTo(in.stream().filter(d -> d.outcome().equals(outcome)).count());
    }
    List<Double> secs = in.stream().filter(Decided::human).map(Decided::seconds).toList();
    assertThat(b.getLong("human_decided")).isEqualTo(secs.size());
    Double p50 = percentile(secs, 0.5);
    Double p90 = percentile(secs, 0.9);
    if (p50 == null) {
      assertThat(b.getValue("p50_seconds")).isNull();
      assertThat(b.getValue("p90_seconds")).isNull();
    } else {
      assertThat(b.getDouble("p50_seconds")).isCloseTo(p50, within(1e-6));
      assertThat(b.getDouble("p90_seconds")).isCloseTo(p90, within(1e-6));
    }
  }

  @Test
  void badParametersAre400NamingTheField() {
    Fixtures f = Fixtures.create(api);
    Map<String, String> cases =
        Map.of(
            "bucket=week", "bucket",
            "from=yesterday", "from",
            "to=2026-13-01T00:00:00Z", "to",
            "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from",
            "from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=hour", "from",
            "from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from");
    cases.forEach(
        (query, field) -> {
          Res r = api.get("/v1/stats?" + query, f.human);
          assertThat(r.status()).as(query + " " + r).isEqualTo(400);
          assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
          assertThat(r.error().getJsonObject("details").getString("field"))
              .as(query)
              .isEqualTo(field);
        });
    assertThat(api.get("/v1/stats?room=no-such-room", f.human).status()).isEqualTo(404);
    // People's numbers: an agent key is refused.
    assertThat(api.get("/v1/stats", f.agentKey("a")).status()).isEqualTo(403);
    assertThat(api.get("/v1/stats/rooms", f.agentKey("b")).status()).isEqualTo(403);
    assertThat(api.get("/v1/stats", null).status()).isEqualTo(401);
    // Defaults: the last 7 days by day (8 UTC days touched), nothing decided.
    Res d = api.get("/v1/stats", f.human);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.data().getString("bucket")).isEqualTo("day");
    assertThat(d.data().getJsonArray("series").size()).isBetween(7, 8);
    assertThat(d.data().getJsonObject("totals").getLong("decided")).isZero();
  }
}
