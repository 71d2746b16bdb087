package io.waitroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.Jwts;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: Playwright (playwright-core, pinned) drives Debian's Chromium
 * against a real server, through every page of the contract, the approval flows (quorum votes,
 * escalation, standing grants) included (see src/test/node/browser/dashboard.mjs for the checks; it
 * exits non-zero naming the failed one). Screenshots land in target/screenshots/.
 */
class DashboardBrowserTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A token of {@code sub} with a name claim, signed in once (so the org knows the name). */
  /**
   * A named human. Bob and Carol create rooms and set their policies in the script: admin work
   * since roles (issue 27), where a later human of an org is an approver; so every one of them
   * carries the admin role claim.
   */
  static String named(Fixtures f, String sub, String name) {
    String token =
        TestServer.token(
            new JsonObject()
                .put("org_id", f.org)
                .put("sub", sub)
                .put("name", name)
                .put("waitroom_role", "admin"),
            3600);
    assertThat(server.api.get("/v1/me", token).data().getString("name")).isEqualTo(name);
    return token;
  }

  @Test
  void aHumanSignsInAndDecidesEverythingFromTheDashboard() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    String alice = f.room.getString("created_by");
    // Every human has a name (from the JWT's name claim): the page shows it, never the usr_ id.
    String aliceToken = named(f, "alice", "Alice Example");
    String bobToken = named(f, "bob", "Bob Builder");
    String carolToken = named(f, "carol", "Carol Danvers");
    String deployer = f.agentKey("deployer");
    String designer = f.agentKey("designer");
    JsonObject expiredClaims = Jwts.claims(f.org, "alice").put("exp", Jwts.now() - 60);
    String expired = Jwts.hmac("HS256", TestServer.SECRET, expiredClaims);
    assertThat(server.api.get("/v1/rooms", expired).status()).isEqualTo(401);
    NodeScripts.Result r =
        NodeScripts.browser(
            Map.ofEntries(
                Map.entry("BASE_URL", server.api.base()),
                Map.entry("TOKEN", aliceToken),
                Map.entry("ALICE_ID", alice),
                Map.entry("BOB_TOKEN", bobToken),
                Map.entry("CAROL_TOKEN", carolToken),
                Map.entry("EXPIRED_TOKEN", expired),
                Map.entry("AGENT_KEY", deployer),
                Map.entry("AGENT2_KEY", designer),
                Map.entry("ROOM", f.roomSlug)),
            240,
            "dashboard.mjs");
    assertThat(r.ok()).as(r.transcript()).isTrue();

    // What the page did is in the org's audit trail as alice's decisions.
    Res audit = server.api.get("/v1/audit?limit=100", f.human);
    long byAlice =
        audit.list().stream()
            .map(JsonObject.class::cast)
            .filter(
                a -> a.getString("event_type").matches("checkin\\.(approved|rejected|modified)"))
            .filter(a -> alice.equals(a.getString("actor_id")))
            .count();
    assertThat(byAlice).as(audit.toString()).isGreaterThanOrEqualTo(8);
    for (String shot :
        new String[] {
          "inbox.png",
          "detail.png",
          "inbox-360.png",
          "detail-360.png",
          "escalated.png",
          "grants.png"
        }) {
      assertThat(NodeScripts.screenshots().resolve(shot)).isNotEmptyFile();
    }
  }
}
