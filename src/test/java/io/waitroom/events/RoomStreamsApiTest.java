package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TestServer;
import io.waitroom.support.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SSE and WebSocket streams of a room, through real HTTP against a real database. */
class RoomStreamsApiTest {
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("WAITROOM_STREAM_PING_MS", "300"));
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String url(Fixtures f, String tail) {
    return api.base() + "/v1/rooms/" + f.roomSlug + tail;
  }

  static String wsUrl(Fixtures f, String tail) {
    return url(f, tail).replaceFirst("^http", "ws");
  }

  static JsonObject signal(Fixtures f, String type) {
    return signal(f, f.human, type, new JsonObject());
  }

  static JsonObject signal(Fixtures f, String credential, String type, JsonObject payload) {
    Res r =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/signal",
            credential,
            new JsonObject().put("type", type).put("payload", payload));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  /**
   * Opens a WebSocket and waits until the server has registered it (the 101 can reach the client a
   * moment before the subscription exists).
   */
  static WsClient ws(TestServer node, String url, String credential) throws InterruptedException {
    StreamMetrics m = node.server().deps().streams();
    int before = m.openWebSockets();
    WsClient c = WsClient.open(url, credential, Map.of());
    long deadline = System.currentTimeMillis() + 5_000;
    while (c.status == 101
        && m.openWebSockets() <= before
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    return c;
  }

  static SseClient sse(Fixtures f, String query, Map<String, String> headers) {
    SseClient c = SseClient.open(url(f, "/events" + query), f.human, headers);
    assertThat(c.status).as(String.valueOf(c.errorBody)).isEqualTo(200);
    // The first frame is the ": connected" comment: the subscription is registered by then.
    Frame first = c.nextFrame(5_000);
    assertThat(first).isNotNull();
    assertThat(first.comment()).isEqualTo("connected");
    return c;
  }

  @Test
  void sseDeliversEnvelopesInOrderAsTheyHappen() {
    Fixtures f = Fixtures.create(api);
    try (SseClient c = sse(f, "", Map.of())) {
      assertThat(c.header("Content-Type")).startsWith("text/event-stream");
      List<JsonObject> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) sent.add(signal(f, "deploy.step." + i));
      List<Frame> got = c.events(5, 10_000);
      long prev = 0;
      for (int i = 0; i < 5; i++) {
        Frame fr = got.get(i);
        JsonObject env = fr.json();
        assertThat(env.fieldNames())
            .containsExactlyInAnyOrder("id", "event", "room_id", "data", "timestamp");
        assertThat(env.getValue("id")).isInstanceOf(Number.class);
        assertThat(env.getLong("id")).isGreaterThan(prev).isEqualTo(fr.longId());
        prev = env.getLong("id");
        assertThat(fr.event()).isEqualTo("signal.broadcast").isEqualTo(env.getString("event"));
        assertThat(env.getString("room_id")).isEqualTo(f.room.getString("id"));
        assertThat(env.getString("timestamp")).endsWith("Z");
        JsonObject data = env.getJsonObject("data");
        assertThat(data.fieldNames())
            .containsExactlyInAnyOrder("id", "type", "payload", "created_by");
        assertThat(data.getString("id")).isEqualTo(sent.get(i).getString("id"));
        assertThat(data.getString("type")).isEqualTo("deploy.step." + i);
      }
    }
  }

  @Test
  void streamsAreNeverCompressedEvenWhenTheClientAcceptsGzip() {
    Fixtures f = Fixtures.create(api);
    try (SseClient c = sse(f, "", Map.of("Accept-Encoding", "gzip, deflate"))) {
      assertThat(c.header("Content-Encoding")).isIn(null, "identity");
      assertThat(c.header("Cache-Control")).contains("no-cache");
      String id = signal(f, "plain").getString("id");
      assertThat(c.nextEvent(10_000).json().getJsonObject("data").getString("id")).isEqualTo(id);
    }
  }

  @Test
  void withoutLastEventIdTheStreamStartsLive() {
    Fixtures f = Fixtures.create(api);
    signal(f, "before");
    try (SseClient c = sse(f, "", Map.of())) {
      JsonObject after = signal(f, "after");
      Frame fr = c.nextEvent(10_000);
      assertThat(fr.json().getJsonObject("data").getString("id")).isEqualTo(after.getString("id"));
    }
  }

  @Test
  void checkInEventsReachTheStreamToo() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    try (SseClient c = sse(f, "", Map.of())) {
      JsonObject ci = f.pendingCheckIn(key, "deploy v2");
      Res ok =
          api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      List<Frame> got = c.events(2, 10_000);
      assertThat(got)
          .extracting(Frame::event)
          .containsExactly("checkin.created", "checkin.approved");
      assertThat(got.get(1).json().getJsonObject("data").getString("id"))
          .isEqualTo(ci.getString("id"));
      assertThat(got.get(1).json().getJsonObject("data").getString("status")).isEqualTo("approved");
    }
  }

  @Test
  void resumeWithLastEventIdReplaysTheGapThenGoesLiveWithoutGapOrDuplicate() throws Exception {
    Fixtures f = Fixtures.create(api);
    List<String> expected = new ArrayList<>();
    long lastSeen;
    try (SseClient c = sse(f, "", Map.of())) {
      for (int i = 0; i < 3; i++) expected.add(signal(f, "a" + i).getString("id"));
      List<Frame> got = c.events(3, 10_000);
      lastSeen = got.get(2).longId();
    }
    // The network is down: 150 events happen meanwhile (more than one replay page).
    for (int i = 0; i < 150; i++) expected.add(signal(f, "gap" + i).getString("id"));
    // Reconnect while more events keep coming, so some are written during the replay.
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<List<String>> during =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 60; i++) ids.add(signal(f, "during" + i).getString("id"));
                return ids;
              },
              pool);
      try (SseClient c =
          SseClient.open(
              url(f, "/events"), f.human, Map.of("Last-Event-ID", String.valueOf(lastSeen)))) {
        assertThat(c.status).isEqualTo(200);
        List<String> duringIds = during.get();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 5; i++) after.add(signal(f, "after" + i).getString("id"));
        List<String> all = new ArrayList<>(expected.subList(3, expected.size()));
        all.addAll(duringIds);
        all.addAll(after);
        List<Frame> got = c.events(all.size(), 30_000);
        assertThat(got.stream().map(fr -> fr.json().getJsonObject("data").getString("id")).toList())
            .containsExactlyElementsOf(all);
        List<Long> ids = got.stream().map(Frame::longId).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(ids.get(0)).isGreaterThan(lastSeen);
        assertThat(c.drainEvents(700)).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lastEventIdZeroReplaysEverythingAndTheQueryParameterWorksToo() {
    Fixtures f = Fixtures.create(api);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) sent.add(signal(f, "s" + i).getString("id"));
    try (SseClient c = sse(f, "", Map.of("Last-Event-ID", "0"))) {
      List<Frame> got = c.events(4, 10_000);
      assertThat(got.stream().map(fr -> fr.json().getJsonObject("data").getString("id")).toList())
          .containsExactlyElementsOf(sent);
      long second = got.get(1).longId();
      try (SseClient q = sse(f, "?last_event_id=" + second, Map.of())) {
        assertThat(
                q.events(2, 10_000).stream()
                    .map(fr -> fr.json().getJsonObject("data").getString("id"))
                    .toList())
            .containsExactlyElementsOf(sent.subList(2, 4));
      }
      // The header (what EventSource sends on reconnect) wins over the URL's parameter.
      try (SseClient both =
          sse(
              f,
              "?last_event_id=0",
              Map.of("Last-Event-ID", String.valueOf(got.get(2).longId())))) {
        Frame only = both.nextEvent(5_000);
        assertThat(only.json().getJsonObject("data").getString("id")).isEqualTo(sent.get(3));
        assertThat(both.drainEvents(500)).isEmpty();
      }
    }
  }

  @Test
  void typesFilterAcceptsCanonicalNamesAndAliases() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    try (SseClient created = sse(f, "?types=check_in.created", Map.of());
        SseClient decided = sse(f, "?types=check_in.decided", Map.of());
        SseClient decided2 = sse(f, "?types=checkin.decided,signal.broadcast", Map.of());
        SseClient signals = sse(f, "?types=signal.broadcast", Map.of())) {
      JsonObject a = f.pendingCheckIn(key, "a");
      JsonObject b = f.pendingCheckIn(key, "b");
      api.post("/v1/check-ins/" + a.getString("id") + "/approve", f.human, new JsonObject());
      api.post(
          "/v1/check-ins/" + b.getString("id") + "/reject",
          f.human,
          new JsonObject().put("reason", "no"));
      signal(f, "pause");
      assertThat(created.events(2, 10_000))
          .extracting(Frame::event)
          .containsOnly("checkin.created");
      assertThat(decided.events(2, 10_000))
          .extracting(Frame::event)
          .containsExactly("checkin.approved", "checkin.rejected");
      assertThat(decided2.events(3, 10_000))
          .extracting(Frame::event)
          .containsExactly("checkin.approved", "checkin.rejected", "signal.broadcast");
      assertThat(signals.events(1, 10_000))
          .extracting(Frame::event)
          .containsOnly("signal.broadcast");
      assertThat(created.drainEvents(500)).isEmpty();
      assertThat(decided.drainEvents(200)).isEmpty();
      assertThat(signals.drainEvents(200)).isEmpty();
    }
  }

  @Test
  void sseSendsPingCommentsWhileIdle() {
    Fixtures f = Fixtures.create(api);
    try (SseClient c = sse(f, "", Map.of())) {
      Frame fr = c.nextFrame(3_000);
      assertThat(fr).isNotNull();
      assertThat(fr.comment()).isEqualTo("ping");
    }
  }

  @Test
  void webSocketCarriesTheSameEnvelopesResumesAndPings() throws Exception {
    Fixtures f = Fixtures.create(api);
    List<String> sent = new ArrayList<>();
    long first;
    try (WsClient ws = ws(server, wsUrl(f, "/ws"), f.human)) {
      assertThat(ws.status).isEqualTo(101);
      for (int i = 0; i < 3; i++) sent.add(signal(f, "w" + i).getString("id"));
      List<JsonObject> got = ws.next(3, 10_000);
      for (int i = 0; i < 3; i++) {
        JsonObject env = got.get(i);
        assertThat(env.fieldNames())
            .containsExactlyInAnyOrder("id", "event", "room_id", "data", "timestamp");
        assertThat(env.getString("event")).isEqualTo("signal.broadcast");
        assertThat(env.getJsonObject("data").getString("id")).isEqualTo(sent.get(i));
      }
      assertThat(got.get(0).getLong("id")).isLessThan(got.get(1).getLong("id"));
      first = got.get(0).getLong("id");
      long deadline = System.currentTimeMillis() + 3_000;
      while (ws.pings.get() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(50);
      assertThat(ws.pings.get()).isPositive();
    }
    // Resume: the query parameter (browsers cannot set headers on WebSockets), with a filter.
    try (WsClient ws =
        WsClient.open(
            wsUrl(f, "/ws?types=signal.broadcast&last_event_id=" + first), f.human, Map.of())) {
      List<JsonObject> got = ws.next(2, 10_000);
      assertThat(got)
          .extracting(e -> e.getJsonObject("data").getString("id"))
          .containsExactly(sent.get(1), sent.get(2));
    }
  }

  @Test
  void accessTokenQueryParameterAuthenticatesStreams() throws Exception {
    Fixtures f = Fixtures.create(api);
    try (SseClient c = SseClient.open(url(f, "/events?access_token=" + f.human), null, Map.of())) {
      assertThat(c.status).isEqualTo(200);
    }
    try (SseClient c = SseClient.open(url(f, "/events"), null, Map.of())) {
      assertThat(c.status).isEqualTo(401);
    }
    try (WsClient ws = ws(server, wsUrl(f, "/ws?access_token=" + f.human), null)) {
      assertThat(ws.status).isEqualTo(101);
      String id = signal(f, "t").getString("id");
      assertThat(ws.next(10_000).getJsonObject("data").getString("id")).isEqualTo(id);
    }
    try (WsClient ws = WsClient.open(wsUrl(f, "/ws"), null, Map.of())) {
      assertThat(ws.status).isEqualTo(401);
    }
  }

  @Test
  void badRequestsAreRefusedBeforeTheStreamOpens() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    signal(f, "x");
    record Case(String query, Map<String, String> headers, int status, String field) {}
    List<Case> cases =
        List.of(
            new Case("?last_event_id=abc", Map.of(), 400, "last_event_id"),
            new Case("?last_event_id=-1", Map.of(), 400, "last_event_id"),
            new Case("", Map.of("Last-Event-ID", "12x"), 400, "last_event_id"),
            new Case("", Map.of("Last-Event-ID", "999999999999"), 400, "last_event_id"),
            new Case("?types=checkin.exploded", Map.of(), 400, "types"),
            new Case("?types=signal.broadcast,nope", Map.of(), 400, "types"));
    for (Case c : cases) {
      try (SseClient s = SseClient.open(url(f, "/events" + c.query()), f.human, c.headers())) {
        assertThat(s.status).as(c.toString()).isEqualTo(c.status());
        assertThat(s.error().getString("code")).isEqualTo("VALIDATION_ERROR");
        assertThat(s.error().getJsonObject("details").getString("field")).isEqualTo(c.field());
        assertThat(s.error().getString("message")).contains(c.field());
      }
    }
    try (SseClient s =
        SseClient.open(url(f, "/events?types=checkin.exploded"), f.human, Map.of())) {
      assertThat(s.error().getString("message")).contains("checkin.exploded");
    }
    try (SseClient s =
        SseClient.open(api.base() + "/v1/rooms/no-such-room/events", f.human, Map.of())) {
      assertThat(s.status).isEqualTo(404);
    }
    // Another org's room is not found, never forbidden, on both transports.
    try (SseClient s =
        SseClient.open(
            api.base() + "/v1/rooms/" + f.room.getString("id") + "/events",
            other.human,
            Map.of())) {
      assertThat(s.status).isEqualTo(404);
      assertThat(s.error().getString("code")).isEqualTo("NOT_FOUND");
    }
    try (WsClient ws =
        WsClient.open(
            api.base().replaceFirst("^http", "ws") + "/v1/rooms/" + f.room.getString("id") + "/ws",
            other.human,
            Map.of())) {
      assertThat(ws.status).isEqualTo(404);
    }
    try (WsClient ws = WsClient.open(wsUrl(f, "/ws?last_event_id=nope"), f.human, Map.of())) {
      assertThat(ws.status).isEqualTo(400);
    }
  }

  @Test
  void agentsStreamTheirRoomsButNotRoomsOutsideTheirScopes() {
    Fixtures f = Fixtures.create(api);
    Res other = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Elsewhere"));
    Res reg =
        api.post(
            "/v1/agents/register",
            f.human,
            new JsonObject()
                .put("name", "scoped")
                .put("room_scopes", new JsonArray().add(other.data().getString("id"))));
    String scoped = reg.data().getString("api_key");
    try (SseClient s = SseClient.open(url(f, "/events"), scoped, Map.of())) {
      assertThat(s.status).isEqualTo(403);
      assertThat(s.error().getString("code")).isEqualTo("FORBIDDEN");
    }
    String free = f.agentKey("free");
    try (SseClient s = SseClient.open(url(f, "/events"), free, Map.of())) {
      assertThat(s.status).isEqualTo(200);
    }
  }

  @Test
  void openStreamsAreAGaugeInMetrics() throws Exception {
    Fixtures f = Fixtures.create(api);
    try (SseClient a = sse(f, "", Map.of());
        WsClient ws = ws(server, wsUrl(f, "/ws"), f.human)) {
      String metrics = api.get("/metrics", null).raw();
      assertThat(metrics)
          .containsPattern("waitroom_streams_open\\{transport=\"sse\"[^}]*\\} [1-9]");
      assertThat(metrics).containsPattern("waitroom_streams_open\\{transport=\"ws\"[^}]*\\} [1-9]");
      assertThat(metrics).contains("waitroom_event_lag_seconds");
    }
  }

  @Test
  void manyConcurrentWritersStillGiveEveryStreamEveryEventInIdOrder() throws Exception {
    Fixtures f = Fixtures.create(api);
    List<SseClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) clients.add(sse(f, "", Map.of()));
      List<CompletableFuture<Res>> posts =
          IntStream.range(0, 80)
              .mapToObj(
                  i ->
                      api.sendAsync(
                          "POST",
                          "/v1/rooms/" + f.roomSlug + "/signal",
                          f.human,
                          new JsonObject().put("type", "c" + i),
                          Map.of()))
              .toList();
      Set<String> ids =
          posts.stream()
              .map(CompletableFuture::join)
              .peek(r -> assertThat(r.status()).isEqualTo(201))
              .map(r -> r.data().getString("id"))
              .collect(Collectors.toSet());
      for (SseClient c : clients) {
        List<Frame> got = c.events(80, 20_000);
        assertThat(got.stream().map(Frame::longId).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(
                got.stream()
                    .map(fr -> fr.json().getJsonObject("data").getString("id"))
                    .collect(Collectors.toSet()))
            .isEqualTo(ids);
      }
    } finally {
      clients.forEach(SseClient::close);
    }
  }
}
