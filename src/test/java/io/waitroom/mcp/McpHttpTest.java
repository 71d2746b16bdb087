package io.waitroom.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.cli.WaitroomCommand;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.SseClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP endpoints' edges over raw HTTP: auth before any session, Origin, JSON-RPC parse and shape
 * errors, the 64 KB limit, session rules (missing 400, unknown / another agent's 404, bounded per
 * agent), version negotiation, validation messages per protocol revision, the API's 403 for
 * unclaimed agents as a tool error, cancellation of a wait, resumable tool-call streams (priming
 * event, {@code Last-Event-ID}), the wait bound and metrics.
 */
class McpHttpTest extends ServerTest {
  static final String STREAM = "application/json, text/event-stream";
  static Fixtures f;
  static String key;

  @BeforeAll
  static void fixtures() {
    f = Fixtures.create(api);
    key = f.agentKey("edges");
  }

  static JsonObject request(Object id, String method, JsonObject params) {
    return new JsonObject()
        .put("jsonrpc", "2.0")
        .put("id", id)
        .put("method", method)
        .put("params", params);
  }

  static JsonObject init(String version) {
    return request(
        0,
        "initialize",
        new JsonObject()
            .put("protocolVersion", version)
            .put("capabilities", new JsonObject())
            .put("clientInfo", new JsonObject().put("name", "t").put("version", "1")));
  }

  /** A new session at the given revision; returns its id. */
  static String session(String credential, String version) {
    Res r = api.send("POST", "/mcp", credential, init(version), Map.of("Accept", STREAM));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.header("Mcp-Session-Id");
  }

  static Res post(String credential, String session, Object body) {
    Map<String, String> h = new HashMap<>(Map.of("Accept", "application/json"));
    if (session != null) h.put("Mcp-Session-Id", session);
    return api.send("POST", "/mcp", credential, body, h);
  }

  static JsonObject toolCall(Object id, String tool, JsonObject args) {
    return request(id, "tools/call", new JsonObject().put("name", tool).put("arguments", args));
  }

  @Test
  void missingOrBadKeyIs401AndHumanTokenIs403BeforeAnySession() {
    Res none = api.send("POST", "/mcp", null, init("2025-11-25"), Map.of("Accept", STREAM));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.code()).isEqualTo("UNAUTHORIZED");
    assertThat(none.header("Mcp-Session-Id")).isNull();
    assertThat(api.get("/sse", null).status()).isEqualTo(401);
    assertThat(post("wr_" + "y".repeat(40), null, init("2025-11-25")).status()).isEqualTo(401);
    Res human = post(f.human, null, init("2025-11-25"));
    assertThat(human.status()).isEqualTo(403);
    assertThat(human.error().getString("message")).contains("agent key");
  }

  @Test
  void foreignOriginIs403AndSameOriginIsServed() {
    Res evil =
        api.send(
            "POST",
            "/mcp",
            key,
            init("2025-11-25"),
            Map.of("Accept", STREAM, "Origin", "http://evil.example"));
    assertThat(evil.status()).isEqualTo(403);
    assertThat(evil.code()).isEqualTo("FORBIDDEN");
    assertThat(evil.error().getString("message")).contains("Origin");
    Res same =
        api.send(
            "POST",
            "/mcp",
            key,
            init("2025-11-25"),
            Map.of("Accept", STREAM, "Origin", api.base()));
    assertThat(same.status()).as(same.toString()).isEqualTo(200);
  }

  @Test
  void malformedJsonRpcIsAJsonRpcErrorNotA500() {
    Res r = post(key, null, "{\"jsonrpc\": \"2.0\", \"id\": 1, ");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(-32700);
    Res wrong = post(key, null, new JsonObject().put("jsonrpc", "1.0").put("method", "ping"));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.json().getJsonObject("error").getInteger("code")).isEqualTo(-32600);
    String s = session(key, "2025-11-25");
    Res unknown = post(key, s, request(5, "resources/list", new JsonObject()));
    assertThat(unknown.json().getJsonObject("error").getInteger("code")).isEqualTo(-32601);
    Res badTool = post(key, s, toolCall(6, "nope", new JsonObject()));
    assertThat(badTool.json().getJsonObject("error").getInteger("code")).isEqualTo(-32602);
  }

  @Test
  void bodyOver64KbIs413() {
    String s = session(key, "2025-11-25");
    JsonObject big =
        toolCall(
            1,
            McpTools.SIGNAL,
            new JsonObject()
                .put("room", f.roomSlug)
                .put("type", "t")
                .put("payload", new JsonObject().put("x", "z".repeat(70 * 1024))));
    Res r = post(key, s, big);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.code()).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  void argumentsFailingValidationGetTheApiMessageNamingTheField() {
    JsonObject longAction =
        toolCall(
            1,
            McpTools.CHECK_IN,
            new JsonObject().put("room", f.roomSlug).put("action", "a".repeat(501)));
    // 2025-11-25: a tool error, so the model can correct itself.
    Res now = post(key, session(key, "2025-11-25"), longAction);
    JsonObject result = now.json().getJsonObject("result");
    assertThat(result.getBoolean("isError")).isTrue();
    assertThat(text(result, 0))
        .startsWith("VALIDATION_ERROR (400): action: must be at most 500 characters");
    // Older revisions: a JSON-RPC invalid-params error with the same message.
    Res old = post(key, session(key, "2025-06-18"), longAction);
    JsonObject error = old.json().getJsonObject("error");
    assertThat(error.getInteger("code")).isEqualTo(-32602);
    assertThat(error.getString("message")).isEqualTo("action: must be at most 500 characters");
    assertThat(error.getJsonObject("data").getJsonObject("details").getString("field"))
        .isEqualTo("action");
    // MCP's own parameters speak the same language.
    Res wait =
        post(
            key,
            session(key, "2025-11-25"),
            toolCall(
                2,
                McpTools.CHECK_STATUS,
                new JsonObject().put("check_in_id", "ci_x").put("wait_seconds", 601)));
    assertThat(text(wait.json().getJsonObject("result"), 0))
        .startsWith("VALIDATION_ERROR (400): wait_seconds: must be between 0 and 600");
    Res path =
        post(
            key,
            session(key, "2025-11-25"),
            toolCall(3, McpTools.WITHDRAW, new JsonObject().put("check_in_id", "../agents/me")));
    assertThat(text(path.json().getJsonObject("result"), 0))
        .startsWith("VALIDATION_ERROR (400): check_in_id: must be a slug or id");
  }

  @Test
  void unclaimedAgentGetsTheApisForbiddenAsAToolError() {
    Res reg = api.post("/v1/agents/self-register", null, new JsonObject().put("name", "stray"));
    assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
    String stray = reg.data().getString("api_key");
    String s = session(stray, "2025-11-25");
    Res r = post(stray, s, toolCall(1, McpTools.LIST_ROOMS, new JsonObject()));
    JsonObject result = r.json().getJsonObject("result");
    assertThat(result.getBoolean("isError")).isTrue();
    assertThat(text(result, 0)).startsWith("FORBIDDEN (403): this agent is not claimed yet");
    assertThat(new JsonObject(text(result, 1)).getJsonObject("error").getInteger("statusCode"))
        .isEqualTo(403);
  }

  @Test
  void sessionsAreRequiredOwnedNegotiatedAndEndable() {
    assertThat(post(key, null, request(1, "ping", new JsonObject())).status()).isEqualTo(400);
    Res unknown = post(key, "mcps_unknown", request(1, "ping", new JsonObject()));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getJsonObject("error").getInteger("code")).isEqualTo(-32001);
    String s = session(key, "2024-11-05");
    assertThat(post(key, s, request(1, "ping", new JsonObject())).status()).isEqualTo(200);
    // Another agent of the same org cannot use it.
    assertThat(post(f.agentKey("other"), s, request(1, "ping", new JsonObject())).status())
        .isEqualTo(404);
    Res badVersion =
        api.send(
            "POST",
            "/mcp",
            key,
            request(2, "ping", new JsonObject()),
            Map.of("Mcp-Session-Id", s, "MCP-Protocol-Version", "1999-01-01"));
    assertThat(badVersion.status()).isEqualTo(400);
    // Negotiation: a supported revision is echoed, an unknown one gets the newest.
    Res old = post(key, null, init("2024-11-05"));
    assertThat(old.json().getJsonObject("result").getString("protocolVersion"))
        .isEqualTo("2024-11-05");
    Res future = post(key, null, init("2099-01-01"));
    assertThat(future.json().getJsonObject("result").getString("protocolVersion"))
        .isEqualTo("2025-11-25");
    // Notifications are accepted without an answer.
    Res note =
        post(
            key,
            s,
            new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
    assertThat(note.status()).isEqualTo(202);
    Res deleted = api.send("DELETE", "/mcp", key, null, Map.of("Mcp-Session-Id", s));
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(post(key, s, request(3, "ping", new JsonObject())).status()).isEqualTo(404);
    // The HTTP+SSE message endpoint has the same rules.
    assertThat(api.post("/messages", key, request(1, "ping", new JsonObject())).status())
        .isEqualTo(400);
    assertThat(
            api.post("/messages?sessionId=nope", key, request(1, "ping", new JsonObject()))
                .status())
        .isEqualTo(404);
  }

  @Test
  void sessionsPerAgentAreBoundedOldestFirst() {
    String agent = f.agentKey("many");
    String first = session(agent, "2025-11-25");
    for (int i = 0; i < McpSessions.MAX_SESSIONS_PER_AGENT; i++) session(agent, "2025-11-25");
    assertThat(post(agent, first, request(1, "ping", new JsonObject())).status()).isEqualTo(404);
  }

  @Test
  void aCancelledWaitStopsWaitingAndIsNotAnswered() throws Exception {
    String s = session(key, "2025-11-25");
    int before = server.server().deps().waiters().size();
    CompletableFuture<Res> waiting =
        api.sendAsync(
            "POST",
            "/mcp",
            key,
            toolCall(
                "w1",
                McpTools.CHECK_IN,
                new JsonObject()
                    .put("room", f.roomSlug)
                    .put("action", "wait then cancel")
                    .put("wait_for_decision", true)
                    .put("wait_seconds", 120)),
            Map.of("Accept", STREAM, "Mcp-Session-Id", s));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (server.server().deps().waiters().size() == before && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.server().deps().waiters().size()).isEqualTo(before + 1);
    Res cancel =
        post(
            key,
            s,
            new JsonObject()
                .put("jsonrpc", "2.0")
                .put("method", "notifications/cancelled")
                .put("params", new JsonObject().put("requestId", "w1").put("reason", "user")));
    assertThat(cancel.status()).isEqualTo(202);
    Res stream = waiting.get(20, TimeUnit.SECONDS);
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
    assertThat(stream.raw()).doesNotContain("\"result\"");
    assertThat(server.server().deps().waiters().size()).isEqualTo(before);
    assertThat(api.get("/metrics", null).raw())
        .contains(
            "waitroom_mcp_tool_calls_total{outcome=\"cancelled\",tool=\"waitroom_check_in\"}");
  }

  @Test
  void aDroppedToolCallStreamKeepsWaitingAndAReconnectWithLastEventIdGetsTheMissedResult()
      throws Exception {
    String s = session(key, "2025-11-25");
    String id = f.pendingCheckIn(key, "resume after a drop").getString("id");
    int before = server.server().deps().waiters().size();
    // On a raw socket, so that closing it surely drops the connection.
    String primingId;
    try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
      String body =
          toolCall(
                  "r1",
                  McpTools.CHECK_STATUS,
                  new JsonObject().put("check_in_id", id).put("wait_seconds", 60))
              .encode();
      socket
          .getOutputStream()
          .write(
              ("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:"
                      + server.server().port()
                      + "\r\nAuthorization: Bearer "
                      + key
                      + "\r\nMcp-Session-Id: "
                      + s
                      + "\r\nAccept: "
                      + STREAM
                      + "\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.UTF_8));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      for (String line; (line = in.readLine()) != null && !line.startsWith("data:"); ) {
        lines.add(line);
      }
      assertThat(lines.get(0)).contains("200");
      // The priming event: an id, the retry interval and empty data.
      primingId = field(lines, "id: ");
      assertThat(primingId).isNotBlank();
      assertThat(field(lines, "retry: ")).isEqualTo("1000");
      awaitWaiters(before + 1);
    }
    // The connection dropped: the wait goes on (no cancellation) ...
    Thread.sleep(500);
    assertThat(server.server().deps().waiters().size()).isEqualTo(before + 1);
    assertThat(api.post("/v1/check-ins/" + id + "/approve", f.human, null).status()).isEqualTo(200);
    // ... and a reconnect with the last event id gets the response it missed, then the end.
    SseClient resumed =
        SseClient.open(
            api.base() + "/mcp", key, Map.of("Mcp-Session-Id", s, "Last-Event-ID", primingId));
    assertThat(resumed.status).isEqualTo(200);
    SseClient.Frame result = resumed.nextEvent(10_000);
    assertThat(result).isNotNull();
    assertThat(result.id()).isNotEqualTo(primingId);
    assertThat(result.id().substring(0, result.id().lastIndexOf('-')))
        .isEqualTo(primingId.substring(0, primingId.lastIndexOf('-')));
    JsonObject response = result.json();
    assertThat(response.getValue("id")).isEqualTo("r1");
    assertThat(
            response.getJsonObject("result").getJsonObject("structuredContent").getString("status"))
        .isEqualTo("approved");
    assertThat(resumed.endsWithin(5_000)).isTrue();
    // A reconnect after the response: nothing more to replay, the stream ends at once.
    SseClient late =
        SseClient.open(
            api.base() + "/mcp", key, Map.of("Mcp-Session-Id", s, "Last-Event-ID", result.id()));
    SseClient.Frame end = late.nextFrame(2_000);
    assertThat(end).isNotNull();
    assertThat(end.end()).as(String.valueOf(end)).isTrue();
    // An id this session never gave out: the session's plain stream, which replays nothing.
    SseClient unknown =
        SseClient.open(
            api.base() + "/mcp", key, Map.of("Mcp-Session-Id", s, "Last-Event-ID", "s999-3"));
    assertThat(unknown.status).isEqualTo(200);
    assertThat(unknown.nextEvent(1_000)).isNull();
    unknown.close();
  }

  @Test
  void toolErrorsStreamWithAPrimingEventTooButOlderRevisionsGetNone() {
    for (String version : new String[] {"2025-11-25", "2025-06-18"}) {
      String s = session(key, version);
      SseClient c =
          SseClient.post(
              api.base() + "/mcp",
              key,
              Map.of("Accept", STREAM, "Mcp-Session-Id", s),
              toolCall(
                  "e1", McpTools.WITHDRAW, new JsonObject().put("check_in_id", "ci_nosuchthing")));
      SseClient.Frame firstEvent = c.nextEvent(5_000);
      if (version.equals("2025-11-25")) {
        assertThat(firstEvent.data()).isEmpty();
        assertThat(firstEvent.retry()).isEqualTo("1000");
        firstEvent = c.nextEvent(5_000);
      }
      JsonObject result = firstEvent.json().getJsonObject("result");
      assertThat(result.getBoolean("isError")).as(version).isTrue();
      assertThat(firstEvent.id()).isNotBlank();
      assertThat(c.endsWithin(5_000)).isTrue();
    }
  }

  private static String field(List<String> lines, String prefix) {
    return lines.stream()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .findFirst()
        .orElse(null);
  }

  private static void awaitWaiters(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (server.server().deps().waiters().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.server().deps().waiters().size()).isEqualTo(n);
  }

  @Test
  void theWaitIsBoundedAndSaysHowToKeepWaiting() {
    String s = session(key, "2025-11-25");
    Res r =
        post(
            key,
            s,
            toolCall(
                1,
                McpTools.CHECK_IN,
                new JsonObject()
                    .put("room", f.roomSlug)
                    .put("action", "nobody answers")
                    .put("wait_for_decision", true)
                    .put("wait_seconds", 1)));
    JsonObject result = r.json().getJsonObject("result");
    assertThat(result.getJsonObject("structuredContent").getString("status")).isEqualTo("pending");
    assertThat(text(result, 0))
        .contains("Still pending after waiting")
        .contains("waitroom_check_status");
    String metrics = api.get("/metrics", null).raw();
    assertThat(metrics)
        .contains("waitroom_mcp_tool_calls_total{outcome=\"ok\",tool=\"waitroom_check_in\"}")
        .contains("waitroom_mcp_sessions_open{transport=\"streamable_http\"}");
  }

  @Test
  void checkStatusShowsAQuorumsVotesAndApprovalsNeeded() {
    Fixtures team = Fixtures.create(api);
    JsonObject quorum = new JsonObject().put("required", 2).put("reject", "any");
    Res p =
        team.putPolicies(
            Fixtures.policy("require_approval", new JsonArray()).put("quorum", quorum));
    assertThat(p.status()).as(p.toString()).isEqualTo(200);
    String agent = team.agentKey("payer");
    String id = team.pendingCheckIn(agent, "refund 500 EUR").getString("id");
    Res vote =
        api.post(
            "/v1/check-ins/" + id + "/approve",
            team.human,
            new JsonObject().put("reason", "looks right"));
    assertThat(vote.status()).as(vote.toString()).isEqualTo(200);
    String voter = vote.data().getJsonArray("votes").getJsonObject(0).getString("voter");

    Res r =
        post(
            agent,
            session(agent, "2025-11-25"),
            toolCall(1, McpTools.CHECK_STATUS, new JsonObject().put("check_in_id", id)));
    JsonObject result = r.json().getJsonObject("result");
    assertThat(result.getBoolean("isError")).as(r.toString()).isFalse();
    JsonObject data = result.getJsonObject("structuredContent");
    assertThat(data.getString("status")).isEqualTo("pending");
    assertThat(data.getInteger("approvals_needed")).isEqualTo(1);
    assertThat(data.getJsonObject("quorum").getInteger("required")).isEqualTo(2);
    assertThat(data.getJsonObject("quorum").getString("reject")).isEqualTo("any");
    JsonArray votes = data.getJsonArray("votes");
    assertThat(votes).hasSize(1);
    assertThat(votes.getJsonObject(0).getString("voter")).isEqualTo(voter);
    assertThat(votes.getJsonObject(0).getString("verdict")).isEqualTo("approved");
    assertThat(votes.getJsonObject(0).getString("reason")).isEqualTo("looks right");
    assertThat(data.getInteger("escalation_level")).isZero();
    assertThat(data.getString("urgency")).isEqualTo("normal");
    assertThat(text(result, 0))
        .contains("approvals still needed: 1")
        .contains(voter + " approved: \"looks right\"")
        .contains("Urgency: normal; escalation level: 0.")
        .contains("Do not proceed yet");
  }

  @Test
  void checkStatusShowsTheEscalationLevelAndRaisedUrgency() throws Exception {
    Fixtures team = Fixtures.create(api);
    JsonObject policy =
        Fixtures.policy("require_approval", new JsonArray())
            .put("timeout_minutes", 30)
            .put(
                "escalation",
                new JsonArray()
                    .add(new JsonObject().put("after_minutes", 1).put("urgency", "urgent")));
    Res p = team.putPolicies(policy);
    assertThat(p.status()).as(p.toString()).isEqualTo(200);
    String agent = team.agentKey("deployer");
    String id = team.pendingCheckIn(agent, "deploy to prod").getString("id");
    // One policy "minute" is a second in tests; the sweeper runs every 200 ms.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (api.get("/v1/check-ins/" + id, agent).data().getInteger("escalation_level") == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Res r =
        post(
            agent,
            session(agent, "2025-11-25"),
            toolCall(1, McpTools.CHECK_STATUS, new JsonObject().put("check_in_id", id)));
    JsonObject result = r.json().getJsonObject("result");
    JsonObject data = result.getJsonObject("structuredContent");
    assertThat(data.getInteger("escalation_level")).isEqualTo(1);
    assertThat(data.getString("urgency")).isEqualTo("urgent");
    assertThat(data.getValue("quorum")).isNull();
    assertThat(text(result, 0))
        .contains("Urgency: urgent; escalation level: 1.")
        .doesNotContain("Quorum:");
  }

  @Test
  void checkStatusDeclaresTheApprovalFlowFieldsInItsOutputSchema() {
    Res r = post(key, session(key, "2025-11-25"), request(1, "tools/list", new JsonObject()));
    JsonObject tool =
        r.json().getJsonObject("result").getJsonArray("tools").stream()
            .map(o -> (JsonObject) o)
            .filter(t -> t.getString("name").equals(McpTools.CHECK_STATUS))
            .findFirst()
            .orElseThrow();
    JsonObject schema = tool.getJsonObject("outputSchema");
    assertThat(schema.getJsonObject("properties").fieldNames())
        .contains("quorum", "votes", "approvals_needed", "escalation_level", "urgency");
    assertThat(schema.getJsonArray("required").getList()).contains("escalation_level", "urgency");
    assertThat(tool.getString("description")).contains("approvals_needed", "escalation_level");
  }

  @Test
  void checkStatusCarriesTheSignedReceiptAndNamesItsKey() {
    String s = session(key, "2025-11-25");
    JsonObject created =
        post(
                key,
                s,
                toolCall(
                    1,
                    McpTools.CHECK_IN,
                    new JsonObject().put("room", f.roomSlug).put("action", "ship it")))
            .json()
            .getJsonObject("result")
            .getJsonObject("structuredContent");
    assertThat(created.getString("payload_hash")).startsWith("sha256:");
    assertThat(created.getValue("receipt")).isNull();
    String id = created.getString("id");
    String receipt =
        api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject())
            .data()
            .getString("receipt");
    String kid =
        api.get("/.well-known/jwks.json", null)
            .json()
            .getJsonArray("keys")
            .getJsonObject(0)
            .getString("kid");
    JsonObject result =
        post(key, s, toolCall(2, McpTools.CHECK_STATUS, new JsonObject().put("check_in_id", id)))
            .json()
            .getJsonObject("result");
    assertThat(result.getJsonObject("structuredContent").getString("receipt")).isEqualTo(receipt);
    assertThat(text(result, 0)).contains("APPROVED").contains("signed receipt: " + kid);
  }

  @Test
  void stdioModeWithoutAKeyRefusesToStart() {
    StringWriter out = new StringWriter();
    int code = WaitroomCommand.run(new String[] {"mcp"}, Map.of(), new PrintWriter(out));
    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
  }

  private static String text(JsonObject result, int i) {
    return result.getJsonArray("content").getJsonObject(i).getString("text");
  }
}
