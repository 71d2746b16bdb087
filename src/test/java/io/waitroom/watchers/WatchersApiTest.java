package io.waitroom.watchers;

import static io.waitroom.watchers.Receiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.db.Tx;
import io.waitroom.events.EventLog;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WatchersApiTest {
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    // Retries 100x faster (50 ms, 300 ms, 1.2 s, 6 s, 27 s); the poll every 100 ms.
    server =
        TestServer.start(
            Map.of("WAITROOM_WEBHOOK_RETRY_SCALE", "0.01", "WAITROOM_WATCHER_POLL_MS", "100"));
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // ---- helpers ----

  static Res watch(Fixtures f, String key, JsonObject body) {
    return api.post("/v1/rooms/" + f.roomSlug + "/watch", key, body);
  }

  static JsonObject watcher(Fixtures f, String key, JsonObject body) {
    Res r = watch(f, key, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  /** A watcher of {@code checkin.approved} delivering to {@code url}. */
  static JsonObject approvalWatcher(Fixtures f, String key, String url) {
    return watcher(
        f,
        key,
        new JsonObject()
            .put("event_types", new JsonArray().add("checkin.approved"))
            .put("webhook_url", url));
  }

  static JsonObject approve(Fixtures f, String key, String action) {
    JsonObject ci = f.pendingCheckIn(key, action);
    Res r = api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data();
  }

  static List<JsonObject> deliveries(String watcherId, String credential) {
    return api.all("/v1/watchers/" + watcherId + "/deliveries", credential, 100);
  }

  /** The newest delivery's status, or null before there is one. */
  static String status(String watcherId, String credential) {
    List<JsonObject> all = deliveries(watcherId, credential);
    return all.isEmpty() ? null : all.get(0).getString("status");
  }

  /**
   * 80 watchers in one room and 60 events waiting at once (the cursor held meanwhile, as a busy
   * node would): 4,800 firings are more room events than one transaction holds, so the batch is cut
   * in two and every one fires, instead of the batch failing for ever and stopping dispatch.
   */
  @Test
  void aBatchWhoseFiringsOutgrowOneTransactionIsSplit() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("crowd");
    for (int i = 0; i < 80; i++) {
      Res w = watch(f, key, new JsonObject());
      assertThat(w.status()).as(w.toString()).isEqualTo(201);
    }
    String db = server.databaseUrl.substring(server.databaseUrl.lastIndexOf('/') + 1);
    try (java.sql.Connection hold = TestDb.instance().getDatabase("postgres", db).getConnection()) {
      hold.setAutoCommit(false);
      try (var s = hold.createStatement()) {
        s.executeQuery("SELECT last_event_id FROM watcher_dispatch WHERE id = 1 FOR UPDATE");
      }
      for (int i = 0; i < 60; i++) {
        Res sig =
            api.post(
                "/v1/rooms/" + f.roomSlug + "/signal",
                f.human,
                new JsonObject().put("type", "crowd." + i));
        assertThat(sig.status()).as(sig.toString()).isEqualTo(201);
      }
      hold.commit();
    }
    String count =
        "SELECT count(*) FROM room_events WHERE type = 'watcher.triggered' AND room_id = '"
            + f.room.getString("id")
            + "'";
    await("4,800 firings", Duration.ofSeconds(30), () -> sql(count) >= 4_800);
    quiet(Duration.ofMillis(300));
    assertThat(sql(count)).isEqualTo(4_800);
  }

  /** The newest delivery's attempts (none before there is a delivery). */
  static JsonArray attempts(String watcherId, String credential) {
    List<JsonObject> all = deliveries(watcherId, credential);
    return all.isEmpty() ? new JsonArray() : all.get(0).getJsonArray("attempts");
  }

  static long sql(String query) {
    return TestDb.queryLong(server.databaseUrl, query);
  }

  /** Independent of the server's signer: HMAC-SHA256 per the Standard Webhooks spec. */
  static String expectedSignature(String secret, String id, String timestamp, String body)
      throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] sig = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    return "v1," + Base64.getEncoder().encodeToString(sig);
  }

  static void insertEvent(JsonObject room, String type, JsonObject data) {
    try {
      Tx.run(
              server.vertx(),
              server.server().deps().pool(),
              tx -> EventLog.append(tx, room.getString("org_id"), room.getString("id"), type, data))
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void quiet(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- delivery ----

  @Test
  void anApprovalReachesTheWebhookWithinASecondSignedWithTheSeedBodyAndHeaders() throws Exception {
    try (Receiver rx = Receiver.start()) {
      Fixtures f = Fixtures.create(api);
      String qa = f.agentKey("qa");
      String deployer = f.agentKey("deployer");
      JsonObject w =
          watcher(
              f,
              qa,
              new JsonObject()
                  .put("event_types", new JsonArray().add("checkin.approved"))
                  .put("webhook_url", rx.url()));
      assertThat(w.getString("id")).matches("w_[0-9a-z]{26}");
      String secret = w.getString("secret");

      JsonObject ci = f.pendingCheckIn(deployer, "deploy v2.3.1 to production");
      Instant approvedAt = Instant.now();
      Res ok =
          api.post("/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);

      await("the webhook", Duration.ofSeconds(5), () -> !rx.hits.isEmpty());
      Receiver.Hit hit = rx.hits.get(0);
      assertThat(Duration.between(approvedAt, hit.at())).isLessThan(Duration.ofSeconds(1));

      assertThat(hit.path()).isEqualTo("/hook");
      assertThat(hit.header("Content-Type")).isEqualTo("application/json");
      assertThat(hit.header("X-Watcher-Id")).isEqualTo(w.getString("id"));
      assertThat(hit.header("X-Waitroom-Event")).isEqualTo("checkin.approved");
      String id = hit.header("webhook-id");
      String ts = hit.header("webhook-timestamp");
      assertThat(id).matches("dlv_[0-9a-z]{26}");
      assertThat(Long.parseLong(ts))
          .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.api.Assertions.within(10L));
      assertThat(hit.header("webhook-signature"))
          .isEqualTo(expectedSignature(secret, id, ts, hit.body()));
      // A different secret does not verify.
      assertThat(hit.header("webhook-signature"))
          .isNotEqualTo(expectedSignature(WebhookSigner.newSecret(), id, ts, hit.body()));

      JsonObject body = hit.json();
      assertThat(body.getString("event")).isEqualTo("checkin.approved");
      assertThat(body.getString("room_id")).isEqualTo(f.room.getString("id"));
      assertThat(body.getString("watcher_id")).isEqualTo(w.getString("id"));
      assertThat(body.getLong("id")).isPositive();
      assertThat(Instant.parse(body.getString("timestamp"))).isNotNull();
      assertThat(body.getJsonObject("data").getString("id")).isEqualTo(ci.getString("id"));
      assertThat(body.getJsonObject("data").getString("status")).isEqualTo("approved");
      assertThat(body.getJsonObject("data").getString("action"))
          .isEqualTo("deploy v2.3.1 to production");

      // checkin.created was not subscribed: nothing else arrives.
      quiet(Duration.ofMillis(500));
      assertThat(rx.hits).hasSize(1);

      // A watcher.triggered event went into the room, with the trigger and its chain.
      JsonObject triggered =
          new JsonObject(
              queryString(
                  "SELECT data::text FROM room_events WHERE type = 'watcher.triggered' AND data->>'watcher_id' = '"
                      + w.getString("id")
                      + "'"));
      assertThat(triggered.getLong("trigger_event_id")).isEqualTo(body.getLong("id"));
      assertThat(triggered.getJsonObject("trigger_event").getString("event"))
          .isEqualTo("checkin.approved");
      assertThat(triggered.getJsonArray("chain")).containsExactly(w.getString("id"));

      // The delivery log: one successful attempt.
      List<JsonObject> log = deliveries(w.getString("id"), qa);
      assertThat(log).hasSize(1);
      JsonObject d = log.get(0);
      assertThat(d.getString("id")).isEqualTo(id);
      assertThat(d.getString("status")).isEqualTo("succeeded");
      assertThat(d.getString("event_type")).isEqualTo("checkin.approved");
      assertThat(d.getJsonArray("attempts")).hasSize(1);
      JsonObject a = d.getJsonArray("attempts").getJsonObject(0);
      assertThat(a.getInteger("attempt")).isEqualTo(1);
      assertThat(a.getInteger("status_code")).isEqualTo(200);
      assertThat(a.getString("error")).isNull();
      assertThat(a.getInteger("duration_ms")).isBetween(0, 5000);
      assertThat(a.getString("next_retry_at")).isNull();

      // Prometheus: the pending-deliveries gauge and the attempt counter.
      Res metrics = api.get("/metrics", null);
      assertThat(metrics.raw()).contains("waitroom_webhook_deliveries_pending");
      assertThat(metrics.raw())
          .containsPattern("waitroom_webhook_attempts_total\\{outcome=\"success\"} [1-9]");
    }
  }

  static String queryString(String query) {
    String db = server.databaseUrl.substring(server.databaseUrl.lastIndexOf('/') + 1);
    try (var c = TestDb.instance().getDatabase("postgres", db).getConnection();
        var s = c.createStatement();
        var rs = s.executeQuery(query)) {
      assertThat(rs.next()).as(query).isTrue();
      return rs.getString(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aComplianceWatcherFiltersSignalsByAnyOfTheListedTypes() {
    try (Receiver rx = Receiver.start()) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("compliance");
      watcher(
          f,
          key,
          new JsonObject()
              .put("event_types", new JsonArray().add("signal.broadcast"))
              .put(
                  "filter",
                  new JsonObject()
                      .put("type", new JsonArray().add("budget_approved").add("purchase")))
              .put("webhook_url", rx.url()));
      for (String type : List.of("budget_approved", "config_update", "purchase", "pause")) {
        insertEvent(
            f.room,
            "signal.broadcast",
            new JsonObject()
                .put("id", "sig_" + type)
                .put("type", type)
                .put("payload", new JsonObject()));
      }
      // Not a signal, though its data has a matching "type".
      insertEvent(f.room, "checkin.message", new JsonObject().put("type", "purchase"));
      await("two deliveries", Duration.ofSeconds(5), () -> rx.hits.size() >= 2);
      quiet(Duration.ofMillis(500));
      assertThat(rx.hits).hasSize(2);
      assertThat(rx.hits.stream().map(h -> h.json().getJsonObject("data").getString("type")))
          .containsExactlyInAnyOrder("budget_approved", "purchase");
      assertThat(rx.hits)
          .allSatisfy(h -> assertThat(h.header("X-Waitroom-Event")).isEqualTo("signal.broadcast"));
    }
  }

  @Test
  void aliasesAreAcceptedAndStoredAsGivenAndDottedFiltersMatchTheCheckIn() {
    try (Receiver rx = Receiver.start()) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("watcher");
      JsonObject w =
          watcher(
              f,
              key,
              new JsonObject()
                  .put("event_types", new JsonArray().add("check_in.decided"))
                  .put("filter", new JsonObject().put("context.env", "prod"))
                  .put("webhook_url", rx.url()));
      assertThat(w.getJsonArray("event_types")).containsExactly("check_in.decided");
      assertThat(w.getJsonObject("filter")).isEqualTo(new JsonObject().put("context.env", "prod"));

      String agent = f.agentKey("deployer");
      List<String> ids = new ArrayList<>();
      for (String env : List.of("prod", "dev")) {
        Res r =
            f.checkIn(
                agent,
                new JsonObject()
                    .put("action", "deploy " + env)
                    .put("context", new JsonObject().put("env", env)));
        ids.add(r.data().getString("id"));
      }
      api.post(
          "/v1/check-ins/" + ids.get(0) + "/reject",
          f.human,
          new JsonObject().put("reason", "not now"));
      api.post("/v1/check-ins/" + ids.get(1) + "/approve", f.human, new JsonObject());
      await("the rejection", Duration.ofSeconds(5), () -> !rx.hits.isEmpty());
      quiet(Duration.ofMillis(500));
      assertThat(rx.hits).hasSize(1);
      assertThat(rx.hits.get(0).header("X-Waitroom-Event")).isEqualTo("checkin.rejected");
      assertThat(rx.hits.get(0).json().getJsonObject("data").getString("id")).isEqualTo(ids.get(0));
    }
  }

  @Test
  void aWatcherWithoutAWebhookOnlyEmitsWatcherTriggered() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("silent");
    JsonObject w =
        watcher(
            f, key, new JsonObject().put("event_types", new JsonArray().add("checkin.created")));
    assertThat(w.getValue("webhook_url")).isNull();
    f.pendingCheckIn(f.agentKey("a"), "something");
    String wid = w.getString("id");
    await(
        "watcher.triggered",
        Duration.ofSeconds(5),
        () ->
            sql(
                    "SELECT count(*) FROM room_events WHERE type = 'watcher.triggered' AND data->>'watcher_id' = '"
                        + wid
                        + "'")
                == 1);
    assertThat(sql("SELECT count(*) FROM webhook_deliveries WHERE watcher_id = '" + wid + "'"))
        .isZero();
    assertThat(deliveries(wid, key)).isEmpty();
  }

  // ---- validation ----

  @Test
  void badInputIs400NamingTheField() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    record Case(JsonObject body, String field) {}
    List<Case> cases =
        List.of(
            new Case(
                new JsonObject()
                    .put(
                        "event_types",
                        new JsonArray().add("checkin.approved").add("checkin.bogus")),
                "event_types[1]"),
            new Case(
                new JsonObject().put("event_types", new JsonArray().add(42)), "event_types[0]"),
            new Case(new JsonObject().put("event_types", "checkin.approved"), "event_types"),
            new Case(new JsonObject().put("filter", "type=purchase"), "filter"),
            new Case(new JsonObject().put("filter", new JsonArray().add("x")), "filter"),
            new Case(
                new JsonObject().put("filter", new JsonObject().put("big", "x".repeat(11 * 1024))),
                "filter"),
            new Case(new JsonObject().put("webhook_url", "ftp://example.com/hook"), "webhook_url"),
            new Case(new JsonObject().put("webhook_url", "not a url"), "webhook_url"),
            new Case(new JsonObject().put("webhook_url", "http://"), "webhook_url"),
            new Case(new JsonObject().put("webhook_url", "example.com/hook"), "webhook_url"),
            new Case(
                new JsonObject().put("webhook_url", "https://example.com/" + "a".repeat(2000)),
                "webhook_url"),
            new Case(new JsonObject().put("webhook_url", 12), "webhook_url"));
    for (Case c : cases) {
      Res r = watch(f, key, c.body());
      assertThat(r.status()).as(c + " -> " + r).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.toString())
          .isEqualTo(c.field());
    }
    Res malformed = watch(f, key, null);
    assertThat(malformed.status()).isEqualTo(201); // an empty body: every event, no webhook
    Res notJson = api.send("POST", "/v1/rooms/" + f.roomSlug + "/watch", key, "{nope", Map.of());
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(
            sql("SELECT count(*) FROM watchers WHERE room_id = '" + f.room.getString("id") + "'"))
        .isEqualTo(1);
  }

  @Test
  void onlyAgentsWatchAndRoomScopesAreRespected() {
    Fixtures f = Fixtures.create(api);
    assertThat(watch(f, f.human, new JsonObject()).status()).isEqualTo(403);
    assertThat(api.post("/v1/rooms/" + f.roomSlug + "/watch", null, new JsonObject()).status())
        .isEqualTo(401);
    Res other = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Finance"));
    assertThat(other.status()).as(other.toString()).isEqualTo(201);
    String otherRoom = other.data().getString("id");
    Res scoped =
        api.post(
            "/v1/agents/register",
            f.human,
            new JsonObject()
                .put("name", "scoped")
                .put("room_scopes", new JsonArray().add(otherRoom)));
    assertThat(scoped.status()).as(scoped.toString()).isEqualTo(201);
    String scopedKey = scoped.data().getString("api_key");
    assertThat(watch(f, scopedKey, new JsonObject()).status()).isEqualTo(403);
    assertThat(api.post("/v1/rooms/" + otherRoom + "/watch", scopedKey, new JsonObject()).status())
        .isEqualTo(201);
    // Another org's room does not exist for this agent.
    Fixtures stranger = Fixtures.create(api);
    Res foreign =
        api.post(
            "/v1/rooms/" + stranger.room.getString("id") + "/watch",
            f.agentKey("x"),
            new JsonObject());
    assertThat(foreign.status()).isEqualTo(404);
  }

  @Test
  void theSecretIsShownOnceAndListingShowsOnlyActiveWatchers() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    JsonObject w1 = watcher(f, key, new JsonObject().put("webhook_url", "http://127.0.0.1:9/a"));
    JsonObject w2 =
        watcher(
            f, key, new JsonObject().put("event_types", new JsonArray().add("signal.broadcast")));
    String secret = w1.getString("secret");
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6)).length).isBetween(24, 32);
    assertThat(w1.getString("secret")).isNotEqualTo(w2.getString("secret"));
    assertThat(w1.getBoolean("is_active")).isTrue();
    assertThat(w1.getString("agent_id")).isEqualTo(f.agentId(key));

    String path = "/v1/rooms/" + f.roomSlug + "/watchers";
    assertThat(api.get(path, key).status()).isEqualTo(403); // humans only
    List<JsonObject> listed = api.all(path, f.human, 1);
    assertThat(listed)
        .extracting(o -> o.getString("id"))
        .containsExactly(w1.getString("id"), w2.getString("id"));
    assertThat(listed).allSatisfy(o -> assertThat(o.containsKey("secret")).isFalse());

    Res removed = api.delete(path + "/" + w1.getString("id"), f.human);
    assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
    assertThat(removed.data().getBoolean("is_active")).isFalse();
    assertThat(removed.data().containsKey("secret")).isFalse();
    assertThat(api.all(path, f.human, 50))
        .extracting(o -> o.getString("id"))
        .containsExactly(w2.getString("id"));
    assertThat(api.delete(path + "/" + w1.getString("id"), f.human).status()).isEqualTo(409);
    assertThat(api.delete(path + "/w_nope", f.human).status()).isEqualTo(404);
    // The row stays, inactive, for the audit trail.
    assertThat(
            sql(
                "SELECT count(*) FROM watchers WHERE id = '"
                    + w1.getString("id")
                    + "' AND NOT is_active"))
        .isEqualTo(1);

    // Audit rows for creation and removal.
    List<JsonObject> audit = api.all("/v1/audit?event_type=watcher.created", f.human, 50);
    assertThat(audit)
        .extracting(o -> o.getString("target_id"))
        .contains(w1.getString("id"), w2.getString("id"));
    assertThat(audit)
        .allSatisfy(o -> assertThat(o.getJsonObject("snapshot").containsKey("secret")).isFalse());
    List<JsonObject> removals = api.all("/v1/audit?event_type=watcher.removed", f.human, 50);
    assertThat(removals)
        .extracting(o -> o.getString("target_id"))
        .containsExactly(w1.getString("id"));
    assertThat(removals.get(0).getString("actor_type")).isEqualTo("human");
  }

  @Test
  void aRemovedWatcherNoLongerFires() {
    try (Receiver rx = Receiver.start()) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("qa");
      String agent = f.agentKey("deployer");
      JsonObject w = approvalWatcher(f, key, rx.url());
      approve(f, agent, "first");
      await("the first delivery", Duration.ofSeconds(5), () -> rx.hits.size() == 1);
      Res del = api.delete("/v1/watchers/" + w.getString("id"), key);
      assertThat(del.status()).as(del.toString()).isEqualTo(200);
      approve(f, agent, "second");
      quiet(Duration.ofMillis(800));
      assertThat(rx.hits).hasSize(1);
      assertThat(
              sql(
                  "SELECT count(*) FROM room_events WHERE type = 'watcher.triggered' AND data->>'watcher_id' = '"
                      + w.getString("id")
                      + "'"))
          .isEqualTo(1);
    }
  }

  @Test
  void onlyTheOwningAgentRemovesItsWatcherAndSeesItsDeliveries() {
    Fixtures f = Fixtures.create(api);
    String owner = f.agentKey("owner");
    String other = f.agentKey("other");
    JsonObject w = watcher(f, owner, new JsonObject());
    String id = w.getString("id");

    assertThat(api.delete("/v1/watchers/" + id, other).status()).isEqualTo(403);
    assertThat(api.get("/v1/watchers/" + id + "/deliveries", other).status()).isEqualTo(403);
    assertThat(api.delete("/v1/watchers/" + id, f.human).status())
        .isEqualTo(403); // the agent route
    assertThat(api.get("/v1/watchers/" + id + "/deliveries", owner).status()).isEqualTo(200);
    assertThat(api.get("/v1/watchers/" + id + "/deliveries", f.human("bob")).status())
        .isEqualTo(200);
    assertThat(api.get("/v1/watchers/" + id + "/deliveries?status=bogus", owner).status())
        .isEqualTo(400);

    Fixtures stranger = Fixtures.create(api);
    assertThat(api.get("/v1/watchers/" + id + "/deliveries", stranger.human).status())
        .isEqualTo(404);
    assertThat(api.delete("/v1/watchers/" + id, stranger.agentKey("s")).status()).isEqualTo(404);
    assertThat(
            api.delete("/v1/rooms/" + stranger.roomSlug + "/watchers/" + id, stranger.human)
                .status())
        .isEqualTo(404);

    assertThat(api.delete("/v1/watchers/" + id, owner).status()).isEqualTo(200);
    assertThat(api.delete("/v1/watchers/" + id, owner).status()).isEqualTo(409);
    assertThat(api.delete("/v1/watchers/w_nope", owner).status()).isEqualTo(404);
    List<JsonObject> removals = api.all("/v1/audit?event_type=watcher.removed", f.human, 50);
    assertThat(removals).hasSize(1);
    assertThat(removals.get(0).getString("actor_type")).isEqualTo("agent");
  }

  @Test
  void concurrentRemovalsHaveExactlyOneWinner() throws Exception {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = watcher(f, key, new JsonObject()).getString("id");
    List<java.util.concurrent.CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(api.sendAsync("DELETE", "/v1/watchers/" + id, key, null, Map.of()));
      all.add(
          api.sendAsync(
              "DELETE", "/v1/rooms/" + f.roomSlug + "/watchers/" + id, f.human, null, Map.of()));
    }
    int ok = 0;
    int conflict = 0;
    for (var c : all) {
      int s = c.get(30, TimeUnit.SECONDS).status();
      if (s == 200) ok++;
      if (s == 409) conflict++;
    }
    assertThat(ok).isEqualTo(1);
    assertThat(conflict).isEqualTo(15);
    assertThat(api.all("/v1/audit?event_type=watcher.removed", f.human, 50)).hasSize(1);
  }

  // ---- retries and hostile receivers ----

  @Test
  void aReceiverThatFailsTwiceGetsTheDeliveryOnTheThirdAttemptAndEveryAttemptIsListed()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (Receiver rx =
        Receiver.start()
            .respond(
                req ->
                    req.response().setStatusCode(calls.incrementAndGet() <= 2 ? 503 : 204).end())) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("qa");
      JsonObject w = approvalWatcher(f, key, rx.url());
      approve(f, f.agentKey("deployer"), "deploy");
      await("three attempts", Duration.ofSeconds(10), () -> rx.hits.size() >= 3);
      await(
          "the success recorded",
          Duration.ofSeconds(5),
          () -> "succeeded".equals(status(w.getString("id"), key)));
      quiet(Duration.ofMillis(500));
      assertThat(rx.hits).hasSize(3);
      // Same webhook-id on every attempt, each freshly and validly signed.
      assertThat(rx.hits.stream().map(h -> h.header("webhook-id")).distinct()).hasSize(1);
      for (Receiver.Hit h : rx.hits) {
        assertThat(h.header("webhook-signature"))
            .isEqualTo(
                expectedSignature(
                    w.getString("secret"),
                    h.header("webhook-id"),
                    h.header("webhook-timestamp"),
                    h.body()));
      }
      // Retried after about 50 ms then 300 ms (the schedule scaled by 0.01).
      assertThat(Duration.between(rx.hits.get(1).at(), rx.hits.get(2).at()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(250));

      JsonObject d = deliveries(w.getString("id"), f.human).get(0);
      assertThat(d.getInteger("attempt_count")).isEqualTo(3);
      assertThat(d.getInteger("last_status_code")).isEqualTo(204);
      JsonArray attempts = d.getJsonArray("attempts");
      assertThat(attempts).hasSize(3);
      for (int i = 0; i < 3; i++) {
        JsonObject a = attempts.getJsonObject(i);
        assertThat(a.getInteger("attempt")).isEqualTo(i + 1);
        assertThat(a.getInteger("duration_ms")).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(a.getString("attempted_at")).isNotNull();
      }
      assertThat(attempts.getJsonObject(0).getInteger("status_code")).isEqualTo(503);
      assertThat(attempts.getJsonObject(0).getString("error")).contains("503");
      assertThat(attempts.getJsonObject(0).getString("next_retry_at")).isNotNull();
      assertThat(attempts.getJsonObject(1).getInteger("status_code")).isEqualTo(503);
      assertThat(attempts.getJsonObject(1).getString("next_retry_at")).isNotNull();
      assertThat(attempts.getJsonObject(2).getInteger("status_code")).isEqualTo(204);
      assertThat(attempts.getJsonObject(2).getString("error")).isNull();
      assertThat(attempts.getJsonObject(2).getString("next_retry_at")).isNull();
    }
  }

  /**
   * Outcomes are recorded in batches (one statement for every attempt that finished meanwhile): the
   * receiver holds 20 requests and answers them at once, 503 on the first attempt of every other
   * one, so their outcomes are written together; each delivery keeps its own outcome.
   */
  @Test
  void outcomesRecordedTogetherEachKeepTheirOwnStatusAndAttempts() {
    // Touched on the receiver's event loop only, read by the test after the deliveries settle.
    List<HttpServerRequest> held = new ArrayList<>();
    Map<String, Integer> hitsById = new ConcurrentHashMap<>();
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    AtomicBoolean released = new AtomicBoolean();
    try (Receiver rx =
        Receiver.start()
            .respond(
                req -> {
                  // Every other delivery fails its first attempt; retries are answered at once.
                  String id = req.getHeader("webhook-id");
                  int n = hitsById.merge(id, 1, Integer::sum);
                  if (n == 1 && hitsById.size() % 2 == 0) failedOnce.add(id);
                  held.add(req);
                  if (!released.get() && held.size() < 20) return;
                  released.set(true);
                  for (HttpServerRequest r : held) {
                    String rid = r.getHeader("webhook-id");
                    boolean fail = failedOnce.contains(rid) && hitsById.get(rid) == 1;
                    r.response().setStatusCode(fail ? 503 : 204).end();
                  }
                  held.clear();
                })) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("batch");
      JsonObject w =
          watcher(
              f,
              key,
              new JsonObject()
                  .put("event_types", new JsonArray().add("signal.broadcast"))
                  .put("webhook_url", rx.url()));
      for (int i = 0; i < 20; i++) {
        String type = (i % 2 == 0 ? "fail-" : "ok-") + i;
        insertEvent(
            f.room,
            "signal.broadcast",
            new JsonObject()
                .put("id", "sig_" + type)
                .put("type", type)
                .put("payload", new JsonObject()));
      }
      await(
          "20 deliveries succeeded",
          Duration.ofSeconds(15),
          () ->
              deliveries(w.getString("id"), key).stream()
                      .filter(d -> "succeeded".equals(d.getString("status")))
                      .count()
                  == 20);
      assertThat(failedOnce).hasSize(10);
      for (JsonObject d : deliveries(w.getString("id"), key)) {
        JsonArray attempts = d.getJsonArray("attempts");
        if (failedOnce.contains(d.getString("id"))) {
          assertThat(attempts).as(d.encode()).hasSize(2);
          assertThat(attempts.getJsonObject(0).getInteger("status_code")).isEqualTo(503);
          assertThat(attempts.getJsonObject(0).getString("next_retry_at")).isNotNull();
          assertThat(attempts.getJsonObject(1).getInteger("status_code")).isEqualTo(204);
          assertThat(attempts.getJsonObject(1).getString("next_retry_at")).isNull();
        } else {
          assertThat(attempts).as(d.encode()).hasSize(1);
          assertThat(attempts.getJsonObject(0).getInteger("status_code")).isEqualTo(204);
          assertThat(attempts.getJsonObject(0).getString("error")).isNull();
        }
        assertThat(d.getInteger("attempt_count")).isEqualTo(attempts.size());
        assertThat(d.getInteger("last_status_code")).isEqualTo(204);
      }
    }
  }

  @Test
  void afterSixFailedAttemptsTheDeliveryIsFailed() {
    try (Receiver rx = Receiver.start().respond(req -> req.response().setStatusCode(500).end())) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("qa");
      JsonObject w = approvalWatcher(f, key, rx.url());
      approve(f, f.agentKey("deployer"), "deploy");
      // 50 ms + 300 ms + 1.2 s + 6 s + 27 s at this scale would be too slow: shorten the last
      // waits.
      await("three attempts", Duration.ofSeconds(10), () -> rx.hits.size() >= 3);
      TestDb.exec(
          server.databaseUrl,
          "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending' AND watcher_id = '"
              + w.getString("id")
              + "' AND attempts = 3");
      await("four attempts", Duration.ofSeconds(10), () -> rx.hits.size() >= 4);
      TestDb.exec(
          server.databaseUrl,
          "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending' AND watcher_id = '"
              + w.getString("id")
              + "' AND attempts = 4");
      await("five attempts", Duration.ofSeconds(10), () -> rx.hits.size() >= 5);
      TestDb.exec(
          server.databaseUrl,
          "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending' AND watcher_id = '"
              + w.getString("id")
              + "' AND attempts = 5");
      await(
          "the delivery to fail",
          Duration.ofSeconds(10),
          () -> "failed".equals(status(w.getString("id"), key)));
      quiet(Duration.ofMillis(500));
      assertThat(rx.hits).hasSize(6);
      JsonObject d = deliveries(w.getString("id"), key).get(0);
      assertThat(d.getJsonArray("attempts")).hasSize(6);
      assertThat(d.getValue("next_attempt_at")).isNull();
      assertThat(d.getJsonArray("attempts").getJsonObject(5).getString("next_retry_at")).isNull();
      assertThat(
              api.get("/v1/watchers/" + w.getString("id") + "/deliveries?status=failed", key)
                  .list())
          .hasSize(1);
      assertThat(
              api.get("/v1/watchers/" + w.getString("id") + "/deliveries?status=pending", key)
                  .list())
          .isEmpty();
    }
  }

  @Test
  void aSlowReceiverTimesOutAfterFiveSecondsAndIsRecordedAsAnError() {
    try (Receiver rx = Receiver.start().respond(req -> {})) { // never answers
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("qa");
      JsonObject w = approvalWatcher(f, key, rx.url());
      approve(f, f.agentKey("deployer"), "deploy");
      await(
          "the timeout recorded",
          Duration.ofSeconds(15),
          () -> !attempts(w.getString("id"), key).isEmpty());
      JsonObject a =
          deliveries(w.getString("id"), key).get(0).getJsonArray("attempts").getJsonObject(0);
      assertThat(a.getValue("status_code")).isNull();
      assertThat(a.getString("error")).contains("timed out");
      assertThat(a.getInteger("duration_ms")).isBetween(4900, 6500);
      assertThat(a.getString("next_retry_at")).isNotNull();
      api.delete("/v1/watchers/" + w.getString("id"), key);
    }
  }

  @Test
  void aHugeResponseBodyIsNotReadAndARedirectIsNotFollowed() {
    AtomicBoolean closedOnUs = new AtomicBoolean();
    try (Receiver target = Receiver.start();
        Receiver rx =
            Receiver.start()
                .respond(
                    req -> {
                      if (req.path().equals("/redirect")) {
                        req.response()
                            .setStatusCode(302)
                            .putHeader("Location", target.url("/elsewhere"))
                            .end();
                        return;
                      }
                      // An endless 200 body: only a client that stops reading ever finishes.
                      var resp = req.response().setChunked(true).setStatusCode(200);
                      resp.exceptionHandler(e -> closedOnUs.set(true));
                      resp.closeHandler(v -> closedOnUs.set(true));
                      Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
                      Runnable[] pump = new Runnable[1];
                      pump[0] =
                          () -> {
                            while (!closedOnUs.get() && !resp.writeQueueFull()) resp.write(chunk);
                            if (!closedOnUs.get()) resp.drainHandler(v -> pump[0].run());
                          };
                      pump[0].run();
                    })) {
      Fixtures f = Fixtures.create(api);
      String key = f.agentKey("qa");
      JsonObject huge =
          watcher(
              f,
              key,
              new JsonObject()
                  .put("event_types", new JsonArray().add("checkin.approved"))
                  .put("webhook_url", rx.url("/huge")));
      JsonObject redirect =
          watcher(
              f,
              key,
              new JsonObject()
                  .put("event_types", new JsonArray().add("checkin.approved"))
                  .put("webhook_url", rx.url("/redirect")));
      approve(f, f.agentKey("deployer"), "deploy");

      await(
          "the huge delivery recorded",
          Duration.ofSeconds(10),
          () -> "succeeded".equals(status(huge.getString("id"), key)));
      JsonObject a =
          deliveries(huge.getString("id"), key).get(0).getJsonArray("attempts").getJsonObject(0);
      assertThat(a.getInteger("status_code")).isEqualTo(200);
      assertThat(a.getInteger("duration_ms")).isLessThan(3000);
      await("the server to hang up on the endless body", Duration.ofSeconds(5), closedOnUs::get);

      await(
          "the redirect recorded",
          Duration.ofSeconds(10),
          () -> !attempts(redirect.getString("id"), key).isEmpty());
      JsonObject r =
          deliveries(redirect.getString("id"), key)
              .get(0)
              .getJsonArray("attempts")
              .getJsonObject(0);
      assertThat(r.getInteger("status_code")).isEqualTo(302);
      assertThat(r.getString("error")).contains("302");
      assertThat(r.getString("next_retry_at")).isNotNull();
      quiet(Duration.ofMillis(300));
      assertThat(target.hits).isEmpty();
      api.delete("/v1/watchers/" + redirect.getString("id"), key);
    }
  }

  // ---- cascades ----

  @Test
  void cascadesNeverLoopAndStopAtDepthFive() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("orchestrator");
    String root =
        watcher(
                f,
                key,
                new JsonObject().put("event_types", new JsonArray().add("checkin.approved")))
            .getString("id");
    Set<String> relays = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      relays.add(
          watcher(
                  f,
                  key,
                  new JsonObject().put("event_types", new JsonArray().add("watcher.triggered")))
              .getString("id"));
    }
    approve(f, f.agentKey("deployer"), "deploy");

    // The root fires once; then every ordering of distinct relays, up to five watchers a chain:
    // 1 + 5 + 5*4 + 5*4*3 + 5*4*3*2 = 206 firings, and then it stops.
    String room = f.room.getString("id");
    String count =
        "SELECT count(*) FROM room_events WHERE type = 'watcher.triggered' AND room_id = '"
            + room
            + "'";
    await(
        "the cascade to settle",
        Duration.ofSeconds(30),
        () ->
            sql(count) >= 206
                && sql(
                        "SELECT count(*) FROM room_events WHERE id > (SELECT last_event_id FROM watcher_dispatch)")
                    == 0);
    quiet(Duration.ofMillis(500));
    assertThat(sql(count)).isEqualTo(206);
    assertThat(
            sql(
                "SELECT max(jsonb_array_length(data->'chain')) FROM room_events WHERE type = 'watcher.triggered' AND room_id = '"
                    + room
                    + "'"))
        .isEqualTo(5);
    // No chain holds a watcher twice, every chain starts at the root.
    assertThat(
            sql(
                "SELECT count(*) FROM room_events e WHERE type = 'watcher.triggered' AND room_id = '"
                    + room
                    + "' AND (SELECT count(DISTINCT x) FROM jsonb_array_elements_text(e.data->'chain') x) <> jsonb_array_length(e.data->'chain')"))
        .isZero();
    assertThat(
            sql(
                "SELECT count(*) FROM room_events WHERE type = 'watcher.triggered' AND room_id = '"
                    + room
                    + "' AND data->'chain'->>0 <> '"
                    + root
                    + "'"))
        .isZero();
    // Each firing names the event that triggered it and extends that event's chain by itself.
    assertThat(
            sql(
                "SELECT count(*) FROM room_events e JOIN room_events t ON t.id = (e.data->>'trigger_event_id')::bigint"
                    + " WHERE e.type = 'watcher.triggered' AND e.room_id = '"
                    + room
                    + "' AND t.type = 'watcher.triggered'"
                    + " AND e.data->'chain' <> (t.data->'chain') || jsonb_build_array(e.data->>'watcher_id')"))
        .isZero();
    assertThat(relays).hasSize(5);
  }
}
