package io.waitroom.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RateLimitAndCorsTest {
  static final int LIMIT = 5;
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            Map.of(
                "WAITROOM_RATE_LIMIT_PER_MINUTE",
                String.valueOf(LIMIT),
                "WAITROOM_CORS_ORIGINS",
                "https://dash.example.com, https://ops.example.com"));
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * A new org and human per test (each test gets fresh buckets); rooms created by API cost tokens.
   */
  static String human() {
    return TestServer.token("rl-" + java.util.UUID.randomUUID(), "alice");
  }

  @Test
  void pastTheLimitIs429WithRetryAfterInTheErrorAndTheHeader() {
    String h = human();
    List<Res> answers = new ArrayList<>();
    for (int i = 0; i < LIMIT + 3; i++) answers.add(api.get("/v1/rooms", h));
    assertThat(answers.subList(0, LIMIT)).allMatch(r -> r.status() == 200);
    assertThat(answers.get(0).header("X-RateLimit-Limit")).isEqualTo(String.valueOf(LIMIT));
    assertThat(answers.get(0).header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(LIMIT - 1));
    assertThat(answers.get(LIMIT - 1).header("X-RateLimit-Remaining")).isEqualTo("0");
    for (Res r : answers.subList(LIMIT, answers.size())) {
      assertThat(r.status()).isEqualTo(429);
      JsonObject e = r.error();
      assertThat(e.getString("code")).isEqualTo("RATE_LIMITED");
      assertThat(e.getInteger("statusCode")).isEqualTo(429);
      // 5 per minute: one token every 12 s.
      assertThat(e.getValue("retryAfter")).isInstanceOf(Integer.class);
      assertThat(e.getInteger("retryAfter")).isBetween(1, 12);
      assertThat(r.header("Retry-After")).isEqualTo(String.valueOf(e.getInteger("retryAfter")));
      assertThat(r.header("X-Request-Id")).isNotNull();
    }
  }

  @Test
  void bucketsArePerCallerAgentsAndHumansAlike() {
    String a = human();
    String b = human();
    for (int i = 0; i < LIMIT; i++) assertThat(api.get("/v1/rooms", a).status()).isEqualTo(200);
    assertThat(api.get("/v1/rooms", a).status()).isEqualTo(429);
    assertThat(api.get("/v1/rooms", b).status()).isEqualTo(200);

    // An agent key has its own bucket, apart from the human who registered it.
    String owner = human();
    String key =
        api.post("/v1/agents/register", owner, new JsonObject().put("name", "bot"))
            .data()
            .getString("api_key");
    for (int i = 0; i < LIMIT; i++)
      assertThat(api.get("/v1/agents/me", key).status()).isEqualTo(200);
    Res limited = api.get("/v1/agents/me", key);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("RATE_LIMITED");
    assertThat(api.get("/v1/rooms", owner).status()).isEqualTo(200);
  }

  @Test
  void preflightIsNeverLimitedAndCarriesTheCorsHeaders() {
    String h = human();
    for (int i = 0; i < LIMIT; i++) api.get("/v1/rooms", h);
    assertThat(api.get("/v1/rooms", h).status()).isEqualTo(429);
    for (int i = 0; i < 20; i++) {
      Res pre =
          api.send(
              "OPTIONS",
              "/v1/rooms",
              null,
              null,
              Map.of(
                  "Origin", "https://dash.example.com",
                  "Access-Control-Request-Method", "POST",
                  "Access-Control-Request-Headers",
                      "authorization, content-type, idempotency-key"));
      assertThat(pre.status()).isIn(200, 204);
      assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo("https://dash.example.com");
      String allowed = pre.header("Access-Control-Allow-Headers").toLowerCase();
      assertThat(allowed)
          .contains(
              "authorization", "content-type", "idempotency-key", "last-event-id", "x-request-id");
      assertThat(pre.header("Access-Control-Allow-Methods")).contains("POST");
    }
    // Preflight with a bearer-less OPTIONS for a stream route too.
    Res pre =
        api.send(
            "OPTIONS",
            "/v1/rooms/x/events",
            null,
            null,
            Map.of("Origin", "https://ops.example.com", "Access-Control-Request-Method", "GET"));
    assertThat(pre.status()).isIn(200, 204);
  }

  @Test
  void simpleRequestsFromAnAllowedOriginExposeTheUsefulHeaders() {
    String h = human();
    Res r = api.send("GET", "/v1/rooms", h, null, Map.of("Origin", "https://ops.example.com"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://ops.example.com");
    assertThat(r.header("Access-Control-Expose-Headers").toLowerCase())
        .contains("x-request-id", "retry-after");
    Res unknownOrigin =
        api.send("GET", "/v1/rooms", h, null, Map.of("Origin", "https://evil.example.net"));
    assertThat(unknownOrigin.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void withoutConfiguredOriginsThereAreNoCorsHeaders() {
    try (TestServer plain = TestServer.start()) {
      Fixtures f = Fixtures.create(plain.api);
      Res r =
          plain.api.send(
              "GET", "/v1/rooms", f.human, null, Map.of("Origin", "https://dash.example.com"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }
  }

  @Test
  void anUnreachableRedisFallsBackToTheLocalBucketInsteadOfFailing() {
    try (TestServer node =
        TestServer.start(
            Map.of(
                "WAITROOM_REDIS_URL",
                "redis://127.0.0.1:" + TestServer.freePort(),
                "WAITROOM_RATE_LIMIT_PER_MINUTE",
                "4"))) {
      String h = human();
      long t0 = System.currentTimeMillis();
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) statuses.add(node.api.get("/v1/rooms", h).status());
      assertThat(statuses).containsExactly(200, 200, 200, 200, 429, 429);
      assertThat(System.currentTimeMillis() - t0).isLessThan(5_000);
      // Writes (and their events, relayed to the absent Redis) still succeed.
      Fixtures f = Fixtures.create(node.api);
      Res s =
          node.api.post(
              "/v1/rooms/" + f.roomSlug + "/signal", f.human, new JsonObject().put("type", "x"));
      assertThat(s.status()).as(s.toString()).isEqualTo(201);
    }
  }

  @Test
  void theLocalBucketRefillsContinuously() throws Exception {
    RateLimiter limiter = new RateLimiter(server.vertx(), 600, null); // 10 per second
    for (int i = 0; i < 600; i++) assertThat(limiter.takeLocal("k").allowed()).isTrue();
    RateLimiter.Decision denied = limiter.takeLocal("k");
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.retryAfterSeconds()).isEqualTo(1);
    Thread.sleep(250); // about 2.5 tokens
    assertThat(limiter.takeLocal("k").allowed()).isTrue();
    assertThat(limiter.takeLocal("k").allowed()).isTrue();
    assertThat(limiter.takeLocal("other").remaining()).isEqualTo(599);
  }
}
