package io.waitroom.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.SseClient;
import io.waitroom.support.TestDb;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SignalsApiTest extends ServerTest {
  static Res signal(Fixtures f, String credential, Object body) {
    return api.post("/v1/rooms/" + f.roomSlug + "/signal", credential, body);
  }

  @Test
  void aHumanBroadcastIs201WithTheStoredSignal() {
    Fixtures f = Fixtures.create(api);
    JsonObject payload = new JsonObject().put("reason", "incident 42").put("until", "14:00");
    Res r = signal(f, f.human, new JsonObject().put("type", "pause").put("payload", payload));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonObject s = r.data();
    assertThat(s.getString("id")).matches("sig_[0-9a-z]{26}");
    assertThat(s.getString("room_id")).isEqualTo(f.room.getString("id"));
    assertThat(s.getString("type")).isEqualTo("pause");
    assertThat(s.getJsonObject("payload")).isEqualTo(payload);
    assertThat(s.getString("created_by")).startsWith("usr_");
    assertThat(s.getString("created_by_type")).isEqualTo("human");
    assertThat(s.getString("created_at")).endsWith("Z");
  }

  @Test
  void agentsMaySignalTooAndPayloadDefaultsToAnEmptyObject() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("ops-bot");
    Res r = signal(f, key, new JsonObject().put("type", "resume"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getJsonObject("payload")).isEqualTo(new JsonObject());
    assertThat(r.data().getString("created_by")).isEqualTo(f.agentId(key));
    assertThat(r.data().getString("created_by_type")).isEqualTo("agent");
  }

  @Test
  void theBroadcastIsAnEventOnTheRoomStreamAndAnAuditRow() {
    Fixtures f = Fixtures.create(api);
    try (SseClient c =
        SseClient.open(api.base() + "/v1/rooms/" + f.roomSlug + "/events", f.human, Map.of())) {
      assertThat(c.nextFrame(5_000).comment()).isEqualTo("connected");
      JsonObject payload = new JsonObject().put("k", 1);
      JsonObject s =
          signal(f, f.human, new JsonObject().put("type", "pause").put("payload", payload)).data();
      SseClient.Frame ev = c.nextEvent(10_000);
      assertThat(ev.event()).isEqualTo("signal.broadcast");
      assertThat(ev.json().getJsonObject("data"))
          .isEqualTo(
              new JsonObject()
                  .put("id", s.getString("id"))
                  .put("type", "pause")
                  .put("payload", payload)
                  .put("created_by", s.getString("created_by")));
    }
    Res audit = api.get("/v1/rooms/" + f.roomSlug + "/audit", f.human);
    assertThat(audit.status()).as(audit.toString()).isEqualTo(200);
    assertThat(audit.list().stream().map(o -> ((JsonObject) o).getString("event_type")))
        .contains("signal.broadcast");
  }

  /**
   * A signal's audit row and event are sent together with its COMMIT right behind them (issue 15):
   * concurrent signals into one room each leave exactly one signal row, one audit row and one
   * event.
   */
  @Test
  void concurrentSignalsEachWriteOneRowOneAuditRowAndOneEvent() throws Exception {
    Fixtures f = Fixtures.create(api);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<String> ids = new ArrayList<>();
    try {
      List<Future<Res>> answers = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        JsonObject body =
            new JsonObject().put("type", "tick").put("payload", new JsonObject().put("i", i));
        answers.add(pool.submit(() -> signal(f, f.human, body)));
      }
      for (Future<Res> a : answers) {
        assertThat(a.get().status()).as(a.get().toString()).isEqualTo(201);
        ids.add(a.get().data().getString("id"));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(new HashSet<>(ids)).hasSize(40);
    String room = f.room.getString("id");
    assertThat(count("SELECT count(*) FROM signals WHERE room_id = '" + room + "'")).isEqualTo(40);
    for (String id : ids) {
      assertThat(count("SELECT count(*) FROM audit_log WHERE target_id = '" + id + "'"))
          .isEqualTo(1);
      assertThat(
              count(
                  "SELECT count(*) FROM room_events WHERE type = 'signal.broadcast' AND data->>'id'"
                      + " = '"
                      + id
                      + "'"))
          .isEqualTo(1);
    }
  }

  private static long count(String sql) {
    return TestDb.queryLong(server.databaseUrl, sql);
  }

  @Test
  void everyFieldLimitIsA400NamingTheField() {
    Fixtures f = Fixtures.create(api);
    Map<Object, String> cases = new LinkedHashMap<>();
    cases.put(new JsonObject(), "type");
    cases.put(new JsonObject().put("type", ""), "type");
    cases.put(new JsonObject().put("type", "t".repeat(201)), "type");
    cases.put(new JsonObject().put("type", 7), "type");
    cases.put(new JsonObject().put("type", new JsonArray().add("pause")), "type");
    cases.put(new JsonObject().put("type", "ok").put("payload", "text"), "payload");
    cases.put(new JsonObject().put("type", "ok").put("payload", new JsonArray()), "payload");
    cases.put(
        new JsonObject()
            .put("type", "ok")
            .put("payload", new JsonObject().put("b", "x".repeat(10_300))),
        "payload");
    cases.put("{nope", "body");
    cases.put("[]", "body");
    for (var c : cases.entrySet()) {
      Res r = signal(f, f.human, c.getKey());
      assertThat(r.status()).as(c.getKey().toString()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.getKey().toString())
          .isEqualTo(c.getValue());
    }
    // The limits themselves are allowed.
    Res max =
        signal(
            f,
            f.human,
            new JsonObject()
                .put("type", "t".repeat(200))
                .put("payload", new JsonObject().put("b", "x".repeat(10_000))));
    assertThat(max.status()).as(max.toString()).isEqualTo(201);
    // A body over 64 KB is 413 before anything else.
    Res huge = signal(f, f.human, new JsonObject().put("type", "x").put("pad", "y".repeat(70_000)));
    assertThat(huge.status()).isEqualTo(413);
  }

  @Test
  void anotherOrgsRoomIsNotFoundAndAScopedAgentIsForbidden() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    Res foreign =
        api.post(
            "/v1/rooms/" + f.room.getString("id") + "/signal",
            other.human,
            new JsonObject().put("type", "pause"));
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.code()).isEqualTo("NOT_FOUND");
    assertThat(signal(f, f.human, new JsonObject().put("type", "x")).status()).isEqualTo(201);
    assertThat(
            api.post("/v1/rooms/nope/signal", f.human, new JsonObject().put("type", "x")).status())
        .isEqualTo(404);

    Res elsewhere = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Elsewhere"));
    String scoped =
        api.post(
                "/v1/agents/register",
                f.human,
                new JsonObject()
                    .put("name", "scoped")
                    .put("room_scopes", new JsonArray().add(elsewhere.data().getString("id"))))
            .data()
            .getString("api_key");
    Res r = signal(f, scoped, new JsonObject().put("type", "pause"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("FORBIDDEN");
    Res ok =
        api.post(
            "/v1/rooms/" + elsewhere.data().getString("slug") + "/signal",
            scoped,
            new JsonObject().put("type", "pause"));
    assertThat(ok.status()).isEqualTo(201);
  }

  @Test
  void idempotencyKeyReplaysTheFirstSignalAndRefusesADifferentBody() {
    Fixtures f = Fixtures.create(api);
    String path = "/v1/rooms/" + f.roomSlug + "/signal";
    JsonObject body = new JsonObject().put("type", "pause");
    Map<String, String> key = Map.of("Idempotency-Key", "sig-once-1");
    Res first = api.send("POST", path, f.human, body, key);
    Res again = api.send("POST", path, f.human, body, key);
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    Res different = api.send("POST", path, f.human, new JsonObject().put("type", "resume"), key);
    assertThat(different.status()).isEqualTo(409);
    // Only one signal event was written.
    try (SseClient c =
        SseClient.open(
            api.base() + path.replace("/signal", "/events"),
            f.human,
            Map.of("Last-Event-ID", "0"))) {
      List<SseClient.Frame> events = c.drainEvents(700);
      assertThat(events).hasSize(1);
    }
  }
}
