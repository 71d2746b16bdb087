package io.waitroom.tasks;

import static io.waitroom.tasks.Tasks.claimed;
import static io.waitroom.tasks.Tasks.participants;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Real concurrency against one task: the conditional updates decide, and the count says so. */
class TaskRacesTest extends ServerTest {
  private static CompletableFuture<Res> async(String id, String verb, String credential) {
    return api.sendAsync("POST", "/v1/check-ins/" + id + "/" + verb, credential, null, Map.of());
  }

  private static CompletableFuture<Res> asyncSay(String id, String credential, String type) {
    return api.sendAsync(
        "POST",
        "/v1/check-ins/" + id + "/messages",
        credential,
        new JsonObject().put("message_type", type).put("body", type + " by race"),
        Map.of());
  }

  private static long count(List<String> list, String value) {
    return list.stream().filter(value::equals).count();
  }

  private static List<String> events(Fixtures f, String id) {
    return Tasks.eventTypes(server.databaseUrl, f.room.getString("id"), id);
  }

  @Test
  void manyAgentsClaimingOneTaskHaveExactlyOneWinner() throws Exception {
    Fixtures f = Fixtures.create(api);
    List<String> keys = new ArrayList<>();
    List<String> agentIds = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      keys.add(f.agentKey("agent-" + i));
      agentIds.add(f.agentId(keys.get(i)));
    }
    for (int round = 0; round < 3; round++) {
      String id = Tasks.task(f, "Hot task " + round).getString("id");
      List<CompletableFuture<Res>> all = new ArrayList<>();
      for (String k : keys) all.add(async(id, "claim", k));
      List<Integer> codes = new ArrayList<>();
      String winner = null;
      for (int i = 0; i < all.size(); i++) {
        Res r = all.get(i).get();
        codes.add(r.status());
        if (r.status() == 200) winner = agentIds.get(i);
        else assertThat(r.code()).isEqualTo("CONFLICT");
      }
      assertThat(codes.stream().filter(c -> c == 200).count()).as(codes.toString()).isEqualTo(1);
      assertThat(codes.stream().filter(c -> c == 409).count()).isEqualTo(14);
      JsonObject t = Tasks.get(api, id, f.human);
      assertThat(t.getString("status")).isEqualTo("in_progress");
      assertThat(t.getString("claimed_by")).isEqualTo(winner);
      assertThat(participants(api, id, f.human)).containsExactly("primary:" + winner);
      assertThat(count(events(f, id), "checkin.claimed")).isEqualTo(1);
      assertThat(t.getJsonArray("messages")).hasSize(2);
      assertThat(
              Tasks.count(
                  server.databaseUrl,
                  "SELECT count(*) FROM audit_log WHERE event_type = 'checkin.claimed'"
                      + " AND target_id = '"
                      + id
                      + "'"))
          .isEqualTo(1);
    }
  }

  @Test
  void claimRacingReleaseEndsConsistent() throws Exception {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    List<String> others = List.of(f.agentKey("b"), f.agentKey("c"), f.agentKey("d"));
    List<String> otherIds = others.stream().map(f::agentId).toList();
    for (int round = 0; round < 6; round++) {
      String id = claimed(f, a, "Contested " + round);
      CompletableFuture<Res> release = async(id, "release", a);
      List<CompletableFuture<Res>> claims = new ArrayList<>();
      for (String k : others) claims.add(async(id, "claim", k));
      assertThat(release.get().status()).as("release is never contested").isEqualTo(200);
      String winner = null;
      int winners = 0;
      for (int i = 0; i < claims.size(); i++) {
        Res r = claims.get(i).get();
        assertThat(r.status()).isIn(200, 409);
        if (r.status() == 200) {
          winners++;
          winner = otherIds.get(i);
        }
      }
      assertThat(winners).as("round " + round).isLessThanOrEqualTo(1);
      JsonObject t = Tasks.get(api, id, f.human);
      if (winner == null) {
        assertThat(t.getString("status")).isEqualTo("pending");
        assertThat(t.getValue("claimed_by")).isNull();
        assertThat(participants(api, id, f.human)).isEmpty();
      } else {
        assertThat(t.getString("status")).isEqualTo("in_progress");
        assertThat(t.getString("claimed_by")).isEqualTo(winner);
        assertThat(participants(api, id, f.human)).containsExactly("primary:" + winner);
      }
      List<String> ev = events(f, id);
      assertThat(count(ev, "checkin.claimed")).isEqualTo(1 + winners);
      assertThat(count(ev, "checkin.released")).isEqualTo(1);
    }
  }

  @Test
  void resultRacingReleaseHasOneWinnerAndNothingHalfApplied() throws Exception {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    for (int round = 0; round < 8; round++) {
      String id = claimed(f, a, "Race " + round);
      CompletableFuture<Res> result = asyncSay(id, a, "result");
      CompletableFuture<Res> release = async(id, "release", a);
      int rs = result.get().status();
      int rl = release.get().status();
      JsonObject t = Tasks.get(api, id, f.human);
      List<String> bodies =
          t.getJsonArray("messages").stream().map(o -> ((JsonObject) o).getString("body")).toList();
      List<String> ev = events(f, id);
      if (rs == 201) {
        assertThat(rl).as("round " + round).isEqualTo(409);
        assertThat(t.getString("status")).isEqualTo("submitted");
        assertThat(t.getString("claimed_by")).isEqualTo(f.agentId(a));
        assertThat(bodies).contains("result by race");
        assertThat(count(ev, "checkin.submitted")).isEqualTo(1);
        assertThat(count(ev, "checkin.released")).isZero();
      } else {
        assertThat(rs).as("round " + round).isEqualTo(403);
        assertThat(rl).isEqualTo(200);
        assertThat(t.getString("status")).isEqualTo("pending");
        assertThat(bodies).doesNotContain("result by race");
        assertThat(count(ev, "checkin.submitted")).isZero();
        assertThat(count(ev, "checkin.message")).isZero();
        assertThat(count(ev, "checkin.released")).isEqualTo(1);
      }
    }
  }

  @Test
  void twoResultsAtOnceSubmitOnce() throws Exception {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    for (int round = 0; round < 4; round++) {
      String id = claimed(f, a, "Double submit " + round);
      List<CompletableFuture<Res>> all = new ArrayList<>();
      for (int i = 0; i < 5; i++) all.add(asyncSay(id, a, "result"));
      List<Integer> codes = new ArrayList<>();
      for (var c : all) codes.add(c.get().status());
      assertThat(codes.stream().filter(c -> c == 201).count()).as(codes.toString()).isEqualTo(1);
      assertThat(codes.stream().filter(c -> c == 409).count()).isEqualTo(4);
      assertThat(count(events(f, id), "checkin.submitted")).isEqualTo(1);
      assertThat(Tasks.get(api, id, f.human).getJsonArray("messages")).hasSize(4);
    }
  }

  @Test
  void helpersJoiningWhileThePrimaryReleasesLeaveNoOneBehind() throws Exception {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    List<String> helpers = new ArrayList<>();
    for (int i = 0; i < 6; i++) helpers.add(f.agentKey("h" + i));
    for (int round = 0; round < 3; round++) {
      String id = claimed(f, a, "Team " + round);
      assertThat(Tasks.verb(api, id, "help", a).status()).isEqualTo(200);
      List<CompletableFuture<Res>> joins = new ArrayList<>();
      for (int i = 0; i < helpers.size(); i++) {
        joins.add(async(id, "join", helpers.get(i)));
        if (i == 2) joins.add(async(id, "release", a));
      }
      int joined = 0;
      for (var j : joins) {
        Res r = j.get();
        assertThat(r.status()).isIn(200, 409);
        if (r.status() == 200 && r.data().getString("status").equals("in_progress")) joined++;
      }
      assertThat(Tasks.status(api, id, f.human)).isEqualTo("pending");
      assertThat(participants(api, id, f.human)).as("a released task has no team").isEmpty();
      assertThat(count(events(f, id), "checkin.helper_joined")).isEqualTo(joined);
    }
  }
}
