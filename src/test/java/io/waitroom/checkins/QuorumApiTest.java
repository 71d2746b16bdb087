package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** N-of-M quorum through HTTP: votes, vetoes, modify mid-vote, duplicates, races, events. */
class QuorumApiTest extends ServerTest {

  /**
   * A room whose policy needs {@code required} of alice, bob and carol, rejecting by {@code
   * reject}.
   */
  record Team(Fixtures f, String key, String alice, String bob, String carol, List<String> ids) {
    String path(String ci, String verb) {
      return "/v1/check-ins/" + ci + "/" + verb;
    }
  }

  static Team team(int required, String reject) {
    Fixtures f = Fixtures.create(api);
    String bob = f.human("bob");
    String carol = f.human("carol");
    List<String> ids =
        List.of(f.userId(f.human, "alice"), f.userId(bob, "bob"), f.userId(carol, "carol"));
    JsonObject quorum =
        new JsonObject()
            .put("required", required)
            .put("approvers", new JsonArray(new ArrayList<>(ids)))
            .put("reject", reject);
    Res p =
        f.putPolicies(Fixtures.policy("require_approval", new JsonArray()).put("quorum", quorum));
    assertThat(p.status()).as(p.toString()).isEqualTo(200);
    return new Team(f, f.agentKey("payments"), f.human, bob, carol, ids);
  }

  static Res vote(String token, String path, JsonObject body) {
    return api.post(path, token, body);
  }

  @Test
  void twoOfThreeApproveAndEveryViewShowsTheVotes() {
    Team t = team(2, "any");
    JsonObject ci = t.f().pendingCheckIn(t.key(), "refund 500 EUR");
    String id = ci.getString("id");
    assertThat(ci.getJsonObject("quorum").getInteger("required")).isEqualTo(2);
    assertThat(ci.getInteger("approvals_needed")).isEqualTo(2);
    assertThat(ci.getJsonArray("votes")).isEmpty();

    Res first = vote(t.alice(), t.path(id, "approve"), new JsonObject().put("reason", "ok"));
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.data().getString("status")).isEqualTo("pending");
    assertThat(first.data().getInteger("approvals_needed")).isEqualTo(1);
    JsonObject status = api.get("/v1/check-ins/" + id + "/status", t.key()).data();
    assertThat(status.getJsonArray("votes")).hasSize(1);
    assertThat(status.getJsonArray("votes").getJsonObject(0).getString("voter"))
        .isEqualTo(t.ids().get(0));
    assertThat(status.getInteger("approvals_needed")).isEqualTo(1);
    // The policy changes meanwhile: the check-in keeps the quorum it was created with.
    t.f().putPolicies(Fixtures.policy("require_approval", new JsonArray()));

    Res second = vote(t.bob(), t.path(id, "approve"), null);
    assertThat(second.data().getString("status")).isEqualTo("approved");
    JsonObject decision = second.data().getJsonObject("decision");
    assertThat(decision.getString("decided_by")).isEqualTo(t.ids().get(1));
    assertThat(decision.getJsonArray("votes")).hasSize(2);
    assertThat(second.data().getInteger("approvals_needed")).isZero();
    JsonObject got = api.get("/v1/check-ins/" + id, t.alice()).data();
    assertThat(got.getJsonArray("votes")).hasSize(2);
    // Trust moved once, on the final outcome (+1).
    assertThat(t.f().trust(t.f().agentId(t.key()))).isCloseTo(16.0, within(1e-9));
    // After the decision a vote is 409 and changes nothing.
    assertThat(vote(t.carol(), t.path(id, "approve"), null).status()).isEqualTo(409);
    assertThat(api.get("/v1/check-ins/" + id, t.alice()).data().getJsonArray("votes")).hasSize(2);
  }

  @Test
  void oneRejectVetoesWithAny() {
    Team t = team(2, "any");
    String id = t.f().pendingCheckIn(t.key(), "refund").getString("id");
    vote(t.alice(), t.path(id, "approve"), null);
    Res r = vote(t.bob(), t.path(id, "reject"), new JsonObject().put("reason", "fraud"));
    assertThat(r.data().getString("status")).isEqualTo("rejected");
    assertThat(r.data().getJsonObject("decision").getString("reason")).isEqualTo("fraud");
    assertThat(t.f().trust(t.f().agentId(t.key()))).isCloseTo(14.7, within(1e-9));
  }

  @Test
  void majorityRejectsOnlyOnceApprovalIsOutOfReach() {
    Team t = team(2, "majority");
    String id = t.f().pendingCheckIn(t.key(), "refund").getString("id");
    Res one = vote(t.alice(), t.path(id, "reject"), new JsonObject().put("reason", "no"));
    assertThat(one.data().getString("status")).isEqualTo("pending");
    Res two = vote(t.bob(), t.path(id, "reject"), new JsonObject().put("reason", "no"));
    assertThat(two.data().getString("status")).isEqualTo("rejected");

    String id2 = t.f().pendingCheckIn(t.key(), "refund 2").getString("id");
    vote(t.alice(), t.path(id2, "reject"), new JsonObject().put("reason", "no"));
    vote(t.bob(), t.path(id2, "approve"), null);
    Res last = vote(t.carol(), t.path(id2, "approve"), null);
    assertThat(last.data().getString("status")).isEqualTo("approved");
  }

  @Test
  void aModifyVoteResetsEarlierApprovalsAndTheOutcomeIsModified() {
    Team t = team(2, "any");
    String id = t.f().pendingCheckIn(t.key(), "refund 500").getString("id");
    vote(t.alice(), t.path(id, "approve"), null);
    JsonObject mods = new JsonObject().put("amount", 100);
    Res m =
        vote(
            t.bob(),
            t.path(id, "modify"),
            new JsonObject().put("reason", "less").put("modifications", mods));
    assertThat(m.data().getString("status")).isEqualTo("pending");
    assertThat(m.data().getInteger("approvals_needed")).isEqualTo(1);
    Res last = vote(t.carol(), t.path(id, "approve"), null);
    assertThat(last.data().getString("status")).isEqualTo("modified");
    assertThat(last.data().getJsonObject("decision").getJsonObject("modifications"))
        .isEqualTo(mods);
    JsonObject status = api.get("/v1/check-ins/" + id + "/status", t.key()).data();
    assertThat(status.getJsonObject("modifications")).isEqualTo(mods);
  }

  @Test
  void aSecondVoteIs409AndANonApproverIs403() {
    Team t = team(2, "any");
    String id = t.f().pendingCheckIn(t.key(), "refund").getString("id");
    assertThat(vote(t.alice(), t.path(id, "approve"), null).status()).isEqualTo(200);
    Res twice = vote(t.alice(), t.path(id, "approve"), null);
    assertThat(twice.status()).as(twice.toString()).isEqualTo(409);
    Res stranger = vote(t.f().human("mallory"), t.path(id, "approve"), null);
    assertThat(stranger.status()).as(stranger.toString()).isEqualTo(403);
    Res otherOrg = vote(Fixtures.create(api).human, t.path(id, "approve"), null);
    assertThat(otherOrg.status()).isEqualTo(404);
    assertThat(api.get("/v1/check-ins/" + id, t.alice()).data().getJsonArray("votes")).hasSize(1);
  }

  @Test
  void concurrentDecidingVotesMakeExactlyOneDecision() {
    Team t = team(2, "any");
    for (int round = 0; round < 5; round++) {
      String id = t.f().pendingCheckIn(t.key(), "refund " + round).getString("id");
      vote(t.alice(), t.path(id, "approve"), null);
      List<CompletableFuture<Res>> both =
          List.of(
              api.sendAsync("POST", t.path(id, "approve"), t.bob(), null, Map.of()),
              api.sendAsync(
                  "POST",
                  t.path(id, "reject"),
                  t.carol(),
                  new JsonObject().put("reason", "no"),
                  Map.of()));
      List<Integer> codes = both.stream().map(c -> c.join().status()).sorted().toList();
      assertThat(codes).as("round " + round).containsExactly(200, 409);
      JsonObject ci = api.get("/v1/check-ins/" + id, t.alice()).data();
      assertThat(ci.getString("status")).isIn("approved", "rejected");
      assertThat(ci.getJsonArray("votes")).hasSize(2);
      long decisions =
          api.all("/v1/rooms/" + t.f().roomSlug + "/audit", t.alice(), 100).stream()
              .filter(a -> id.equals(a.getString("target_id")))
              .filter(a -> a.getString("event_type").matches("checkin\\.(approved|rejected)"))
              .count();
      assertThat(decisions).as("round " + round).isEqualTo(1);
    }
  }

  @Test
  void votesAndDecisionsReachTheStream() {
    Team t = team(2, "any");
    String url =
        api.base() + "/v1/rooms/" + t.f().roomSlug + "/events?types=checkin.vote,checkin.decided";
    try (SseClient sse = SseClient.open(url, t.alice(), Map.of())) {
      assertThat(sse.status).isEqualTo(200);
      assertThat(sse.nextFrame(5_000).comment()).isEqualTo("connected");
      String id = t.f().pendingCheckIn(t.key(), "refund").getString("id");
      vote(t.alice(), t.path(id, "approve"), null);
      vote(t.bob(), t.path(id, "approve"), null);
      List<Frame> got = sse.events(3, 10_000);
      assertThat(got.stream().map(Frame::event).toList())
          .containsExactly("checkin.vote", "checkin.vote", "checkin.approved");
    }
  }

  @Test
  void badQuorumsAre400NamingTheField() {
    Fixtures f = Fixtures.create(api);
    JsonObject tooMany =
        new JsonObject()
            .put("required", 3)
            .put("approvers", new JsonArray().add("usr_a").add("usr_b"));
    Res doc =
        f.putPolicies(Fixtures.policy("require_approval", new JsonArray()).put("quorum", tooMany));
    assertThat(doc.status()).isEqualTo(400);
    assertThat(doc.error().getJsonObject("details").getString("field"))
        .isEqualTo("quorum.required");
    JsonObject rule =
        Fixtures.rule("pay", "require_approval", new JsonObject()).put("quorum", tooMany);
    Res inRule = f.putPolicies(Fixtures.policy("require_approval", new JsonArray().add(rule)));
    assertThat(inRule.status()).isEqualTo(400);
    assertThat(inRule.error().getJsonObject("details").getString("field"))
        .isEqualTo("rules[0].quorum.required");
    Res eleven =
        f.putPolicies(
            Fixtures.policy("require_approval", new JsonArray())
                .put("quorum", new JsonObject().put("required", 11)));
    assertThat(eleven.error().getJsonObject("details").getString("field"))
        .isEqualTo("quorum.required");
  }
}
