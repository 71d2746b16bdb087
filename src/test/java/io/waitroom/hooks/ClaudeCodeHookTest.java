package io.waitroom.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/hooks/claude-code} driven over HTTP with the body Claude Code posts for a
 * PreToolUse (and PermissionRequest) event: a human's approval, rejection or modification during
 * the wait, the room's policies and grants answering at once, the timeout (withdrawn), retries of
 * the same tool call, the context, and the API's errors.
 */
class ClaudeCodeHookTest extends ServerTest {
  static Fixtures f;
  static String key;

  @BeforeAll
  static void fixtures() {
    // The README's pleasant policy: read-only tools pass, rm -rf / never does.
    f =
        Fixtures.create(
            api,
            Fixtures.policy(
                "require_approval",
                new JsonArray()
                    .add(
                        Fixtures.rule(
                            "no-root-wipe",
                            "forbid",
                            new JsonObject()
                                .put("action_matches", "rm\\s+-(rf|fr)\\s+/(\\s|\\*|$)")))
                    .add(
                        Fixtures.rule(
                            "read-only-tools",
                            "auto_approve",
                            new JsonObject()
                                .put(
                                    "context",
                                    new JsonObject()
                                        .put(
                                            "tool_name",
                                            new JsonArray()
                                                .add("Read")
                                                .add("Grep")
                                                .add("Glob")
                                                .add("LS")))))));
    key = f.agentKey("claude-code");
  }

  /** A PreToolUse event as Claude Code posts it (its hooks reference's shape). */
  static JsonObject preToolUse(String toolName, JsonObject toolInput) {
    return new JsonObject()
        .put("session_id", UUID.randomUUID().toString())
        .put(
            "transcript_path",
            "/home/dev/.claude/projects/my-app/00893aaf-19fa-41d2-8238-13269b9b3ca0.jsonl")
        .put("cwd", "/home/dev/my-app")
        .put("permission_mode", "default")
        .put("hook_event_name", "PreToolUse")
        .put("tool_name", toolName)
        .put("tool_input", toolInput)
        .put("tool_use_id", "toolu_01" + UUID.randomUUID().toString().replace("-", ""));
  }

  static JsonObject bash(String command) {
    return preToolUse(
        "Bash",
        new JsonObject()
            .put("command", command)
            .put("description", "Run it")
            .put("timeout", 120000));
  }

  static String path(String query) {
    return "/v1/hooks/claude-code?room=" + f.roomSlug + (query.isEmpty() ? "" : "&" + query);
  }

  static Res hook(String query, JsonObject event) {
    return api.post(path(query), key, event);
  }

  static CompletableFuture<Res> hookAsync(String query, JsonObject event) {
    return api.sendAsync("POST", path(query), key, event, Map.of());
  }

  static JsonObject output(Res r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().getJsonObject("hookSpecificOutput");
  }

  /** The pending check-in with this action, once the hook has created it. */
  static JsonObject awaitPending(String action) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      Res r = api.get("/v1/rooms/" + f.roomSlug + "/pending?limit=100", f.human);
      for (Object o : r.list()) {
        JsonObject ci = (JsonObject) o;
        if (ci.getString("action").equals(action)) return ci;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no pending check-in " + action);
  }

  static Res get(String id) {
    return api.get("/v1/check-ins/" + id, f.human);
  }

  @Test
  void aHumanApprovalDuringTheWaitAllowsTheToolCall() throws Exception {
    CompletableFuture<Res> answer = hookAsync("wait=30", bash("npm publish --dry-run"));
    JsonObject ci = awaitPending("Bash: npm publish --dry-run");
    assertThat(answer).isNotDone();
    String alice =
        TestServer.token(
            new JsonObject().put("org_id", f.org).put("sub", "alice-b").put("name", "Alice B"),
            3600);
    Res approved =
        api.post(
            "/v1/check-ins/" + ci.getString("id") + "/approve",
            alice,
            new JsonObject().put("reason", "ship it"));
    assertThat(approved.status()).as(approved.toString()).isEqualTo(200);

    Res r = answer.get(10, TimeUnit.SECONDS);
    JsonObject out = output(r);
    assertThat(out.getString("hookEventName")).isEqualTo("PreToolUse");
    assertThat(out.getString("permissionDecision")).isEqualTo("allow");
    assertThat(out.getString("permissionDecisionReason"))
        .contains("Approved in Waitroom by Alice B (usr_")
        .contains("ship it")
        .contains(ci.getString("id"));
    assertThat(out.containsKey("updatedInput")).isFalse();
    assertThat(r.header("X-Waitroom-Check-In")).isEqualTo(ci.getString("id"));
    // The check-in is an ordinary one: medium risk for Bash, the full input as description.
    assertThat(ci.getString("risk_level")).isEqualTo("medium");
    assertThat(ci.getString("description")).contains("\"description\" : \"Run it\"");
  }

  @Test
  void aRejectionDeniesWithTheHumansReason() throws Exception {
    CompletableFuture<Res> answer = hookAsync("wait=30", bash("git push --force origin main"));
    JsonObject ci = awaitPending("Bash: git push --force origin main");
    api.post(
        "/v1/check-ins/" + ci.getString("id") + "/reject",
        f.human,
        new JsonObject().put("reason", "never force-push main; open a pull request"));

    JsonObject out = output(answer.get(10, TimeUnit.SECONDS));
    assertThat(out.getString("permissionDecision")).isEqualTo("deny");
    assertThat(out.getString("permissionDecisionReason"))
        .startsWith("Rejected in Waitroom by")
        .contains("never force-push main; open a pull request");
  }

  @Test
  void aModificationAllowsWithTheInputChangedTopLevelFieldsReplaced() throws Exception {
    JsonObject event = bash("rm -rf build/");
    CompletableFuture<Res> answer = hookAsync("wait=30", event);
    JsonObject ci = awaitPending("Bash: rm -rf build/");
    Res modified =
        api.post(
            "/v1/check-ins/" + ci.getString("id") + "/modify",
            f.human,
            new JsonObject()
                .put("reason", "only the temporary files")
                .put("modifications", new JsonObject().put("command", "rm -rf build/tmp")));
    assertThat(modified.status()).as(modified.toString()).isEqualTo(200);

    JsonObject out = output(answer.get(10, TimeUnit.SECONDS));
    assertThat(out.getString("permissionDecision")).isEqualTo("allow");
    assertThat(out.getJsonObject("updatedInput"))
        .isEqualTo(
            new JsonObject()
                .put("command", "rm -rf build/tmp")
                .put("description", "Run it")
                .put("timeout", 120000));
    assertThat(out.getString("permissionDecisionReason"))
        .contains("command set to rm -rf build/tmp")
        .contains("only the temporary files");
  }

  @Test
  void aPolicyThatApprovesReadOnlyToolsAllowsAtOnceWithoutAHuman() {
    JsonObject event =
        preToolUse("Read", new JsonObject().put("file_path", "/home/dev/my-app/README.md"));
    Instant start = Instant.now();
    Res r = hook("wait=30", event);
    JsonObject out = output(r);
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(out.getString("permissionDecision")).isEqualTo("allow");
    assertThat(out.getString("permissionDecisionReason"))
        .contains("room policy rule read-only-tools");
    JsonObject ci = get(r.header("X-Waitroom-Check-In")).data();
    assertThat(ci.getString("status")).isEqualTo("approved");
    assertThat(ci.getString("action")).isEqualTo("Read: /home/dev/my-app/README.md");
    // Read-only tools default to low risk; ?risk= fixes the level.
    assertThat(ci.getString("risk_level")).isEqualTo("low");
    Res high = hook("wait=30&risk=high", preToolUse("Grep", new JsonObject().put("pattern", "x")));
    assertThat(get(high.header("X-Waitroom-Check-In")).data().getString("risk_level"))
        .isEqualTo("high");
  }

  @Test
  void aForbidRuleDeniesAtOnce() {
    Instant start = Instant.now();
    Res r = hook("wait=30", bash("sudo rm -rf /"));
    JsonObject out = output(r);
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(out.getString("permissionDecision")).isEqualTo("deny");
    assertThat(out.getString("permissionDecisionReason"))
        .startsWith("Forbidden in Waitroom by room policy rule no-root-wipe");
    JsonObject ci = get(r.header("X-Waitroom-Check-In")).data();
    assertThat(ci.getString("status")).isEqualTo("rejected");
  }

  @Test
  void aStandingGrantForNpmTestAllowsItWithoutAHuman() {
    Res grant =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/grants",
            f.human,
            new JsonObject()
                .put(
                    "conditions",
                    new JsonObject()
                        .put(
                            "context",
                            new JsonObject()
                                .put("tool_input.command", new JsonArray().add("npm test"))))
                .put("expires_at", Instant.now().plus(Duration.ofDays(30)).toString())
                .put("reason", "tests are always fine"));
    assertThat(grant.status()).as(grant.toString()).isEqualTo(201);
    JsonObject out = output(hook("wait=30", bash("npm test")));
    assertThat(out.getString("permissionDecision")).isEqualTo("allow");
    assertThat(out.getString("permissionDecisionReason"))
        .contains("standing grant " + grant.data().getString("id") + " (tests are always fine)");
    // Another command is not covered by the grant: it waits (and times out here).
    assertThat(
            output(hook("wait=1", bash("npm test -- --update-snapshots")))
                .getString("permissionDecision"))
        .isEqualTo("ask");
  }

  @Test
  void noDecisionWithinTheWaitAsksAndWithdrawsTheCheckIn() {
    Instant start = Instant.now();
    Res r = hook("wait=1", bash("terraform apply"));
    JsonObject out = output(r);
    assertThat(Duration.between(start, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    String id = r.header("X-Waitroom-Check-In");
    assertThat(out.getString("permissionDecision")).isEqualTo("ask");
    assertThat(out.getString("permissionDecisionReason"))
        .contains("No decision in Waitroom within 1 s")
        .contains(id);
    assertThat(get(id).data().getString("status")).isEqualTo("withdrawn");

    // on_timeout=deny denies instead.
    Res denied = hook("wait=1&on_timeout=deny", bash("terraform destroy"));
    assertThat(output(denied).getString("permissionDecision")).isEqualTo("deny");
    assertThat(get(denied.header("X-Waitroom-Check-In")).data().getString("status"))
        .isEqualTo("withdrawn");
  }

  @Test
  void theSameSessionAndToolUseIdIsOneCheckIn() throws Exception {
    JsonObject event = bash("docker system prune -af");
    List<CompletableFuture<Res>> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) answers.add(hookAsync("wait=30", event));
    JsonObject ci = awaitPending("Bash: docker system prune -af");
    api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
    for (CompletableFuture<Res> a : answers) {
      Res r = a.get(10, TimeUnit.SECONDS);
      assertThat(output(r).getString("permissionDecision")).isEqualTo("allow");
      assertThat(r.header("X-Waitroom-Check-In")).isEqualTo(ci.getString("id"));
    }
    // A later retry of the same call answers the same decision at once.
    Res again = hook("wait=30", event);
    assertThat(output(again).getString("permissionDecision")).isEqualTo("allow");
    assertThat(again.header("X-Waitroom-Check-In")).isEqualTo(ci.getString("id"));
    long count =
        api.all("/v1/rooms/" + f.roomSlug + "/pending?status=approved", f.human, 100).stream()
            .filter(o -> o.getString("action").equals("Bash: docker system prune -af"))
            .count();
    assertThat(count).isEqualTo(1);
    // Another tool call of the same session is another check-in.
    JsonObject next = event.copy().put("tool_use_id", "toolu_01other" + UUID.randomUUID());
    Res other = hook("wait=1", next);
    assertThat(other.header("X-Waitroom-Check-In")).isNotEqualTo(ci.getString("id"));
  }

  @Test
  void unknownFieldsAreKeptInTheContext() {
    JsonObject event =
        bash("make release")
            .put("agent_type", "code-reviewer")
            .put("future_field", new JsonObject().put("nested", new JsonArray().add(1).add("two")));
    Res r = hook("wait=1", event);
    JsonObject context = get(r.header("X-Waitroom-Check-In")).data().getJsonObject("context");
    assertThat(context.getString("source")).isEqualTo("claude-code");
    assertThat(context.getString("tool_name")).isEqualTo("Bash");
    assertThat(context.getJsonObject("tool_input")).isEqualTo(event.getJsonObject("tool_input"));
    assertThat(context.getString("cwd")).isEqualTo("/home/dev/my-app");
    assertThat(context.getString("session_id")).isEqualTo(event.getString("session_id"));
    assertThat(context.getString("tool_use_id")).isEqualTo(event.getString("tool_use_id"));
    assertThat(context.getString("permission_mode")).isEqualTo("default");
    assertThat(context.getString("agent_type")).isEqualTo("code-reviewer");
    assertThat(context.getJsonObject("future_field"))
        .isEqualTo(event.getJsonObject("future_field"));
  }

  @Test
  void aLargeInputIsShortenedIntoTheCheckInInsteadOfRefused() {
    // Over the API's 64 KB: the hook takes up to 1 MB, so a large Write is asked about too.
    String content = "x".repeat(300_000);
    String longPath = "/home/dev/my-app/" + "deep/".repeat(150) + "file.txt";
    Res r =
        hook(
            "wait=1",
            preToolUse(
                "Write", new JsonObject().put("file_path", longPath).put("content", content)));
    assertThat(output(r).getString("permissionDecision")).isEqualTo("ask");
    JsonObject ci = get(r.header("X-Waitroom-Check-In")).data();
    assertThat(ci.getString("action")).hasSize(500).startsWith("Write: /home/dev/my-app/deep/");
    assertThat(ci.getString("description")).hasSize(5000);
    assertThat(ci.getJsonObject("context").getBoolean("truncated")).isTrue();
    assertThat(ci.getJsonObject("context").encode().length()).isLessThanOrEqualTo(10 * 1024);

    Res tooLarge =
        hook(
            "wait=1",
            preToolUse(
                "Write",
                new JsonObject().put("file_path", "/a").put("content", "x".repeat(1_100_000))));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.error().getString("message")).contains("1 MB");
    // Elsewhere the limit stays 64 KB.
    Res elsewhere =
        f.checkIn(key, new JsonObject().put("action", "x").put("description", "x".repeat(70_000)));
    assertThat(elsewhere.status()).isEqualTo(413);
    assertThat(elsewhere.error().getString("message")).contains("64 KB");
  }

  @Test
  void aPermissionRequestIsAnsweredInThatEventsShape() throws Exception {
    JsonObject event =
        preToolUse("Bash", new JsonObject().put("command", "kubectl delete pod web-1"))
            .put("hook_event_name", "PermissionRequest")
            .put(
                "permission_suggestions",
                new JsonArray()
                    .add(new JsonObject().put("type", "toolAlwaysAllow").put("tool", "Bash")));
    event.remove("tool_use_id"); // PermissionRequest carries none
    CompletableFuture<Res> answer = hookAsync("wait=30", event);
    JsonObject ci = awaitPending("Bash: kubectl delete pod web-1");
    api.post(
        "/v1/check-ins/" + ci.getString("id") + "/modify",
        f.human,
        new JsonObject()
            .put("reason", "the canary only")
            .put(
                "modifications", new JsonObject().put("command", "kubectl delete pod web-canary")));
    JsonObject out = output(answer.get(10, TimeUnit.SECONDS));
    assertThat(out.getString("hookEventName")).isEqualTo("PermissionRequest");
    assertThat(out.getJsonObject("decision"))
        .isEqualTo(
            new JsonObject()
                .put("behavior", "allow")
                .put(
                    "updatedInput",
                    new JsonObject().put("command", "kubectl delete pod web-canary")));

    CompletableFuture<Res> rejected = hookAsync("wait=30", event);
    ci = awaitPending("Bash: kubectl delete pod web-1");
    api.post(
        "/v1/check-ins/" + ci.getString("id") + "/reject",
        f.human,
        new JsonObject().put("reason", "not in business hours"));
    JsonObject decision = output(rejected.get(10, TimeUnit.SECONDS)).getJsonObject("decision");
    assertThat(decision.getString("behavior")).isEqualTo("deny");
    assertThat(decision.getString("message")).contains("not in business hours");

    // No decision: no hookSpecificOutput, so Claude Code shows its own permission dialog.
    Res timedOut = hook("wait=1", event);
    assertThat(timedOut.status()).isEqualTo(200);
    assertThat(timedOut.json().containsKey("hookSpecificOutput")).isFalse();
    assertThat(timedOut.json().getString("systemMessage"))
        .contains(timedOut.header("X-Waitroom-Check-In"));
  }

  @Test
  void aClientThatGoesAwayHasItsCheckInWithdrawn() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api.base() + path("wait=60")))
            .timeout(Duration.ofSeconds(1))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(bash("helm uninstall web").encode()))
            .build();
    CompletableFuture<HttpResponse<String>> sent =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    JsonObject ci = awaitPending("Bash: helm uninstall web");
    try {
      sent.get(10, TimeUnit.SECONDS);
      throw new AssertionError("the request should have timed out");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(HttpTimeoutException.class);
    }
    String status = null;
    for (int i = 0; i < 100 && !"withdrawn".equals(status); i++) {
      Thread.sleep(100);
      status = get(ci.getString("id")).data().getString("status");
    }
    assertThat(status).isEqualTo("withdrawn");
  }

  @Test
  void badRequestsGetTheApiErrorEnvelope() {
    JsonObject event = bash("ls");
    Res noRoom = api.post("/v1/hooks/claude-code", key, event);
    assertThat(noRoom.status()).isEqualTo(400);
    assertThat(noRoom.error().getString("message")).startsWith("room");
    for (String wait : new String[] {"0", "601", "soon"}) {
      Res r = hook("wait=" + wait, event);
      assertThat(r.status()).as(wait).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo("wait");
    }
    Res onTimeout = hook("on_timeout=allow", event);
    assertThat(onTimeout.status()).isEqualTo(400);
    assertThat(onTimeout.error().getJsonObject("details").getString("field"))
        .isEqualTo("on_timeout");
    Res risk = hook("risk=extreme", event);
    assertThat(risk.error().getJsonObject("details").getString("field")).isEqualTo("risk");
    Res post = hook("", event.copy().put("hook_event_name", "PostToolUse"));
    assertThat(post.status()).isEqualTo(400);
    assertThat(post.error().getJsonObject("details").getString("field"))
        .isEqualTo("hook_event_name");
    Res noTool = hook("", event.copy().put("tool_name", null));
    assertThat(noTool.error().getJsonObject("details").getString("field")).isEqualTo("tool_name");
    Res badInput = hook("", event.copy().put("tool_input", "rm -rf /"));
    assertThat(badInput.error().getJsonObject("details").getString("field"))
        .isEqualTo("tool_input");
    Res notJson = hook("", (Object) "{not json");
    assertThat(notJson.status()).isEqualTo(400);

    Res unknownRoom = api.post("/v1/hooks/claude-code?room=no-such-room", key, event);
    assertThat(unknownRoom.status()).isEqualTo(404);
    assertThat(unknownRoom.code()).isEqualTo("NOT_FOUND");
    // Another org's room is not found either.
    Fixtures other = Fixtures.create(api);
    Res tenancy = api.post("/v1/hooks/claude-code?room=" + other.room.getString("id"), key, event);
    assertThat(tenancy.status()).isEqualTo(404);

    Res badKey = api.post(path(""), "wr_" + "x".repeat(40), event);
    assertThat(badKey.status()).isEqualTo(401);
    assertThat(badKey.code()).isEqualTo("UNAUTHORIZED");
    Res human = api.post(path(""), f.human, event);
    assertThat(human.status()).isEqualTo(403);
  }

  static Res hook(String query, Object raw) {
    return api.post(path(query), key, raw);
  }

  @Test
  void aWaitLongerThanTheIdleTimeoutKeepsTheConnectionAlive() {
    // Idle connections are cut after 2 s here (twice the 1 s stream ping): a 5 s wait outlives it.
    try (TestServer s =
        TestServer.start(
            Map.of("WAITROOM_HTTP_IDLE_TIMEOUT_SECONDS", "2", "WAITROOM_STREAM_PING_MS", "1000"))) {
      Fixtures g = Fixtures.create(s.api);
      String k = g.agentKey("slow");
      Api.Res r =
          s.api.post(
              "/v1/hooks/claude-code?room=" + g.roomSlug + "&wait=5", k, bash("make deploy"));
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.raw()).startsWith(" ");
      JsonObject out = r.json().getJsonObject("hookSpecificOutput");
      assertThat(out.getString("permissionDecision")).isEqualTo("ask");
      assertThat(out.getString("permissionDecisionReason")).contains("within 5 s");
    }
  }
}
