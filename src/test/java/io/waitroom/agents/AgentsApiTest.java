package io.waitroom.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentsApiTest {
  static TestServer server;
  static Api api;
  static final String ALICE = TestServer.token("acme", "alice");
  static final String BOB = TestServer.token("acme", "bob");
  static final String MALLORY = TestServer.token("evil-corp", "mallory");

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonObject register(String human, JsonObject body) {
    Res r = api.post("/v1/agents/register", human, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static JsonObject selfRegister(String name) {
    Res r = api.post("/v1/agents/self-register", null, new JsonObject().put("name", name));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static JsonObject room(String human, String name) {
    Res r = api.post("/v1/rooms", human, new JsonObject().put("name", name));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static void assertError(Res r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.error().getInteger("statusCode")).isEqualTo(status);
  }

  // ---- register ----

  @Test
  void registerReturns201WithAKeyShownOnlyOnce() {
    Res r =
        api.post(
            "/v1/agents/register",
            ALICE,
            new JsonObject()
                .put("name", "deploy-bot")
                .put("description", "Ships things")
                .put("platform", "claude-code"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonObject agent = r.data();
    String key = agent.getString("api_key");
    assertThat(key).startsWith("wr_").hasSizeGreaterThanOrEqualTo(3 + 32);
    assertThat(agent.getString("id")).matches("ag_[0-9a-z]{26}");
    assertThat(agent.getString("name")).isEqualTo("deploy-bot");
    assertThat(agent.getString("description")).isEqualTo("Ships things");
    assertThat(agent.getString("platform")).isEqualTo("claude-code");
    assertThat(agent.getString("status")).isEqualTo("active");
    assertThat(agent.getString("org_id")).startsWith("org_");
    assertThat(agent.getString("registered_by")).startsWith("usr_");
    assertThat(agent.getJsonArray("room_scopes")).isEmpty();
    assertThat(agent.getString("created_at")).endsWith("Z");
    assertThat(agent.containsKey("claim_token")).isFalse();

    String id = agent.getString("id");
    Res one = api.get("/v1/agents/" + id, ALICE);
    Res list = api.get("/v1/agents?limit=100", ALICE);
    Res me = api.get("/v1/agents/me", key);
    for (Res later : List.of(one, list, me)) {
      assertThat(later.status()).as(later.toString()).isEqualTo(200);
      assertThat(later.raw())
          .doesNotContain(key)
          .doesNotContain("api_key")
          .doesNotContain("key_hash");
    }
    assertThat(one.data().getString("id")).isEqualTo(id);
    assertThat(me.data().getString("id")).isEqualTo(id);
    assertThat(list.list()).extracting(o -> ((JsonObject) o).getString("id")).contains(id);
    // Only a hash is stored: the key itself is nowhere in the database row.
    assertThat(
            TestDb.queryLong(
                server.databaseUrl,
                "SELECT count(*) FROM agents WHERE id = '"
                    + id
                    + "' AND position('"
                    + key
                    + "' IN concat_ws(' ', key_prefix, encode(key_hash, 'escape'), claim_token)) > 0"))
        .isZero();
  }

  @Test
  void theKeyAuthenticatesItsAgent() {
    JsonObject agent = register(ALICE, new JsonObject().put("name", "me-bot"));
    Res me = api.get("/v1/agents/me", agent.getString("api_key"));
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
    assertThat(me.data().getString("id")).isEqualTo(agent.getString("id"));
    assertThat(me.data().getString("name")).isEqualTo("me-bot");
    assertThat(me.data().getString("status")).isEqualTo("active");
    assertThat(me.data().containsKey("claim_token")).isFalse();
    // Every key is different.
    JsonObject twin = register(ALICE, new JsonObject().put("name", "me-bot"));
    assertThat(twin.getString("api_key")).isNotEqualTo(agent.getString("api_key"));
    assertThat(api.get("/v1/agents/me", twin.getString("api_key")).data().getString("id"))
        .isEqualTo(twin.getString("id"));
  }

  @Test
  void registerFieldLimitsAreInclusive() {
    JsonObject agent =
        register(
            ALICE,
            new JsonObject()
                .put("name", "n".repeat(200))
                .put("description", "d".repeat(2000))
                .put("platform", "p".repeat(100)));
    assertThat(agent.getString("name")).hasSize(200);
    // Limits count characters, not UTF-16 units or bytes.
    JsonObject emoji = register(ALICE, new JsonObject().put("name", "\uD83E\uDD16".repeat(200)));
    assertThat(emoji.getString("name")).isEqualTo("\uD83E\uDD16".repeat(200));
    JsonObject one = register(ALICE, new JsonObject().put("name", "x"));
    assertThat(one.getString("name")).isEqualTo("x");
  }

  /** Bodies that every profile endpoint refuses, with the field the error must name. */
  static Map<Object, String> badProfiles() {
    Map<Object, String> cases = new LinkedHashMap<>();
    cases.put(new JsonObject(), "name");
    cases.put(new JsonObject().putNull("name"), "name");
    cases.put(new JsonObject().put("name", ""), "name");
    cases.put(new JsonObject().put("name", "n".repeat(201)), "name");
    cases.put(new JsonObject().put("name", "\uD83E\uDD16".repeat(201)), "name");
    cases.put(new JsonObject().put("name", 42), "name");
    cases.put(new JsonObject().put("name", true), "name");
    cases.put(new JsonObject().put("name", new JsonArray().add("a")), "name");
    cases.put(new JsonObject().put("name", new JsonObject()), "name");
    cases.put(
        new JsonObject().put("name", "ok").put("description", "d".repeat(2001)), "description");
    cases.put(new JsonObject().put("name", "ok").put("description", 5), "description");
    cases.put(new JsonObject().put("name", "ok").put("platform", "p".repeat(101)), "platform");
    cases.put(new JsonObject().put("name", "ok").put("platform", false), "platform");
    cases.put("{not json", "body");
    cases.put("{\"name\": \"unterminated", "body");
    cases.put("[{\"name\": \"x\"}]", "body");
    cases.put("\"just a string\"", "body");
    cases.put("null", "body");
    return cases;
  }

  static void assertValidation(Res r, String field, Object input) {
    assertThat(r.status()).as(input + " -> " + r).isEqualTo(400);
    assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
    assertThat(r.error().getInteger("statusCode")).isEqualTo(400);
    assertThat(r.error().getJsonObject("details").getString("field"))
        .as(input.toString())
        .isEqualTo(field);
    assertThat(r.error().getString("message")).contains(field);
  }

  @Test
  void registerRefusesBadInputNamingTheFieldAndWritesNothing() {
    String org = TestServer.token("register-validation", "val");
    Map<Object, String> cases = badProfiles();
    cases.put(new JsonObject().put("name", "ok").put("room_scopes", "rm_x"), "room_scopes");
    cases.put(
        new JsonObject().put("name", "ok").put("room_scopes", new JsonObject()), "room_scopes");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) tooMany.add("room-" + i);
    cases.put(new JsonObject().put("name", "ok").put("room_scopes", tooMany), "room_scopes");
    cases.put(
        new JsonObject().put("name", "ok").put("room_scopes", new JsonArray().add(1)),
        "room_scopes[0]");
    cases.put(
        new JsonObject().put("name", "ok").put("room_scopes", new JsonArray().add("")),
        "room_scopes[0]");
    cases.put(
        new JsonObject().put("name", "ok").put("room_scopes", new JsonArray().addNull()),
        "room_scopes[0]");
    for (var c : cases.entrySet()) {
      assertValidation(api.post("/v1/agents/register", org, c.getKey()), c.getValue(), c.getKey());
    }
    assertThat(api.all("/v1/agents", org, 100)).isEmpty();
  }

  @Test
  void selfRegisterRefusesBadInputNamingTheField() {
    long before = TestDb.queryLong(server.databaseUrl, "SELECT count(*) FROM agents");
    for (var c : badProfiles().entrySet()) {
      assertValidation(
          api.post("/v1/agents/self-register", null, c.getKey()), c.getValue(), c.getKey());
    }
    assertThat(TestDb.queryLong(server.databaseUrl, "SELECT count(*) FROM agents"))
        .isEqualTo(before);
    Res ok =
        api.post(
            "/v1/agents/self-register",
            null,
            new JsonObject()
                .put("name", "n".repeat(200))
                .put("description", "d".repeat(2000))
                .put("platform", "p".repeat(100)));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
  }

  @Test
  void roomScopesNameRoomsOfTheOrgByIdOrSlug() {
    JsonObject a = room(ALICE, "Scope A");
    JsonObject b = room(ALICE, "Scope B");
    JsonObject agent =
        register(
            ALICE,
            new JsonObject()
                .put("name", "scoped")
                .put(
                    "room_scopes",
                    new JsonArray().add(a.getString("slug")).add(b.getString("id"))));
    assertThat(agent.getJsonArray("room_scopes").getList())
        .containsExactly(a.getString("id"), b.getString("id"));
    assertThat(
            api.get("/v1/agents/" + agent.getString("id"), ALICE)
                .data()
                .getJsonArray("room_scopes"))
        .isEqualTo(agent.getJsonArray("room_scopes"));
    // The same room named twice is stored once.
    JsonObject twice =
        register(
            ALICE,
            new JsonObject()
                .put("name", "twice")
                .put(
                    "room_scopes",
                    new JsonArray().add(a.getString("slug")).add(a.getString("id"))));
    assertThat(twice.getJsonArray("room_scopes").getList()).containsExactly(a.getString("id"));
  }

  @Test
  void anUnknownOrForeignRoomInRoomScopesIs400NamingItsIndex() {
    JsonObject mine = room(ALICE, "Mine");
    JsonObject theirs = room(MALLORY, "Theirs");
    // A later human of acme: an approver by default since roles (issue 27); registering agents
    // is admin work, so the token carries the role.
    String org =
        TestServer.token(
            new JsonObject()
                .put("org_id", "acme")
                .put("sub", "scoper")
                .put("waitroom_role", "admin"),
            3600);
    int before = api.all("/v1/agents", org, 100).size();
    Res unknown =
        api.post(
            "/v1/agents/register",
            org,
            new JsonObject()
                .put("name", "x")
                .put("room_scopes", new JsonArray().add("no-such-room")));
    assertValidation(unknown, "room_scopes[0]", "no-such-room");
    Res second =
        api.post(
            "/v1/agents/register",
            org,
            new JsonObject()
                .put("name", "x")
                .put(
                    "room_scopes",
                    new JsonArray().add(mine.getString("id")).add(theirs.getString("id"))));
    assertValidation(second, "room_scopes[1]", "foreign room");
    Res foreignSlug =
        api.post(
            "/v1/agents/register",
            org,
            new JsonObject()
                .put("name", "x")
                .put("room_scopes", new JsonArray().add(theirs.getString("slug"))));
    assertValidation(foreignSlug, "room_scopes[0]", "foreign slug");
    assertThat(api.all("/v1/agents", org, 100)).hasSize(before);
  }

  @Test
  void aScopedAgentSeesAndUsesOnlyItsRooms() {
    String org = TestServer.token("scope-org", "sam");
    JsonObject a = room(org, "Room A");
    JsonObject b = room(org, "Room B");
    String key =
        register(
                org,
                new JsonObject()
                    .put("name", "scoped")
                    .put("room_scopes", new JsonArray().add(a.getString("id"))))
            .getString("api_key");
    assertThat(api.get("/v1/rooms/" + a.getString("slug"), key).status()).isEqualTo(200);
    assertError(api.get("/v1/rooms/" + b.getString("slug"), key), 403, "FORBIDDEN");
    assertError(api.get("/v1/rooms/" + b.getString("id"), key), 403, "FORBIDDEN");
    assertThat(api.all("/v1/rooms", key, 1))
        .extracting(o -> o.getString("id"))
        .containsExactly(a.getString("id"));
    // An unscoped agent of the same org sees both.
    String free = register(org, new JsonObject().put("name", "free")).getString("api_key");
    assertThat(api.all("/v1/rooms", free, 100))
        .extracting(o -> o.getString("id"))
        .containsExactlyInAnyOrder(a.getString("id"), b.getString("id"));
    assertThat(api.get("/v1/rooms/" + b.getString("slug"), free).status()).isEqualTo(200);
  }

  // ---- self-registration and claiming ----

  @Test
  void selfRegisterNeedsNoAuthAndReturnsAKeyAndAClaimToken() {
    Res r =
        api.post(
            "/v1/agents/self-register",
            null,
            new JsonObject().put("name", "wild-bot").put("platform", "cursor"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonObject agent = r.data();
    assertThat(agent.getString("api_key")).startsWith("wr_");
    assertThat(agent.getString("claim_token")).isNotBlank().doesNotStartWith("wr_");
    assertThat(agent.getString("status")).isEqualTo("pending_claim");
    assertThat(agent.getValue("org_id")).isNull();
    assertThat(agent.getString("claim_expires_at")).endsWith("Z");
    java.time.Instant expires = java.time.Instant.parse(agent.getString("claim_expires_at"));
    assertThat(expires)
        .isBetween(
            java.time.Instant.now().plus(java.time.Duration.ofDays(7)).minusSeconds(120),
            java.time.Instant.now().plus(java.time.Duration.ofDays(7)).plusSeconds(120));
  }

  @Test
  void anUnclaimedAgentSeesItsClaimTokenOnMe() {
    JsonObject agent = selfRegister("pending-bot");
    Res me = api.get("/v1/agents/me", agent.getString("api_key"));
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
    assertThat(me.data().getString("id")).isEqualTo(agent.getString("id"));
    assertThat(me.data().getString("status")).isEqualTo("pending_claim");
    assertThat(me.data().getString("claim_token")).isEqualTo(agent.getString("claim_token"));
    assertThat(me.data().getString("claim_expires_at"))
        .isEqualTo(agent.getString("claim_expires_at"));
    assertThat(me.raw()).doesNotContain(agent.getString("api_key"));
  }

  @Test
  void anUnclaimedAgentMayCallNothingButMe() {
    String key = selfRegister("locked-bot").getString("api_key");
    room(ALICE, "Off Limits");
    assertError(api.get("/v1/rooms", key), 403, "FORBIDDEN");
    assertError(api.get("/v1/rooms/off-limits", key), 403, "FORBIDDEN");
    assertError(api.post("/v1/rooms", key, new JsonObject().put("name", "x")), 403, "FORBIDDEN");
    assertError(api.get("/v1/agents", key), 403, "FORBIDDEN");
    assertError(
        api.post("/v1/agents/claim", key, new JsonObject().put("claim_token", "x")),
        403,
        "FORBIDDEN");
    assertThat(api.get("/v1/agents/me", key).status()).isEqualTo(200);
    // The exemption follows the route, which also matches with a trailing slash; dot segments
    // are resolved before the check.
    assertThat(api.get("/v1/agents/me/", key).status()).isEqualTo(200);
    assertError(api.get("/v1/agents/me/../../rooms", key), 403, "FORBIDDEN");
  }

  @Test
  void aHumanClaimMovesTheAgentIntoTheHumansOrg() {
    JsonObject agent = selfRegister("claimable");
    String key = agent.getString("api_key");
    String org = TestServer.token("claim-org", "carol");
    JsonObject orgRoom = room(org, "Claim Room");
    Res claim =
        api.post(
            "/v1/agents/claim",
            org,
            new JsonObject().put("claim_token", agent.getString("claim_token")));
    assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
    JsonObject claimed = claim.data();
    assertThat(claimed.getString("id")).isEqualTo(agent.getString("id"));
    assertThat(claimed.getString("status")).isEqualTo("active");
    assertThat(claimed.getString("org_id")).isEqualTo(orgRoom.getString("org_id"));
    assertThat(claimed.getString("claimed_by")).startsWith("usr_");
    assertThat(claimed.getString("claimed_at")).endsWith("Z");
    assertThat(claim.raw()).doesNotContain(key).doesNotContain("claim_token");

    assertThat(api.all("/v1/agents", org, 100))
        .extracting(o -> o.getString("id"))
        .contains(agent.getString("id"));
    assertThat(api.get("/v1/agents/" + agent.getString("id"), org).data().getString("status"))
        .isEqualTo("active");
    Res me = api.get("/v1/agents/me", key);
    assertThat(me.data().getString("status")).isEqualTo("active");
    assertThat(me.data().containsKey("claim_token")).isFalse();
    assertThat(me.raw()).doesNotContain(agent.getString("claim_token"));
    // The same key now works everywhere an agent may go, in its new org only.
    assertThat(api.all("/v1/rooms", key, 100))
        .extracting(o -> o.getString("id"))
        .containsExactly(orgRoom.getString("id"));
    // The claim is audited in the org.
    assertThat(
            TestDb.queryLong(
                server.databaseUrl,
                "SELECT count(*) FROM audit_log WHERE event_type = 'agent.claimed' AND target_id = '"
                    + agent.getString("id")
                    + "' AND org_id = '"
                    + claimed.getString("org_id")
                    + "'"))
        .isEqualTo(1);
    // Nobody else sees it.
    assertError(api.get("/v1/agents/" + agent.getString("id"), MALLORY), 404, "NOT_FOUND");
  }

  @Test
  void claimingAgainIs409AndChangesNothing() {
    JsonObject agent = selfRegister("twice-claimed");
    JsonObject body = new JsonObject().put("claim_token", agent.getString("claim_token"));
    assertThat(api.post("/v1/agents/claim", ALICE, body).status()).isEqualTo(200);
    assertError(api.post("/v1/agents/claim", ALICE, body), 409, "CONFLICT");
    assertError(api.post("/v1/agents/claim", MALLORY, body), 409, "CONFLICT");
    assertThat(api.get("/v1/agents/" + agent.getString("id"), ALICE).status()).isEqualTo(200);
    assertError(api.get("/v1/agents/" + agent.getString("id"), MALLORY), 404, "NOT_FOUND");
  }

  @Test
  void anUnknownClaimTokenIs404() {
    assertError(
        api.post("/v1/agents/claim", ALICE, new JsonObject().put("claim_token", "wrc_nope")),
        404,
        "NOT_FOUND");
  }

  @Test
  void claimRequiresAClaimTokenString() {
    assertValidation(api.post("/v1/agents/claim", ALICE, new JsonObject()), "claim_token", "{}");
    assertValidation(
        api.post("/v1/agents/claim", ALICE, new JsonObject().put("claim_token", 7)),
        "claim_token",
        "7");
    assertValidation(
        api.post("/v1/agents/claim", ALICE, new JsonObject().put("claim_token", "")),
        "claim_token",
        "empty");
    assertValidation(api.post("/v1/agents/claim", ALICE, "{oops"), "body", "{oops");
    assertError(api.post("/v1/agents/claim", null, new JsonObject()), 401, "UNAUTHORIZED");
  }

  @Test
  void anExpiredClaimTokenIs409AndTheAgentStaysUnclaimed() {
    JsonObject agent = selfRegister("expired-claim");
    TestDb.exec(
        server.databaseUrl,
        "UPDATE agents SET claim_expires_at = now() - interval '1 minute' WHERE id = '"
            + agent.getString("id")
            + "'");
    Res r =
        api.post(
            "/v1/agents/claim",
            ALICE,
            new JsonObject().put("claim_token", agent.getString("claim_token")));
    assertError(r, 409, "CONFLICT");
    assertThat(r.error().getString("message")).contains("expired");
    Res me = api.get("/v1/agents/me", agent.getString("api_key"));
    assertThat(me.data().getString("status")).isEqualTo("pending_claim");
    assertError(api.get("/v1/rooms", agent.getString("api_key")), 403, "FORBIDDEN");
  }

  @Test
  void concurrentClaimsOfOneTokenHaveExactlyOneWinner() throws Exception {
    JsonObject agent = selfRegister("contested");
    JsonObject body = new JsonObject().put("claim_token", agent.getString("claim_token"));
    int n = 16;
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) tokens.add(TestServer.token("race-org-" + i, "racer-" + i));
    // Create every org first, so the race is about the claim and not about first sight.
    for (String t : tokens) assertThat(api.get("/v1/rooms", t).status()).isEqualTo(200);
    List<CompletableFuture<Res>> inFlight = new ArrayList<>();
    for (String t : tokens)
      inFlight.add(api.sendAsync("POST", "/v1/agents/claim", t, body, Map.of()));
    int won = 0;
    String winner = null;
    for (int i = 0; i < n; i++) {
      Res r = inFlight.get(i).get(60, TimeUnit.SECONDS);
      if (r.status() == 200) {
        won++;
        winner = tokens.get(i);
      } else {
        assertError(r, 409, "CONFLICT");
      }
    }
    assertThat(won).isEqualTo(1);
    for (String t : tokens) {
      int expected = t.equals(winner) ? 200 : 404;
      assertThat(api.get("/v1/agents/" + agent.getString("id"), t).status()).isEqualTo(expected);
    }
    assertThat(
            TestDb.queryLong(
                server.databaseUrl,
                "SELECT count(*) FROM audit_log WHERE event_type = 'agent.claimed' AND target_id = '"
                    + agent.getString("id")
                    + "'"))
        .isEqualTo(1);
  }

  @Test
  void selfRegisteredAgentsAppearInNoOrgUntilClaimed() {
    JsonObject agent = selfRegister("homeless");
    for (String human : List.of(ALICE, MALLORY)) {
      assertThat(api.all("/v1/agents", human, 100))
          .extracting(o -> o.getString("id"))
          .doesNotContain(agent.getString("id"));
      assertError(api.get("/v1/agents/" + agent.getString("id"), human), 404, "NOT_FOUND");
    }
  }

  // ---- listing and reading ----

  @Test
  void listPagesThroughEveryAgentOfTheOrgOnce() {
    String org = TestServer.token("agent-paging", "pat");
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(register(org, new JsonObject().put("name", "p" + i)).getString("id"));
    }
    // Another org's agents never show up.
    register(TestServer.token("agent-paging-other", "oz"), new JsonObject().put("name", "other"));

    List<String> seen = new ArrayList<>();
    Res page = api.get("/v1/agents?limit=2", org);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.list()).hasSize(2);
    assertThat(page.json().getBoolean("has_more")).isTrue();
    assertThat(page.json().getString("cursor")).isNotBlank();
    page.list().forEach(o -> seen.add(((JsonObject) o).getString("id")));
    page = api.get("/v1/agents?limit=2&cursor=" + page.json().getString("cursor"), org);
    assertThat(page.list()).hasSize(2);
    assertThat(page.json().getBoolean("has_more")).isTrue();
    page.list().forEach(o -> seen.add(((JsonObject) o).getString("id")));
    page = api.get("/v1/agents?limit=2&cursor=" + page.json().getString("cursor"), org);
    assertThat(page.list()).hasSize(1);
    assertThat(page.json().getBoolean("has_more")).isFalse();
    assertThat(page.json().getValue("cursor")).isNull();
    page.list().forEach(o -> seen.add(((JsonObject) o).getString("id")));
    assertThat(seen).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(created);
    // Default page size covers all five in one page.
    Res all = api.get("/v1/agents", org);
    assertThat(all.list()).hasSize(5);
    assertThat(all.json().getBoolean("has_more")).isFalse();
  }

  @Test
  void listRefusesBadLimitsAndForeignCursors() {
    for (String q : List.of("limit=0", "limit=101", "limit=x")) {
      assertValidation(api.get("/v1/agents?" + q, ALICE), "limit", q);
    }
    register(MALLORY, new JsonObject().put("name", "m1"));
    register(MALLORY, new JsonObject().put("name", "m2"));
    String foreign = api.get("/v1/agents?limit=1", MALLORY).json().getString("cursor");
    assertThat(foreign).isNotNull();
    assertValidation(api.get("/v1/agents?cursor=" + foreign, ALICE), "cursor", "foreign cursor");
    // A rooms cursor is not an agents cursor.
    room(MALLORY, "r1");
    room(MALLORY, "r2");
    String roomsCursor = api.get("/v1/rooms?limit=1", MALLORY).json().getString("cursor");
    assertValidation(
        api.get("/v1/agents?cursor=" + roomsCursor, MALLORY), "cursor", "rooms cursor");
  }

  @Test
  void getReturnsOneAgentOfTheOrg() {
    JsonObject agent = register(ALICE, new JsonObject().put("name", "lookup"));
    Res byBob = api.get("/v1/agents/" + agent.getString("id"), BOB);
    assertThat(byBob.status()).as(byBob.toString()).isEqualTo(200);
    JsonObject expected = agent.copy();
    expected.remove("api_key");
    assertThat(byBob.data()).isEqualTo(expected);
    assertError(api.get("/v1/agents/ag_doesnotexist", ALICE), 404, "NOT_FOUND");
  }

  @Test
  void anotherOrgsAgentIsNotFoundNeverForbidden() {
    JsonObject agent = register(ALICE, new JsonObject().put("name", "private"));
    assertError(api.get("/v1/agents/" + agent.getString("id"), MALLORY), 404, "NOT_FOUND");
    assertThat(api.all("/v1/agents", MALLORY, 100))
        .extracting(o -> o.getString("id"))
        .doesNotContain(agent.getString("id"));
  }

  @Test
  void agentsMayNotListOrReadAgents() {
    JsonObject agent = register(ALICE, new JsonObject().put("name", "nosy"));
    String key = agent.getString("api_key");
    assertError(api.get("/v1/agents", key), 403, "FORBIDDEN");
    assertError(api.get("/v1/agents/" + agent.getString("id"), key), 403, "FORBIDDEN");
  }

  @Test
  void registerAndClaimRequireAHuman() {
    assertError(
        api.post("/v1/agents/register", null, new JsonObject().put("name", "x")),
        401,
        "UNAUTHORIZED");
    String key = register(ALICE, new JsonObject().put("name", "claimer")).getString("api_key");
    String token = selfRegister("target").getString("claim_token");
    assertError(
        api.post("/v1/agents/claim", key, new JsonObject().put("claim_token", token)),
        403,
        "FORBIDDEN");
  }
}
