package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.HttpVerticle;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OperationsTest {
  static TestServer server;
  static Api api;
  static final String ALICE = TestServer.token("ops-org", "alice");

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Words that only show up on the wire when internals leak. */
  static final List<String> LEAKS =
      List.of(
          "Exception",
          "exception",
          "\tat ",
          "at io.",
          "at java.",
          ".java:",
          "SELECT",
          "INSERT",
          "UPDATE ",
          "WHERE",
          "syntax error",
          "postgres",
          "PG",
          "SQLSTATE",
          "vertx",
          "io.waitroom",
          "Caused by");

  static void assertNoLeak(Res r) {
    for (String leak : LEAKS) assertThat(r.raw()).as(r.toString()).doesNotContain(leak);
  }

  static void assertEnvelope(Res r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.json().fieldNames()).containsExactly("error");
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.error().getInteger("statusCode")).isEqualTo(status);
    assertThat(r.error().getString("message")).isNotBlank();
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.header("X-Request-Id")).isNotBlank();
    assertNoLeak(r);
  }

  /**
   * A client that accepts gzip (most libraries say so by default) gets small answers as they are
   * and large ones compressed: compressing a status poll's answer cost it 30% of its throughput.
   */
  @Test
  void onlyAnswersOverTheThresholdAreCompressed() {
    Map<String, String> gzip = Map.of("Accept-Encoding", "gzip, deflate");
    Res small = api.send("GET", "/healthz", null, null, gzip);
    assertThat(small.status()).isEqualTo(200);
    assertThat(small.header("Content-Encoding")).isIn(null, "identity");
    assertThat(small.raw().length()).isLessThan(HttpVerticle.COMPRESS_ABOVE_BYTES);
    Res plain = api.get("/openapi.json", null);
    assertThat(plain.raw().length()).isGreaterThan(HttpVerticle.COMPRESS_ABOVE_BYTES);
    Res large = api.send("GET", "/openapi.json", null, null, gzip);
    assertThat(large.status()).isEqualTo(200);
    assertThat(large.header("Content-Encoding")).isIn("gzip", "deflate");
  }

  @Test
  void healthzAnswers200WithoutAuth() {
    Res r = api.get("/healthz", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getString("status")).isEqualTo("ok");
  }

  @Test
  void readyzAnswers200WhileTheDatabaseIsUp() {
    Res r = api.get("/readyz", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().getString("status")).isEqualTo("ready");
    assertThat(r.json().getString("database")).isEqualTo("up");
  }

  @Test
  void metricsExposeHttpRequestsLabelledByRoute() {
    String slug =
        api.post("/v1/rooms", ALICE, new JsonObject().put("name", "Metered"))
            .data()
            .getString("slug");
    for (int i = 0; i < 3; i++) {
      assertThat(api.get("/v1/rooms", ALICE).status()).isEqualTo(200);
      assertThat(api.get("/v1/rooms/" + slug, ALICE).status()).isEqualTo(200);
    }
    Res r = api.get("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    String text = r.raw();
    assertThat(text).contains("# TYPE vertx_http_server_requests_total counter");
    List<String> requests =
        text.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{")).toList();
    // The template, not the concrete path: one series per route, not one per room.
    assertThat(requests)
        .anyMatch(
            l ->
                l.contains("route=\"/v1/rooms\"")
                    && l.contains("method=\"GET\"")
                    && l.contains("code=\"200\""));
    assertThat(requests).anyMatch(l -> l.contains("route=\"/v1/rooms/:room\""));
    assertThat(requests).noneMatch(l -> l.contains(slug));
    // Middleware routes do not leak into the label ("/v1/*>/v1/rooms").
    assertThat(requests).noneMatch(l -> l.contains(">") || l.contains("*"));
    assertThat(text).contains("vertx_http_server_response_time_seconds");
    assertThat(counter(requests, "/v1/rooms/:room", "GET", "200")).isGreaterThanOrEqualTo(3.0);
  }

  /** The value of the request counter series of this route, method and status code. */
  static double counter(List<String> lines, String route, String method, String code) {
    return lines.stream()
        .filter(
            l ->
                l.contains("route=\"" + route + "\"")
                    && l.contains("method=\"" + method + "\"")
                    && l.contains("code=\"" + code + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void anUnknownRouteIs404WithTheErrorEnvelope() {
    assertEnvelope(api.get("/nope", null), 404, "NOT_FOUND");
    assertEnvelope(api.get("/v1/nope", ALICE), 404, "NOT_FOUND");
    assertEnvelope(api.post("/v1/rooms/x/y/z", ALICE, new JsonObject()), 404, "NOT_FOUND");
  }

  @Test
  void aWrongMethodIs405WithTheErrorEnvelope() {
    Res healthz = api.send("DELETE", "/healthz", null, null, Map.of());
    assertEnvelope(healthz, 405, "METHOD_NOT_ALLOWED");
    Res rooms = api.send("DELETE", "/v1/rooms", ALICE, null, Map.of());
    assertEnvelope(rooms, 405, "METHOD_NOT_ALLOWED");
    assertEnvelope(
        api.send("PATCH", "/v1/agents/me", ALICE, "{}", Map.of()), 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  void everyResponseCarriesARequestId() {
    List<Res> responses = new ArrayList<>();
    responses.add(api.get("/healthz", null));
    responses.add(api.get("/readyz", null));
    responses.add(api.get("/metrics", null));
    responses.add(api.get("/v1/rooms", ALICE));
    responses.add(api.get("/v1/rooms", null));
    responses.add(api.get("/v1/rooms", "garbage"));
    responses.add(api.get("/v1/rooms/nope", ALICE));
    responses.add(api.get("/nope", null));
    responses.add(api.send("DELETE", "/healthz", null, null, Map.of()));
    responses.add(api.post("/v1/rooms", ALICE, "{bad json"));
    responses.add(api.post("/v1/rooms", ALICE, new JsonObject().put("name", "x".repeat(70_000))));
    responses.add(api.post("/v1/agents/self-register", null, new JsonObject()));
    for (Res r : responses) {
      assertThat(r.header("X-Request-Id")).as(r.toString()).matches("req_[0-9a-z]{26}");
    }
    assertThat(responses.stream().map(r -> r.header("X-Request-Id")).distinct())
        .hasSize(responses.size());
    // A caller's own well-formed id is echoed, on errors too; a hostile one is replaced.
    assertThat(
            api.send("GET", "/nope", null, null, Map.of("X-Request-Id", "trace-42"))
                .header("X-Request-Id"))
        .isEqualTo("trace-42");
    assertThat(
            api.send("GET", "/v1/rooms", null, null, Map.of("X-Request-Id", "evil\"<script>"))
                .header("X-Request-Id"))
        .startsWith("req_");
  }

  @Test
  void oddCharactersReachingTheDatabaseNeverLeakInternals() {
    String nul = "a\u0000b";
    // Text PostgreSQL cannot store: refused as a validation error naming the field.
    Map<String, JsonObject> bodies = new java.util.LinkedHashMap<>();
    bodies.put("name", new JsonObject().put("name", nul));
    bodies.put("description", new JsonObject().put("name", "ok").put("description", nul));
    bodies.put(
        "policies",
        new JsonObject().put("name", "ok").put("policies", new JsonObject().put("x", nul)));
    for (var b : bodies.entrySet()) {
      Res r = api.post("/v1/rooms", ALICE, b.getValue());
      assertEnvelope(r, 400, "VALIDATION_ERROR");
      assertThat(r.error().getJsonObject("details").getString("field")).startsWith(b.getKey());
    }
    Res agent =
        api.post(
            "/v1/agents/register", ALICE, new JsonObject().put("name", "ok").put("platform", nul));
    assertEnvelope(agent, 400, "VALIDATION_ERROR");
    assertThat(agent.error().getJsonObject("details").getString("field")).isEqualTo("platform");
    Res scopes =
        api.post(
            "/v1/agents/register",
            ALICE,
            new JsonObject().put("name", "ok").put("room_scopes", new JsonArray().add(nul)));
    assertEnvelope(scopes, 400, "VALIDATION_ERROR");
    Res self = api.post("/v1/agents/self-register", null, new JsonObject().put("name", nul));
    assertEnvelope(self, 400, "VALIDATION_ERROR");
    Res claim = api.post("/v1/agents/claim", ALICE, new JsonObject().put("claim_token", nul));
    assertEnvelope(claim, 400, "VALIDATION_ERROR");

    // In the path and in the cursor: never a server error.
    for (String path :
        List.of(
            "/v1/rooms/%00",
            "/v1/rooms/a%00b",
            "/v1/agents/ag_%00",
            "/v1/rooms/" + enc("'; DROP TABLE rooms; --"),
            "/v1/rooms/" + enc("\"\\%_*?$1"),
            "/v1/agents/" + enc("' OR '1'='1"),
            "/v1/rooms/" + enc("\u00e9\u4e2d\uD83E\uDD16"),
            "/v1/rooms/" + "x".repeat(300))) {
      Res r = api.get(path, ALICE);
      assertThat(r.status()).as(path + " -> " + r).isBetween(400, 499);
      assertNoLeak(r);
    }
    String orgId =
        api.post("/v1/rooms", ALICE, new JsonObject().put("name", "Cursor"))
            .data()
            .getString("org_id");
    String evilCursor =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(("rooms:" + orgId + "\n\u0000").getBytes(StandardCharsets.UTF_8));
    Res cursor = api.get("/v1/rooms?cursor=" + evilCursor, ALICE);
    assertEnvelope(cursor, 400, "VALIDATION_ERROR");
    assertThat(cursor.error().getJsonObject("details").getString("field")).isEqualTo("cursor");

    // Quotes and SQL-looking text are data, stored and returned as sent.
    String sqlish = "Robert'); DROP TABLE rooms;-- \"\\ %_ \u00e9\uD83E\uDD16";
    Res created =
        api.post(
            "/v1/rooms", ALICE, new JsonObject().put("name", sqlish).put("description", sqlish));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(
            api.get("/v1/rooms/" + created.data().getString("id"), ALICE).data().getString("name"))
        .isEqualTo(sqlish);
    assertThat(api.get("/readyz", null).status()).isEqualTo(200);
  }

  /** One raw HTTP/1.1 exchange, for requests no well-behaved client library would send. */
  static String raw(String requestHead) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.server().port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aPathThatCannotBeDecodedGetsTheEnvelopeToo() throws Exception {
    for (String path : List.of("/v1/rooms/%zz", "/v1/rooms/%", "/v1/agents/%E0%A4%A")) {
      String response =
          raw(
              "GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + ALICE
                  + "\r\nConnection: close\r\n\r\n");
      String head = response.substring(0, response.indexOf("\r\n\r\n"));
      String body = response.substring(response.indexOf("\r\n\r\n") + 4);
      assertThat(head)
          .as(path)
          .startsWith("HTTP/1.1 400")
          .containsIgnoringCase("X-Request-Id: req_");
      assertThat(head).containsIgnoringCase("Content-Type: application/json");
      JsonObject error = new JsonObject(body).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("VALIDATION_ERROR");
      assertThat(error.getInteger("statusCode")).isEqualTo(400);
    }
  }

  @Test
  void aStartThatFailsReportsTheCauseInsteadOfHanging() {
    long t0 = System.nanoTime();
    String unreachable = "postgresql://postgres@127.0.0.1:" + TestServer.freePort() + "/nowhere";
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestServer.start(Map.of("WAITROOM_DATABASE_URL", unreachable)).close())
        .hasStackTraceContaining("Connection")
        .hasStackTraceContaining("refused");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(java.time.Duration.ofSeconds(30));
  }

  @Test
  void deeplyNestedJsonIs400() {
    Res deep = api.post("/v1/rooms", ALICE, "[".repeat(5000) + "]".repeat(5000));
    assertEnvelope(deep, 400, "VALIDATION_ERROR");
    Res deepObject =
        api.post(
            "/v1/rooms", ALICE, "{\"name\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3001));
    assertEnvelope(deepObject, 400, "VALIDATION_ERROR");
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
