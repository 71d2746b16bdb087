package io.waitroom.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The event's check-in and the answers, without a server. */
class HookEventTest {
  static HookEvent event(String tool, JsonObject input) {
    return HookEvent.parse(
        new JsonObject()
            .put("hook_event_name", "PreToolUse")
            .put("tool_name", tool)
            .put("tool_input", input)
            .put("session_id", "s-1")
            .put("tool_use_id", "toolu_1"));
  }

  @Test
  void theActionNamesWhatTheCallIsAboutPerTool() {
    assertThat(event("Bash", new JsonObject().put("command", "ls -la")).action())
        .isEqualTo("Bash: ls -la");
    assertThat(
            event("Edit", new JsonObject().put("file_path", "/a.txt").put("old_string", "x"))
                .action())
        .isEqualTo("Edit: /a.txt");
    assertThat(
            event("WebFetch", new JsonObject().put("url", "https://x.test").put("prompt", "p"))
                .action())
        .isEqualTo("WebFetch: https://x.test");
    assertThat(event("NotebookEdit", new JsonObject().put("notebook_path", "/n.ipynb")).action())
        .isEqualTo("NotebookEdit: /n.ipynb");
    // An MCP tool: the first known field, else the input as JSON.
    assertThat(event("mcp__db__query", new JsonObject().put("sql", "select 1")).action())
        .isEqualTo("mcp__db__query: {\"sql\":\"select 1\"}");
    assertThat(event("TodoWrite", new JsonObject()).action()).isEqualTo("TodoWrite");
    String longCommand = "echo " + "y".repeat(600);
    assertThat(event("Bash", new JsonObject().put("command", longCommand)).action())
        .hasSize(500)
        .endsWith("\u2026");
  }

  @Test
  void theDescriptionIsTheFullInputUnlessTheActionHoldsIt() {
    assertThat(event("Bash", new JsonObject().put("command", "ls")).description()).isNull();
    assertThat(
            event("Bash", new JsonObject().put("command", "ls").put("description", "List"))
                .description())
        .contains("\"description\" : \"List\"");
    assertThat(event("Bash", new JsonObject().put("command", "x".repeat(600))).description())
        .contains("x".repeat(600));
    assertThat(
            event("Write", new JsonObject().put("file_path", "/f").put("content", "z".repeat(9000)))
                .description())
        .hasSize(5000);
  }

  @Test
  void riskIsLowForReadOnlyToolsAndMediumOtherwise() {
    for (String tool : new String[] {"Read", "Grep", "Glob", "LS"}) {
      assertThat(event(tool, new JsonObject()).defaultRisk()).as(tool).isEqualTo("low");
    }
    for (String tool :
        new String[] {
          "Bash", "Write", "Edit", "MultiEdit", "NotebookEdit", "WebFetch", "mcp__x__y"
        }) {
      assertThat(event(tool, new JsonObject()).defaultRisk()).as(tool).isEqualTo("medium");
    }
  }

  @Test
  void theKeyDependsOnSessionAndToolCallAndIsAbsentWithoutAToolCall() {
    String k = event("Bash", new JsonObject()).idempotencyKey();
    assertThat(k).startsWith("claude-code:").hasSizeLessThanOrEqualTo(255);
    assertThat(event("Bash", new JsonObject().put("command", "other")).idempotencyKey())
        .isEqualTo(k);
    HookEvent other =
        HookEvent.parse(
            new JsonObject()
                .put("hook_event_name", "PermissionRequest")
                .put("tool_name", "Bash")
                .put("session_id", "s-1"));
    assertThat(other.idempotencyKey()).isNull();
    assertThat(other.toolInput()).isEqualTo(new JsonObject());
  }

  @Test
  void theContextFitsTenKilobytesAndHoldsNoNul() {
    JsonObject huge = new JsonObject();
    for (int i = 0; i < 200; i++) huge.put("k" + i, "v".repeat(300));
    JsonObject context = event("Write", huge.put("nul", "a\0b")).context();
    assertThat(context.encode().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(10240);
    assertThat(context.getBoolean("truncated")).isTrue();
    assertThat(context.getString("source")).isEqualTo("claude-code");
    assertThat(context.encode()).doesNotContain("\\u0000");
  }

  @Test
  void badEventsNameTheField() {
    assertThatThrownBy(() -> HookEvent.parse(new JsonObject().put("tool_name", "Bash")))
        .isInstanceOf(ApiException.class)
        .hasMessageStartingWith("hook_event_name");
    assertThatThrownBy(
            () ->
                HookEvent.parse(
                    new JsonObject().put("hook_event_name", "Stop").put("tool_name", "Bash")))
        .hasMessageStartingWith("hook_event_name");
  }

  @Test
  void modificationsReplaceTopLevelFieldsAndNullRemovesOne() {
    JsonObject input =
        new JsonObject().put("command", "a").put("timeout", 5).put("description", "d");
    assertThat(
            HookAnswer.applied(
                input, new JsonObject().put("command", "b").putNull("timeout").put("new", true)))
        .isEqualTo(new JsonObject().put("command", "b").put("description", "d").put("new", true));
    assertThat(input.getString("command")).isEqualTo("a");
  }

  @Test
  void aPermissionRequestAskIsNoDecisionButAMessage() {
    HookEvent pr =
        HookEvent.parse(
            new JsonObject().put("hook_event_name", "PermissionRequest").put("tool_name", "Bash"));
    assertThat(HookAnswer.of("ask", "why").toJson(pr))
        .isEqualTo(new JsonObject().put("systemMessage", "why"));
    assertThat(HookAnswer.deny("no").toJson(pr).getJsonObject("hookSpecificOutput"))
        .isEqualTo(
            new JsonObject()
                .put("hookEventName", "PermissionRequest")
                .put("decision", new JsonObject().put("behavior", "deny").put("message", "no")));
  }
}
