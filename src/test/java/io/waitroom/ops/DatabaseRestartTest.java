package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.client.Inputs.CheckInInput;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.WaitroomClient;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.NodeScripts;
import io.waitroom.support.Processes;
import io.waitroom.support.PythonVenv;
import io.waitroom.support.RestartablePostgres;
import io.waitroom.support.SseClient;
import io.waitroom.support.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's PostgreSQL is stopped (a fast shutdown) and started again on the same data directory
 * and port while requests run, as an operator restarts a database: no request gets a 500, every
 * failure is a 503 with {@code Retry-After}, nothing acknowledged is lost or doubled, {@code
 * /readyz} follows the database, streams and long-polls ride through, and the SDKs and the MCP
 * tools surface no error.
 */
class DatabaseRestartTest {
  private static final Path TS_SDK = NodeScripts.project("clients/typescript");
  private static final long OUTAGE_MS = 3_000;

  private static RestartablePostgres pg;
  private static TestServer server;
  private static Api api;

  @BeforeAll
  static void start() {
    pg = RestartablePostgres.start();
    server = TestServer.start(Map.of("WAITROOM_DATABASE_URL", pg.url()));
    api = server.api;
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (pg != null) pg.close();
  }

  @Test
  void aRestartUnderLoadAnswers503WithRetryAfterNever500AndLosesOrDoublesNothing()
      throws Exception {
    Fixtures f = Fixtures.create(api);
    List<String> agents = new ArrayList<>();
    for (int i = 0; i < 4; i++) agents.add(f.agentKey("agent-" + i));
    String checkIns = "/v1/rooms/" + f.roomSlug + "/check-in";
    SseClient stream =
        SseClient.open(api.base() + "/v1/rooms/" + f.roomSlug + "/events", f.human, Map.of());
    assertThat(stream.status).isEqualTo(200);
    String waiting = f.pendingCheckIn(agents.get(0), "wait through the restart").getString("id");
    CompletableFuture<Res> pollBefore = longPoll(waiting, agents.get(0));
    Res first = create(checkIns, agents.get(1), "made before the restart", "key-before");
    assertThat(first.status()).as(first.toString()).isEqualTo(201);

    AtomicBoolean stopping = new AtomicBoolean();
    ConcurrentLinkedQueue<Res> unavailable = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Res> unexpected = new ConcurrentLinkedQueue<>();
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Integer> readiness = new ConcurrentLinkedQueue<>();
    ExecutorService workers = Executors.newFixedThreadPool(agents.size() + 1);
    for (int i = 0; i < agents.size(); i++) {
      String agent = agents.get(i);
      String prefix = "agent " + i + " action ";
      workers.submit(
          () -> {
            for (int n = 0; !stopping.get(); n++) {
              String action = prefix + n;
              String key = UUID.randomUUID().toString();
              // Retried with the same key until answered: the client a 503 asks for.
              long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
              Res r = create(checkIns, agent, action, key);
              while (r.status() == 503 && System.nanoTime() < giveUp) {
                unavailable.add(r);
                sleep(200);
                r = create(checkIns, agent, action, key);
              }
              if (r.status() == 201) acknowledged.put(action, r.data().getString("id"));
              else unexpected.add(r);
              sleep(40);
            }
            return null;
          });
    }
    workers.submit(
        () -> {
          while (!stopping.get()) {
            readiness.add(api.get("/readyz", null).status());
            sleep(100);
          }
          return null;
        });

    sleep(1_000);
    pg.stop();
    sleep(OUTAGE_MS / 2);
    // A long-poll that starts while the database is away keeps waiting, too.
    CompletableFuture<Res> pollDuring = longPoll(waiting, agents.get(0));
    sleep(OUTAGE_MS / 2);
    pg.restart();
    awaitReady();
    sleep(1_500);
    stopping.set(true);
    workers.shutdown();
    assertThat(workers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(unexpected).as("answers other than 201 and 503").isEmpty();
    assertThat(unavailable).as("the outage was seen").isNotEmpty();
    for (Res r : unavailable) {
      assertThat(r.header("Retry-After")).as(r.toString()).isIn("1", "2");
      assertThat(r.code()).isEqualTo("SERVICE_UNAVAILABLE");
      assertThat(r.error().getInteger("statusCode")).isEqualTo(503);
      assertThat(r.error().getString("message")).contains("database is unavailable");
    }
    // Every acknowledged check-in is there exactly once, and nothing else was made.
    String room = f.room.getString("id");
    assertThat(
            pg.queryLong(
                "SELECT count(*) FROM (SELECT action FROM check_ins WHERE room_id = '"
                    + room
                    + "' GROUP BY action HAVING count(*) > 1) doubled"))
        .isZero();
    assertThat(pg.queryLong("SELECT count(*) FROM check_ins WHERE room_id = '" + room + "'"))
        .isEqualTo(acknowledged.size() + 2);
    for (Map.Entry<String, String> e : acknowledged.entrySet()) {
      assertThat(api.get("/v1/check-ins/" + e.getValue(), f.human).data().getString("action"))
          .isEqualTo(e.getKey());
    }
    // /readyz said 503 while the database was away and 200 once it was back.
    List<Integer> seen = List.copyOf(readiness);
    assertThat(seen).contains(503);
    assertThat(seen.subList(seen.lastIndexOf(503), seen.size())).contains(200);
    assertThat(seen.get(seen.size() - 1)).isEqualTo(200);

    // A retry of a state change with the same Idempotency-Key across the restart: the first answer.
    Res again = create(checkIns, agents.get(1), "made before the restart", "key-before");
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");

    // Both long-polls were still waiting; the decision after the restart answers them.
    assertThat(pollBefore).isNotDone();
    assertThat(pollDuring).isNotDone();
    Res approved = api.post("/v1/check-ins/" + waiting + "/approve", f.human, null);
    assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
    for (CompletableFuture<Res> poll : List.of(pollBefore, pollDuring)) {
      Res r = poll.get(20, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.data().getString("status")).isEqualTo("approved");
    }

    // The stream opened before the restart got every event of the room, in order, no gap.
    List<Long> expected = new ArrayList<>();
    long events = pg.queryLong("SELECT count(*) FROM room_events WHERE room_id = '" + room + "'");
    long firstId = pg.queryLong("SELECT min(id) FROM room_events WHERE room_id = '" + room + "'");
    List<SseClient.Frame> got = stream.events((int) events, 30_000);
    for (SseClient.Frame e : got) expected.add(e.longId());
    assertThat(got).hasSize((int) events);
    assertThat(expected.get(0)).isEqualTo(firstId);
    assertThat(expected).isSorted().doesNotHaveDuplicates();
    assertThat(
            pg.queryLong(
                "SELECT count(*) FROM room_events WHERE room_id = '"
                    + room
                    + "' AND id > "
                    + expected.get(expected.size() - 1)))
        .isZero();
    stream.close();
  }

  @Test
  void theSdksAndTheMcpToolsCreateAndWaitAcrossARestartWithNoError() throws Exception {
    NodeScripts.Result build = NodeScripts.npm(TS_SDK, Map.of(), 300, "run", "build");
    assertThat(build.ok()).as(build.transcript()).isTrue();
    Fixtures f = Fixtures.create(api);
    String javaKey = f.agentKey("java agent");
    String tsKey = f.agentKey("ts agent");
    String mcpKey = f.agentKey("mcp agent");
    String pyKey = f.agentKey("python agent");
    String python = PythonVenv.python();
    WaitroomClient java = WaitroomClient.builder().apiKey(javaKey).baseUrl(api.base()).build();
    Res init =
        api.send(
            "POST",
            "/mcp",
            mcpKey,
            new JsonObject()
                .put("jsonrpc", "2.0")
                .put("id", 0)
                .put("method", "initialize")
                .put(
                    "params",
                    new JsonObject()
                        .put("protocolVersion", "2025-11-25")
                        .put("capabilities", new JsonObject())
                        .put("clientInfo", new JsonObject().put("name", "t").put("version", "1"))),
            Map.of("Accept", "application/json"));
    assertThat(init.status()).as(init.toString()).isEqualTo(200);
    Map<String, String> mcp =
        Map.of("Accept", "application/json", "Mcp-Session-Id", init.header("Mcp-Session-Id"));

    pg.stop();
    // An MCP tool call made while the database is away: its loopback call retries the 503.
    CompletableFuture<Res> tool =
        api.sendAsync(
            "POST",
            "/mcp",
            mcpKey,
            new JsonObject()
                .put("jsonrpc", "2.0")
                .put("id", 1)
                .put("method", "tools/call")
                .put(
                    "params",
                    new JsonObject()
                        .put("name", "waitroom_check_in")
                        .put(
                            "arguments",
                            new JsonObject().put("room", f.roomSlug).put("action", "mcp create"))),
            mcp);
    CompletableFuture<CheckIn> created =
        CompletableFuture.supplyAsync(
            () -> java.checkIns().create(f.roomSlug, CheckInInput.of("java create")));
    CompletableFuture<CheckIn> decided =
        CompletableFuture.supplyAsync(
            () ->
                java.checkIns()
                    .checkInAndWait(
                        f.roomSlug, CheckInInput.of("java wait"), Duration.ofSeconds(90)));
    CompletableFuture<NodeScripts.Result> node =
        CompletableFuture.supplyAsync(
            () ->
                NodeScripts.node(
                    TS_SDK,
                    Map.of(
                        "WAITROOM_BASE_URL",
                        api.base(),
                        "WAITROOM_API_KEY",
                        tsKey,
                        "WAITROOM_ROOM",
                        f.roomSlug,
                        "WAITROOM_TAG",
                        "ts"),
                    120,
                    "test/ride-through.mjs"));
    CompletableFuture<Processes.Result> py =
        CompletableFuture.supplyAsync(
            () ->
                PythonVenv.run(
                    Path.of("src/test/python").toAbsolutePath(),
                    Map.of(
                        "WAITROOM_BASE_URL",
                        api.base(),
                        "WAITROOM_API_KEY",
                        pyKey,
                        "WAITROOM_ROOM",
                        f.roomSlug,
                        "WAITROOM_TAG",
                        "py"),
                    120,
                    List.of(python, "ride_through.py")));
    sleep(OUTAGE_MS);
    pg.restart();
    awaitReady();

    CheckIn made = created.get(30, TimeUnit.SECONDS);
    assertThat(made.status()).isEqualTo("pending");
    Res called = tool.get(30, TimeUnit.SECONDS);
    assertThat(called.status()).as(called.toString()).isEqualTo(200);
    JsonObject result = called.json().getJsonObject("result");
    assertThat(result.getBoolean("isError")).as(called.toString()).isFalse();
    assertThat(result.getJsonObject("structuredContent").getString("status")).isEqualTo("pending");
    // Approve the two waits once their check-ins exist.
    for (String action : List.of("java wait", "ts wait", "py wait")) {
      String id = awaitPending(f, action);
      Res r = api.post("/v1/check-ins/" + id + "/approve", f.human, null);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    assertThat(decided.get(30, TimeUnit.SECONDS).status()).isEqualTo("approved");
    NodeScripts.Result out = node.get(60, TimeUnit.SECONDS);
    assertThat(out.ok()).as(out.transcript()).isTrue();
    JsonObject ts = new JsonObject(out.stdout().trim());
    assertThat(ts.getJsonObject("created").getString("status")).isEqualTo("pending");
    assertThat(ts.getJsonObject("decided").getString("status")).isEqualTo("approved");
    Processes.Result pyOut = py.get(60, TimeUnit.SECONDS);
    assertThat(pyOut.ok()).as(pyOut.transcript()).isTrue();
    JsonObject pyJson = new JsonObject(pyOut.stdout().trim());
    assertThat(pyJson.getJsonObject("created").getString("status")).isEqualTo("pending");
    assertThat(pyJson.getJsonObject("decided").getString("status")).isEqualTo("approved");
    // No duplicate from the retries.
    String room = f.room.getString("id");
    for (String action :
        List.of(
            "java create",
            "java wait",
            "ts create",
            "ts wait",
            "py create",
            "py wait",
            "mcp create")) {
      assertThat(
              pg.queryLong(
                  "SELECT count(*) FROM check_ins WHERE room_id = '"
                      + room
                      + "' AND action = '"
                      + action
                      + "'"))
          .as(action)
          .isEqualTo(1);
    }
  }

  private static Res create(String path, String agent, String action, String key) {
    return api.send(
        "POST",
        path,
        agent,
        new JsonObject().put("action", action),
        Map.of("Idempotency-Key", key));
  }

  private static CompletableFuture<Res> longPoll(String id, String agent) {
    return api.sendAsync("GET", "/v1/check-ins/" + id + "/status?wait=40", agent, null, Map.of());
  }

  private static String awaitPending(Fixtures f, String action) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      for (JsonObject c : api.all("/v1/rooms/" + f.roomSlug + "/pending", f.human, 100)) {
        if (action.equals(c.getString("action"))) return c.getString("id");
      }
      sleep(200);
    }
    throw new AssertionError("no pending check-in '" + action + "'");
  }

  private static void awaitReady() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (api.get("/readyz", null).status() == 200) return;
      sleep(100);
    }
    throw new AssertionError("/readyz did not come back");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
