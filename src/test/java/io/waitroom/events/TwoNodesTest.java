package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.bus.Addresses;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.BlackholeProxy;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TestServer;
import io.waitroom.support.WsClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.embedded.RedisServer;

/**
 * Two nodes in one test run: one database, one real Redis (embedded), two servers. What happens on
 * one node is seen on the other, exactly once; rate limits are shared; Redis going away breaks
 * nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodesTest {
  static int redisPort;
  static RedisServer redis;
  static TestServer a;
  static TestServer b;

  @BeforeAll
  static void start() throws IOException {
    redisPort = TestServer.freePort();
    redis = startRedis(redisPort);
    a = TestServer.start(Map.of("WAITROOM_REDIS_URL", "redis://127.0.0.1:" + redisPort));
    b = a.secondNode();
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (b != null) b.close();
      if (a != null) a.close();
    } finally {
      if (redis != null && redis.isActive()) redis.stop();
    }
  }

  static RedisServer startRedis(int port) throws IOException {
    RedisServer r =
        RedisServer.newRedisServer()
            .port(port)
            .bind("127.0.0.1")
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    r.start();
    return r;
  }

  static JsonObject signal(Api api, Fixtures f, String type) {
    Res r =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/signal", f.human, new JsonObject().put("type", type));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static SseClient sse(TestServer node, Fixtures f) {
    SseClient c =
        SseClient.open(node.api.base() + "/v1/rooms/" + f.roomSlug + "/events", f.human, Map.of());
    assertThat(c.status).isEqualTo(200);
    assertThat(c.nextFrame(5_000).comment()).isEqualTo("connected");
    return c;
  }

  static <T> BlockingQueue<T> listen(TestServer node, String address) throws Exception {
    BlockingQueue<T> q = new LinkedBlockingQueue<>();
    MessageConsumer<T> c = node.vertx().eventBus().consumer(address, m -> q.add(m.body()));
    c.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return q;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  @Order(1)
  void aStreamOnNodeBSeesEventsCausedOnNodeAThroughRedis() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    BlockingQueue<RoomEvent> remoteOnB = listen(b, Addresses.ROOM_EVENTS_REMOTE);
    BlockingQueue<RoomEvent> remoteOnA = listen(a, Addresses.ROOM_EVENTS_REMOTE);
    try (SseClient onB = sse(b, f)) {
      long t0 = System.currentTimeMillis();
      JsonObject s = signal(a.api, f, "pause");
      Frame ev = onB.nextEvent(10_000);
      assertThat(ev).isNotNull();
      assertThat(ev.json().getJsonObject("data").getString("id")).isEqualTo(s.getString("id"));
      // The doorbell came through Redis (the safety re-read would take seconds).
      RoomEvent relayed = remoteOnB.poll(5, TimeUnit.SECONDS);
      assertThat(relayed).isNotNull();
      assertThat(relayed.data().getString("id")).isEqualTo(s.getString("id"));
      assertThat(relayed.id()).isEqualTo(ev.longId());
      assertThat(System.currentTimeMillis() - t0).isLessThan(2_500);
      // A node never hears its own events back.
      assertThat(remoteOnA.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  @Order(2)
  void everyNodeDeliversEveryEventExactlyOnceWhicheverNodeCausedIt() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    try (SseClient onA = sse(a, f);
        SseClient onB = sse(b, f);
        WsClient wsOnB =
            RoomStreamsApiTest.ws(
                b,
                b.api.base().replaceFirst("^http", "ws") + "/v1/rooms/" + f.roomSlug + "/ws",
                f.human)) {
      List<CompletableFuture<Res>> posts = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Api api = i % 2 == 0 ? a.api : b.api;
        posts.add(
            api.sendAsync(
                "POST",
                "/v1/rooms/" + f.roomSlug + "/signal",
                f.human,
                new JsonObject().put("type", "s" + i),
                Map.of()));
      }
      Set<String> ids = new HashSet<>();
      for (CompletableFuture<Res> p : posts) ids.add(p.get().data().getString("id"));
      for (SseClient c : List.of(onA, onB)) {
        List<Frame> got = c.events(30, 15_000);
        assertThat(got.stream().map(Frame::longId).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(
                got.stream()
                    .map(fr -> fr.json().getJsonObject("data").getString("id"))
                    .collect(Collectors.toSet()))
            .isEqualTo(ids);
        assertThat(c.drainEvents(700)).isEmpty();
      }
      List<JsonObject> ws = wsOnB.next(30, 15_000);
      assertThat(ws.stream().map(e -> e.getLong("id")).toList()).isSorted().doesNotHaveDuplicates();
      assertThat(wsOnB.next(500)).isNull();
    }
  }

  @Test
  @Order(3)
  void aWaiterOnNodeBIsWokenByADecisionOnNodeA() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    String key = f.agentKey("deployer");
    JsonObject ci = f.pendingCheckIn(key, "deploy to prod");
    Future<Boolean> woken = b.server().deps().waiters().awaitCheckIn(ci.getString("id"), 20_000);
    long t0 = System.currentTimeMillis();
    Res r =
        a.api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
    assertThat(r.status()).isEqualTo(200);
    assertThat(await(woken)).isTrue();
    assertThat(System.currentTimeMillis() - t0).isLessThan(5_000);
  }

  @Test
  @Order(4)
  void policyInvalidationsCrossNodesOnTheirOwnAddress() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    BlockingQueue<String> onB = listen(b, Addresses.POLICY_INVALIDATE_REMOTE);
    BlockingQueue<String> onA = listen(a, Addresses.POLICY_INVALIDATE_REMOTE);
    Res put =
        f.api.put(
            "/v1/rooms/" + f.roomSlug + "/policies",
            f.human,
            new JsonObject()
                .put("default_action", "auto_approve")
                .put("timeout_minutes", 5)
                .put("timeout_action", "cancel")
                .put("rules", new JsonArray()));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(onB.poll(5, TimeUnit.SECONDS)).isEqualTo(f.room.getString("id"));
    assertThat(onA.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  @Order(5)
  void theRateLimitIsSharedAcrossNodes() throws Exception {
    int limit = 10;
    Map<String, String> env =
        Map.of(
            "WAITROOM_REDIS_URL",
            "redis://127.0.0.1:" + redisPort,
            "WAITROOM_RATE_LIMIT_PER_MINUTE",
            String.valueOf(limit),
            "WAITROOM_DATABASE_URL",
            a.databaseUrl);
    try (TestServer x = TestServer.start(env);
        TestServer y = x.secondNode()) {
      String human = TestServer.token("shared-" + UUID.randomUUID(), "alice");
      long t0 = System.currentTimeMillis();
      int allowed = 0;
      int limited = 0;
      for (int i = 0; i < 30; i++) {
        Res r = (i % 2 == 0 ? x.api : y.api).get("/v1/rooms", human);
        if (r.status() == 200) allowed++;
        else if (r.status() == 429) limited++;
      }
      long seconds = (System.currentTimeMillis() - t0) / 1000;
      // One bucket of 10 for both nodes (plus one token per 6 s of test time); per-node buckets
      // would have allowed 20.
      assertThat(allowed).isBetween(limit, limit + (int) (seconds / 6));
      assertThat(limited).isEqualTo(30 - allowed);
    }
  }

  @Test
  @Order(7)
  void whileRedisIsUnreachableALongPollOnOneNodeStillAnswersADecisionOnAnotherWithinSeconds()
      throws Exception {
    // Redis configured but not there: no doorbell crosses nodes. Streams catch up through their
    // safety re-read; a long-poll must not sit out its whole wait either.
    Map<String, String> env =
        Map.of(
            "WAITROOM_REDIS_URL",
            "redis://127.0.0.1:" + TestServer.freePort(),
            "WAITROOM_DATABASE_URL",
            a.databaseUrl);
    try (TestServer x = TestServer.start(env);
        TestServer y = x.secondNode()) {
      Fixtures f = Fixtures.create(x.api);
      String key = f.agentKey("waiter");
      String id = f.pendingCheckIn(key, "deploy").getString("id");
      CompletableFuture<Res> waiting =
          y.api.sendAsync("GET", "/v1/check-ins/" + id + "/status?wait=30", key, null, Map.of());
      Thread.sleep(1_000);
      assertThat(waiting).isNotDone();
      long t0 = System.currentTimeMillis();
      Res decided = x.api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject());
      assertThat(decided.status()).isEqualTo(200);
      Res r = waiting.get(40, TimeUnit.SECONDS);
      assertThat(r.data().getString("status")).isEqualTo("approved");
      assertThat(System.currentTimeMillis() - t0).isLessThan(8_000);
    }
  }

  @Test
  @Order(8)
  void aSubscriptionThatSilentlyStopsDeliveringIsNoticedAndLongPollsStillAnswer() throws Exception {
    // A NAT or firewall that drops the idle subscription without a FIN or RST: nothing arrives,
    // nothing fails. The bridge must notice on its own.
    try (BlackholeProxy proxy = new BlackholeProxy(redisPort);
        TestServer y =
            TestServer.start(
                Map.of(
                    "WAITROOM_REDIS_URL",
                    "redis://127.0.0.1:" + proxy.port(),
                    "WAITROOM_DATABASE_URL",
                    a.databaseUrl))) {
      Fixtures f = Fixtures.create(a.api);
      String key = f.agentKey("waiter");
      // The bridge of y is up: a decision on a reaches y's waiter through Redis.
      JsonObject first = f.pendingCheckIn(key, "first");
      boolean subscribed = false;
      long until = System.currentTimeMillis() + 10_000;
      while (!subscribed && System.currentTimeMillis() < until) {
        JsonObject ci = f.pendingCheckIn(key, "probe");
        Future<Boolean> w = y.server().deps().waiters().awaitCheckIn(ci.getString("id"), 1_000);
        a.api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
        subscribed = await(w);
      }
      assertThat(subscribed).as("y subscribed through the proxy").isTrue();

      proxy.blackhole();
      String id = first.getString("id");
      CompletableFuture<Res> waiting =
          y.api.sendAsync("GET", "/v1/check-ins/" + id + "/status?wait=60", key, null, Map.of());
      Thread.sleep(1_000);
      long t0 = System.currentTimeMillis();
      assertThat(a.api.post("/v1/check-ins/" + id + "/approve", f.human, new JsonObject()).status())
          .isEqualTo(200);
      Res r = waiting.get(70, TimeUnit.SECONDS);
      assertThat(r.data().getString("status")).isEqualTo("approved");
      assertThat(System.currentTimeMillis() - t0).isLessThan(30_000);
    }
  }

  @Test
  @Order(6)
  void aRedisOutageFailsNoRequestAndTheBridgeReconnects() throws Exception {
    Fixtures f = Fixtures.create(a.api);
    try (SseClient onB = sse(b, f)) {
      redis.stop();
      // Writes succeed with Redis gone; streams on B catch up from room_events (safety re-read).
      JsonObject during = signal(a.api, f, "during-outage");
      Frame ev = onB.nextEvent(10_000);
      assertThat(ev).as("the event reached node B without Redis").isNotNull();
      assertThat(ev.json().getJsonObject("data").getString("id")).isEqualTo(during.getString("id"));
      assertThat(a.api.get("/v1/rooms", f.human).status()).isEqualTo(200);

      redis = startRedis(redisPort);
      // Once the bridge is back, a waiter on B wakes from a change on A within moments.
      String key = f.agentKey("after-outage");
      boolean wokeFast = false;
      long deadline = System.currentTimeMillis() + 20_000;
      while (!wokeFast && System.currentTimeMillis() < deadline) {
        JsonObject ci = f.pendingCheckIn(key, "retry");
        Future<Boolean> w = b.server().deps().waiters().awaitCheckIn(ci.getString("id"), 1_000);
        a.api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
        wokeFast = await(w);
      }
      assertThat(wokeFast).as("the bridge reconnected").isTrue();
      List<Frame> rest = onB.drainEvents(1_000);
      assertThat(rest.stream().map(Frame::longId).toList()).isSorted().doesNotHaveDuplicates();
    }
  }
}
