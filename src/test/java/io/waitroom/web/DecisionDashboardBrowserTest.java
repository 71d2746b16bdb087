package io.waitroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Fixtures;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard for the people who decide (issue 30) in Chromium: names instead of ids, the room
 * overview, Modify as a form, History, Insights with charts and tables, shortcuts, dark theme,
 * axe-core on Inbox, History, Insights and a detail view, and screenshots of every page at 1280 and
 * 360 px (see src/test/node/browser/decisions.mjs; it exits non-zero naming the failed check).
 */
class DecisionDashboardBrowserTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String named(Fixtures f, String sub, String name) {
    String token =
        TestServer.token(
            new JsonObject().put("org_id", f.org).put("sub", sub).put("name", name), 3600);
    assertThat(server.api.get("/v1/me", token).data().getString("name")).isEqualTo(name);
    return token;
  }

  @Test
  void decidersSeeNamesHistoryInsightsAndModifyThroughAForm() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    String alice = named(f, "alice", "Alice Example");
    String bob = named(f, "bob", "Bob Builder");
    JsonObject billing =
        server.api.post("/v1/rooms", alice, new JsonObject().put("name", "Billing")).data();
    NodeScripts.Result r =
        NodeScripts.browser(
            Map.ofEntries(
                Map.entry("BASE_URL", server.api.base()),
                Map.entry("TOKEN", alice),
                Map.entry("BOB_TOKEN", bob),
                Map.entry("AGENT_KEY", f.agentKey("deployer")),
                Map.entry("AGENT2_KEY", f.agentKey("designer")),
                Map.entry("ROOM", f.roomSlug),
                Map.entry("ROOM2", billing.getString("slug"))),
            300,
            "decisions.mjs");
    assertThat(r.ok()).as(r.transcript()).isTrue();
    for (String page :
        new String[] {
          "inbox",
          "detail",
          "history",
          "history-detail",
          "insights",
          "audit",
          "tasks",
          "rooms",
          "agents",
          "notifications"
        }) {
      assertThat(NodeScripts.screenshots().resolve(page + "-1280.png")).isNotEmptyFile();
      assertThat(NodeScripts.screenshots().resolve(page + "-360.png")).isNotEmptyFile();
    }
  }
}
