package io.waitroom.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Fixtures;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.ServerTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official TypeScript MCP client ({@code @modelcontextprotocol/sdk}, pinned in {@code
 * src/test/node/mcp}) against this server over each transport: Streamable HTTP, HTTP+SSE, and stdio
 * (this code base's {@code mcp} command as the client's child process). One script run per
 * transport covers: no key refused (401), initialize, the six tools listed with schemas and
 * annotations, every tool called, a wait answered by a human approval and another by a modification
 * made during the wait, a policy forbid, an unknown room, bad arguments and an unknown tool. See
 * {@code client.mjs} for the assertions.
 */
class McpClientTest extends ServerTest {
  static final Path PROJECT = NodeScripts.project("src/test/node/mcp");
  static Fixtures f;
  static String key;

  @BeforeAll
  static void fixtures() {
    f =
        Fixtures.create(
            api,
            Fixtures.policy(
                "require_approval",
                new JsonArray()
                    .add(
                        Fixtures.rule(
                            "no-drops",
                            "forbid",
                            new JsonObject()
                                .put("action_contains", new JsonArray().add("drop table"))))));
    key = f.agentKey("coder");
  }

  private JsonObject run(String transport) {
    String java = ProcessHandle.current().info().command().orElse("java");
    NodeScripts.Result r =
        NodeScripts.node(
            PROJECT,
            Map.of(
                "BASE",
                api.base(),
                "KEY",
                key,
                "HUMAN",
                f.human,
                "ROOM",
                f.roomSlug,
                "JAVA",
                java,
                "CP",
                System.getProperty("java.class.path")),
            240,
            "client.mjs",
            transport);
    assertThat(r.ok()).as(r.transcript()).isTrue();
    String[] lines = r.stdout().strip().split("\n");
    JsonObject report = new JsonObject(lines[lines.length - 1]);
    assertThat(report.getString("server")).isEqualTo("waitroom");
    assertThat(report.getJsonArray("tools").getList())
        .containsExactlyElementsOf(
            List.of(
                "waitroom_check_in",
                "waitroom_check_status",
                "waitroom_list_rooms",
                "waitroom_signal",
                "waitroom_watch",
                "waitroom_withdraw"));
    assertThat(report.getString("approved")).isEqualTo("approved");
    assertThat(report.getJsonObject("modified")).isEqualTo(new JsonObject().put("env", "staging"));
    assertThat(report.getString("forbid")).isEqualTo("POLICY_FORBIDS");
    assertThat(report.getString("badRoom")).isEqualTo("NOT_FOUND");
    return report;
  }

  @Test
  void streamableHttpServesEveryToolAndWaitsForTheHumanDecision() {
    assertThat(run("http").getString("noKey")).contains("401");
  }

  @Test
  void sseTransportServesEveryToolAndWaitsForTheHumanDecision() {
    assertThat(run("sse").getString("noKey")).contains("401");
  }

  @Test
  void stdioCommandServesEveryToolByForwardingToTheServer() {
    assertThat(run("stdio").getString("noKey")).contains("UNAUTHORIZED");
  }
}
