package io.waitroom.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestServer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Roles per org (admin, approver, viewer), room members who may approve, and four-eyes, through the
 * API: every decision route, task review and quorum vote enforces them.
 */
class RolesAndMembersTest extends ServerTest {

  private static String tokenWithRole(String org, String sub, String role) {
    return TestServer.token(
        new JsonObject().put("org_id", org).put("sub", sub).put("waitroom_role", role), 3600);
  }

  private static String me(String token, String field) {
    Res r = api.get("/v1/me", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getString(field);
  }

  private static void assertForbidden(Res r, String code, String mentions) {
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.error().getString("message")).contains(mentions);
  }

  @Test
  void theFirstHumanOfANewOrgIsAdminLaterOnesApproverAndARoleClaimDecides() {
    Fixtures f = Fixtures.create(api);
    assertThat(me(f.human, "role")).isEqualTo("admin");
    assertThat(me(f.human("bob"), "role")).isEqualTo("approver");
    assertThat(me(tokenWithRole(f.org, "vic", "viewer"), "role")).isEqualTo("viewer");
    // The claim is the identity provider's word on every sign-in; without it the role stays.
    assertThat(me(tokenWithRole(f.org, "vic", "approver"), "role")).isEqualTo("approver");
    assertThat(me(f.human("vic"), "role")).isEqualTo("approver");
    // An unknown role in the claim counts as none.
    assertThat(me(tokenWithRole(f.org, "zed", "superuser"), "role")).isEqualTo("approver");

    JsonArray humans = api.get("/v1/humans", f.human).json().getJsonArray("data");
    assertThat(humans.stream().map(h -> ((JsonObject) h).getString("role")))
        .containsExactlyInAnyOrder("admin", "approver", "approver", "approver");
  }

  @Test
  void concurrentFirstSignInsOfANewOrgMakeExactlyOneAdmin() {
    String org = "org-" + UUID.randomUUID();
    List<CompletableFuture<Res>> all =
        java.util.stream.IntStream.range(0, 8)
            .mapToObj(
                i ->
                    api.sendAsync(
                        "GET", "/v1/me", TestServer.token(org, "h" + i), null, java.util.Map.of()))
            .toList();
    all.forEach(CompletableFuture::join);
    JsonArray humans =
        api.get("/v1/humans", TestServer.token(org, "h0")).json().getJsonArray("data");
    assertThat(humans).hasSize(8);
    assertThat(humans.stream().filter(h -> "admin".equals(((JsonObject) h).getString("role"))))
        .hasSize(1);
  }

  @Test
  void aViewerReadsEverythingButEveryDecisionRouteAndEveryChangeIs403NamingTheRoleNeeded() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    String viewer = tokenWithRole(f.org, "vic", "viewer");
    JsonObject ci = f.pendingCheckIn(key, "deploy");
    String id = ci.getString("id");

    assertThat(api.get("/v1/check-ins/" + id, viewer).status()).isEqualTo(200);
    assertThat(api.get("/v1/rooms/" + f.roomSlug + "/pending", viewer).status()).isEqualTo(200);
    assertThat(api.get("/v1/rooms/" + f.roomSlug + "/members", viewer).status()).isEqualTo(200);

    assertForbidden(
        api.post("/v1/check-ins/" + id + "/approve", viewer, new JsonObject()),
        "FORBIDDEN",
        "needs the approver role; you are viewer");
    assertForbidden(
        api.post("/v1/check-ins/" + id + "/reject", viewer, new JsonObject().put("reason", "no")),
        "FORBIDDEN",
        "approver");
    assertForbidden(
        api.post(
            "/v1/check-ins/" + id + "/modify",
            viewer,
            new JsonObject().put("reason", "smaller").put("modifications", new JsonObject())),
        "FORBIDDEN",
        "approver");
    assertForbidden(
        api.post("/v1/rooms/" + f.roomSlug + "/tasks", viewer, new JsonObject().put("action", "x")),
        "FORBIDDEN",
        "approver");
    assertForbidden(
        api.post(
            "/v1/rooms/" + f.roomSlug + "/signal",
            viewer,
            new JsonObject().put("type", "stop").put("payload", new JsonObject())),
        "FORBIDDEN",
        "approver");
    assertForbidden(
        api.post("/v1/check-ins/" + id + "/messages", viewer, new JsonObject().put("body", "hi")),
        "FORBIDDEN",
        "approver");
    assertForbidden(
        api.post("/v1/check-ins/" + id + "/action-links", viewer, new JsonObject()),
        "FORBIDDEN",
        "approver");
    // Nothing was decided: the approver still can.
    Res ok = api.post("/v1/check-ins/" + id + "/approve", f.human("bob"), new JsonObject());
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.data().getString("status")).isEqualTo("approved");
  }

  @Test
  void anApproverDecidesButAdminWorkNeedsTheAdminRole() {
    Fixtures f = Fixtures.create(api);
    String bob = f.human("bob");
    assertForbidden(
        api.post("/v1/rooms", bob, new JsonObject().put("name", "mine")),
        "FORBIDDEN",
        "needs the admin role; you are approver");
    assertForbidden(
        api.put(
            "/v1/rooms/" + f.roomSlug + "/policies",
            bob,
            Fixtures.policy("auto_approve", new JsonArray())),
        "FORBIDDEN",
        "admin");
    assertForbidden(
        api.post("/v1/agents/register", bob, new JsonObject().put("name", "a")),
        "FORBIDDEN",
        "admin");
    assertForbidden(
        api.put("/v1/humans/" + me(f.human, "id"), bob, new JsonObject().put("role", "viewer")),
        "FORBIDDEN",
        "admin");
    Res evaluate =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/policies/evaluate",
            bob,
            new JsonObject()
                .put("agent_id", "ag_x")
                .put("check_in", new JsonObject().put("action", "x")));
    assertThat(evaluate.status()).as("a dry run stores nothing: " + evaluate).isNotEqualTo(403);
    // Approver work.
    Res task =
        api.post("/v1/rooms/" + f.roomSlug + "/tasks", bob, new JsonObject().put("action", "t"));
    assertThat(task.status()).as(task.toString()).isEqualTo(201);
    // The admin's own tokens keep working for admin work.
    assertThat(api.post("/v1/rooms", f.human, new JsonObject().put("name", "more")).status())
        .isEqualTo(201);
  }

  @Test
  void adminsChangeRolesAndAuditItAndTheLastAdminCannotBeDemoted() {
    Fixtures f = Fixtures.create(api);
    String aliceId = me(f.human, "id");
    String bob = f.human("bob");
    String bobId = me(bob, "id");

    Res last = api.put("/v1/humans/" + aliceId, f.human, new JsonObject().put("role", "approver"));
    assertThat(last.status()).as(last.toString()).isEqualTo(409);
    assertThat(last.error().getString("message")).contains("last admin");

    Res bad = api.put("/v1/humans/" + bobId, f.human, new JsonObject().put("role", "owner"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error().getString("message")).contains("role");

    Res promoted = api.put("/v1/humans/" + bobId, f.human, new JsonObject().put("role", "admin"));
    assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
    assertThat(promoted.data().getString("role")).isEqualTo("admin");
    assertThat(me(bob, "role")).isEqualTo("admin");
    // The change holds at once: bob creates a room now.
    assertThat(api.post("/v1/rooms", bob, new JsonObject().put("name", "bob's")).status())
        .isEqualTo(201);

    // Now alice may step down; and a demotion takes effect on the next request.
    Res down = api.put("/v1/humans/" + aliceId, bob, new JsonObject().put("role", "viewer"));
    assertThat(down.status()).as(down.toString()).isEqualTo(200);
    assertForbidden(
        api.post("/v1/rooms", f.human, new JsonObject().put("name", "x")), "FORBIDDEN", "viewer");

    JsonArray audit =
        api.get("/v1/audit?event_type=human.role_changed", bob).json().getJsonArray("data");
    assertThat(audit).hasSize(2);
    assertThat(audit.getJsonObject(0).getJsonObject("snapshot").getString("role"))
        .isEqualTo("viewer");
    assertThat(audit.getJsonObject(0).getJsonObject("snapshot").getString("previous_role"))
        .isEqualTo("admin");

    // Another org's human is not found.
    Fixtures other = Fixtures.create(api);
    Res foreign =
        api.put("/v1/humans/" + me(other.human, "id"), bob, new JsonObject().put("role", "viewer"));
    assertThat(foreign.status()).isEqualTo(404);
  }

  @Test
  void twoAdminsDemotingEachOtherAtOnceLeaveOneAdmin() {
    for (int round = 0; round < 5; round++) {
      Fixtures f = Fixtures.create(api);
      String bob = f.human("bob");
      String aliceId = me(f.human, "id");
      String bobId = me(bob, "id");
      assertThat(
              api.put("/v1/humans/" + bobId, f.human, new JsonObject().put("role", "admin"))
                  .status())
          .isEqualTo(200);
      CompletableFuture<Res> a =
          api.sendAsync(
              "PUT",
              "/v1/humans/" + bobId,
              f.human,
              new JsonObject().put("role", "viewer"),
              java.util.Map.of());
      CompletableFuture<Res> b =
          api.sendAsync(
              "PUT",
              "/v1/humans/" + aliceId,
              bob,
              new JsonObject().put("role", "viewer"),
              java.util.Map.of());
      List<Integer> statuses = List.of(a.join().status(), b.join().status());
      JsonArray humans = api.get("/v1/humans", f.human).json().getJsonArray("data");
      long admins =
          humans.stream().filter(h -> "admin".equals(((JsonObject) h).getString("role"))).count();
      assertThat(admins).as("statuses " + statuses).isEqualTo(1);
      assertThat(statuses).contains(200);
    }
  }

  @Test
  void aRoomWithApproverMembersAcceptsDecisionsOnlyFromThemAndItsOwner() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    String bob = f.human("bob");
    String carol = f.human("carol");
    String bobId = me(bob, "id");
    String members = "/v1/rooms/" + f.roomSlug + "/members";

    // Without approver members, any approver of the org decides (today's rule).
    String first = f.pendingCheckIn(key, "one").getString("id");
    assertThat(api.post("/v1/check-ins/" + first + "/approve", carol, new JsonObject()).status())
        .isEqualTo(200);

    // The owner's row alone restricts nothing; the list shows it.
    JsonObject list = api.get(members, carol).data();
    assertThat(list.getBoolean("restricted")).isFalse();
    assertThat(list.getJsonArray("members")).hasSize(1);
    assertThat(list.getJsonArray("members").getJsonObject(0).getString("role")).isEqualTo("owner");

    // Only admins and the owner manage members.
    assertForbidden(
        api.put(members + "/" + bobId, carol, new JsonObject().put("role", "approver")),
        "FORBIDDEN",
        "admin");
    Res put = api.put(members + "/" + bobId, f.human, new JsonObject().put("role", "approver"));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(put.data().getString("role")).isEqualTo("approver");
    assertThat(api.get(members, carol).data().getBoolean("restricted")).isTrue();

    String second = f.pendingCheckIn(key, "two").getString("id");
    assertForbidden(
        api.post("/v1/check-ins/" + second + "/approve", carol, new JsonObject()),
        "FORBIDDEN",
        "approver members");
    assertThat(api.post("/v1/check-ins/" + second + "/approve", bob, new JsonObject()).status())
        .isEqualTo(200);
    String third = f.pendingCheckIn(key, "three").getString("id");
    Res owner =
        api.post(
            "/v1/check-ins/" + third + "/reject", f.human, new JsonObject().put("reason", "no"));
    assertThat(owner.status()).as(owner.toString()).isEqualTo(200);

    // A task's review follows the same rule.
    String agentId = f.agentId(key);
    String task = submittedTask(f, key, bob);
    assertForbidden(
        api.post("/v1/check-ins/" + task + "/approve", carol, new JsonObject()),
        "FORBIDDEN",
        "approver members");
    assertThat(agentId).isNotNull();

    // Bad input, the owner's fixed row, another org's human and room.
    assertThat(
            api.put(members + "/" + bobId, f.human, new JsonObject().put("role", "owner")).status())
        .isEqualTo(400);
    String aliceId = me(f.human, "id");
    assertThat(
            api.put(members + "/" + aliceId, f.human, new JsonObject().put("role", "viewer"))
                .status())
        .isEqualTo(409);
    assertThat(api.delete(members + "/" + aliceId, f.human).status()).isEqualTo(409);
    Fixtures other = Fixtures.create(api);
    assertThat(
            api.put(
                    members + "/" + me(other.human, "id"),
                    f.human,
                    new JsonObject().put("role", "approver"))
                .status())
        .isEqualTo(404);
    assertThat(api.get("/v1/rooms/" + f.room.getString("id") + "/members", other.human).status())
        .isEqualTo(404);
    assertThat(
            api.put(
                    "/v1/rooms/" + f.room.getString("id") + "/members/" + bobId,
                    other.human,
                    new JsonObject().put("role", "viewer"))
                .status())
        .isEqualTo(404);

    // Removing the last approver member lifts the restriction; audit rows record both changes.
    assertThat(api.delete(members + "/" + bobId, f.human).status()).isEqualTo(200);
    assertThat(api.delete(members + "/" + bobId, f.human).status()).isEqualTo(404);
    String fourth = f.pendingCheckIn(key, "four").getString("id");
    assertThat(api.post("/v1/check-ins/" + fourth + "/approve", carol, new JsonObject()).status())
        .isEqualTo(200);
    JsonArray audit =
        api.get("/v1/rooms/" + f.roomSlug + "/audit", f.human).json().getJsonArray("data");
    assertThat(audit.stream().map(a -> ((JsonObject) a).getString("event_type")))
        .contains("member.set", "member.removed");
  }

  @Test
  void theRoomsOwnerManagesItsMembersWithoutBeingAdmin() {
    Fixtures f = Fixtures.create(api);
    String bob = f.human("bob");
    String bobId = me(bob, "id");
    String carolId = me(f.human("carol"), "id");
    // Bob creates a room while admin, then is demoted to approver: he still owns it.
    api.put("/v1/humans/" + bobId, f.human, new JsonObject().put("role", "admin"));
    String room =
        api.post("/v1/rooms", bob, new JsonObject().put("name", "bob's")).data().getString("slug");
    api.put("/v1/humans/" + bobId, f.human, new JsonObject().put("role", "approver"));
    Res r =
        api.put(
            "/v1/rooms/" + room + "/members/" + carolId,
            bob,
            new JsonObject().put("role", "approver"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  @Test
  void quorumVotesFollowRolesAndMembers() {
    JsonObject policies = new JsonObject().put("quorum", new JsonObject().put("required", 2));
    Fixtures f = Fixtures.create(api, policies);
    String key = f.agentKey("deployer");
    String viewer = tokenWithRole(f.org, "vic", "viewer");
    String bob = f.human("bob");
    String carol = f.human("carol");
    String id = f.pendingCheckIn(key, "deploy").getString("id");
    assertForbidden(
        api.post("/v1/check-ins/" + id + "/approve", viewer, new JsonObject()),
        "FORBIDDEN",
        "approver");
    api.put(
        "/v1/rooms/" + f.roomSlug + "/members/" + me(bob, "id"),
        f.human,
        new JsonObject().put("role", "approver"));
    assertForbidden(
        api.post("/v1/check-ins/" + id + "/approve", carol, new JsonObject()),
        "FORBIDDEN",
        "approver members");
    Res vote = api.post("/v1/check-ins/" + id + "/approve", bob, new JsonObject());
    assertThat(vote.status()).as(vote.toString()).isEqualTo(200);
    assertThat(vote.data().getString("status")).isEqualTo("pending");
    Res decided = api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
    assertThat(decided.status()).as(decided.toString()).isEqualTo(200);
    assertThat(decided.data().getString("status")).isEqualTo("approved");
  }

  @Test
  void fourEyesKeepsTheAgentsRegistrantFromDecidingItsCheckIns() {
    Fixtures f = Fixtures.create(api, new JsonObject().put("four_eyes", true));
    assertThat(
            api.get("/v1/rooms/" + f.roomSlug, f.human)
                .data()
                .getJsonObject("policies")
                .getBoolean("four_eyes"))
        .isTrue();
    String key = f.agentKey("deployer"); // registered by alice
    String id = f.pendingCheckIn(key, "deploy").getString("id");
    Res mine = api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
    assertForbidden(mine, "FOUR_EYES", "registered the agent");
    Res bobs = api.post("/v1/check-ins/" + id + "/approve", f.human("bob"), new JsonObject());
    assertThat(bobs.status()).as(bobs.toString()).isEqualTo(200);

    // Without the flag alice decides her own agent's check-ins, as before.
    assertThat(f.putPolicies(Fixtures.policy("require_approval", new JsonArray())).status())
        .isEqualTo(200);
    String next = f.pendingCheckIn(key, "again").getString("id");
    assertThat(api.post("/v1/check-ins/" + next + "/approve", f.human, new JsonObject()).status())
        .isEqualTo(200);
    // And the flag is validated.
    Res bad =
        f.putPolicies(Fixtures.policy("require_approval", new JsonArray()).put("four_eyes", "yes"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error().getString("message")).contains("four_eyes");
  }

  @Test
  void fourEyesKeepsATasksPosterFromReviewingIt() {
    Fixtures f = Fixtures.create(api, new JsonObject().put("four_eyes", true));
    String key = f.agentKey("worker");
    String bob = f.human("bob");
    String task = submittedTask(f, key, bob);
    assertForbidden(
        api.post("/v1/check-ins/" + task + "/approve", bob, new JsonObject()),
        "FOUR_EYES",
        "posted this task");
    Res alice = api.post("/v1/check-ins/" + task + "/approve", f.human, new JsonObject());
    assertThat(alice.status()).as(alice.toString()).isEqualTo(200);
  }

  /** A task posted by {@code poster}, claimed by the agent and submitted with a result. */
  private static String submittedTask(Fixtures f, String key, String poster) {
    Res t =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/tasks", poster, new JsonObject().put("action", "fix it"));
    assertThat(t.status()).as(t.toString()).isEqualTo(201);
    String id = t.data().getString("id");
    assertThat(api.post("/v1/check-ins/" + id + "/claim", key, new JsonObject()).status())
        .isEqualTo(200);
    Res result =
        api.post(
            "/v1/check-ins/" + id + "/messages",
            key,
            new JsonObject().put("body", "done").put("message_type", "result"));
    assertThat(result.status()).as(result.toString()).isEqualTo(201);
    return id;
  }

  @Test
  void aLinkMintedByAnApproverNoLongerDecidesOnceTheyAreAViewer() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    String bob = f.human("bob");
    String id = f.pendingCheckIn(key, "deploy").getString("id");
    Res links = api.post("/v1/check-ins/" + id + "/action-links", bob, new JsonObject());
    assertThat(links.status()).as(links.toString()).isEqualTo(201);
    String approve = links.data().getString("approve");
    api.put("/v1/humans/" + me(bob, "id"), f.human, new JsonObject().put("role", "viewer"));
    java.net.http.HttpResponse<String> page =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(approve))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(""))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as(page.body()).isEqualTo(403);
    assertThat(api.get("/v1/check-ins/" + id, f.human).data().getString("status"))
        .isEqualTo("pending");
  }
}
