package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.Deps;
import io.waitroom.db.Tx;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/events}: every room of the org on one connection, with the room stream's rules.
 */
class OrgEventsApiTest extends ServerTest {

  static SseClient org(String credential, String query, Map<String, String> headers) {
    SseClient c = SseClient.open(api.base() + "/v1/events" + query, credential, headers);
    if (c.status == 200) assertThat(c.nextFrame(5_000).comment()).isEqualTo("connected");
    return c;
  }

  static JsonObject room(Fixtures f, String name) {
    Res r = api.post("/v1/rooms", f.human, new JsonObject().put("name", name));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static JsonObject signal(Fixtures f, String room, String type) {
    Res r = api.post("/v1/rooms/" + room + "/signal", f.human, new JsonObject().put("type", type));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static List<String> types(List<Frame> frames) {
    return frames.stream().map(fr -> fr.json().getJsonObject("data").getString("type")).toList();
  }

  @Test
  void oneConnectionCarriesEveryRoomOfTheOrgInIdOrder() {
    Fixtures f = Fixtures.create(api);
    JsonObject second = room(f, "Billing");
    try (SseClient s = org(f.human, "", Map.of())) {
      signal(f, f.roomSlug, "one");
      signal(f, second.getString("slug"), "two");
      signal(f, f.roomSlug, "three");
      List<Frame> got = s.events(3, 10_000);
      assertThat(types(got)).containsExactly("one", "two", "three");
      assertThat(got.stream().map(fr -> fr.json().getString("room_id")).toList())
          .containsExactly(f.room.getString("id"), second.getString("id"), f.room.getString("id"));
      JsonObject env = got.get(1).json();
      assertThat(env.fieldNames())
          .containsExactlyInAnyOrder("id", "event", "room_id", "data", "timestamp");
      assertThat(env.getLong("id")).isEqualTo(got.get(1).longId());
      assertThat(got.get(1).event()).isEqualTo("signal.broadcast");
      assertThat(got.get(0).longId()).isLessThan(got.get(1).longId());
      assertThat(got.get(1).longId()).isLessThan(got.get(2).longId());
    }
  }

  @Test
  void roomsCreatedAfterTheStreamOpenedAreIncluded() {
    Fixtures f = Fixtures.create(api);
    try (SseClient s = org(f.human, "", Map.of())) {
      JsonObject later = room(f, "Later");
      signal(f, later.getString("slug"), "late");
      Frame ev = s.nextEvent(10_000);
      assertThat(ev).isNotNull();
      assertThat(ev.json().getString("room_id")).isEqualTo(later.getString("id"));
    }
  }

  @Test
  void resumeAcrossRoomsReplaysTheGapThenGoesLiveWithoutGapOrDuplicate() {
    Fixtures f = Fixtures.create(api);
    String b = room(f, "Second").getString("slug");
    long seen;
    try (SseClient s = org(f.human, "", Map.of())) {
      signal(f, f.roomSlug, "before-1");
      signal(f, b, "before-2");
      seen = s.events(2, 10_000).get(1).longId();
    }
    signal(f, b, "missed-1");
    signal(f, f.roomSlug, "missed-2");
    signal(f, b, "missed-3");
    try (SseClient s = org(f.human, "", Map.of("Last-Event-ID", Long.toString(seen)))) {
      List<Frame> replay = s.events(3, 10_000);
      assertThat(types(replay)).containsExactly("missed-1", "missed-2", "missed-3");
      signal(f, f.roomSlug, "live");
      Frame live = s.nextEvent(10_000);
      assertThat(live.json().getJsonObject("data").getString("type")).isEqualTo("live");
      assertThat(s.drainEvents(500)).isEmpty();
    }
    // The query parameter works too; 0 replays everything retained.
    try (SseClient s = org(f.human, "?last_event_id=0", Map.of())) {
      assertThat(types(s.events(6, 10_000)))
          .containsExactly("before-1", "before-2", "missed-1", "missed-2", "missed-3", "live");
    }
  }

  @Test
  void manyConcurrentWritersInSeveralRoomsArriveInIdOrderAndAResumeMidwayLosesNothing()
      throws Exception {
    Fixtures f = Fixtures.create(api);
    List<String> rooms =
        List.of(f.roomSlug, room(f, "R2").getString("slug"), room(f, "R3").getString("slug"));
    int n = 60;
    List<Long> first = new ArrayList<>();
    List<Long> all = new ArrayList<>();
    try (SseClient s = org(f.human, "", Map.of())) {
      List<CompletableFuture<Res>> writes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        writes.add(
            api.sendAsync(
                "POST",
                "/v1/rooms/" + rooms.get(i % 3) + "/signal",
                f.human,
                new JsonObject().put("type", "w" + i),
                Map.of()));
      }
      // Leave in the middle of the burst.
      for (Frame fr : s.events(n / 2, 20_000)) first.add(fr.longId());
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
      for (CompletableFuture<Res> w : writes) assertThat(w.join().status()).isEqualTo(201);
    }
    long last = first.get(first.size() - 1);
    try (SseClient s = org(f.human, "", Map.of("Last-Event-ID", Long.toString(last)))) {
      all.addAll(first);
      for (Frame fr : s.events(n - first.size(), 20_000)) all.add(fr.longId());
      assertThat(s.drainEvents(500)).isEmpty();
    }
    assertThat(all).isSorted().doesNotHaveDuplicates().hasSize(n);
  }

  /**
   * The seam between rooms: an event of room A whose transaction commits late holds back a later
   * event of room B of the same org (one lock per org), so the org stream, which reads {@code id >
   * last}, can never pass over A's smaller id. With a lock per room, B would commit first and the
   * stream would skip A's event for good.
   */
  @Test
  void anEventCommittingLateInOneRoomIsNotSkippedByTheOrgStream() throws Exception {
    Fixtures f = Fixtures.create(api);
    JsonObject b = room(f, "B");
    Deps deps = server.server().deps();
    Promise<Void> release = Promise.promise();
    CompletableFuture<Long> inserted = new CompletableFuture<>();
    try (SseClient s = org(f.human, "", Map.of())) {
      Future<Void> slow =
          Tx.run(
              deps.vertx(),
              deps.pool(),
              tx ->
                  EventLog.append(
                          tx,
                          f.room.getString("org_id"),
                          f.room.getString("id"),
                          "signal.broadcast",
                          new JsonObject().put("type", "slow"))
                      .compose(
                          e -> {
                            inserted.complete(e.id());
                            return release.future();
                          }));
      long slowId = inserted.get(10, TimeUnit.SECONDS);
      CompletableFuture<Res> fast =
          api.sendAsync(
              "POST",
              "/v1/rooms/" + b.getString("slug") + "/signal",
              f.human,
              new JsonObject().put("type", "fast"),
              Map.of());
      Thread.sleep(300);
      deps.vertx().runOnContext(v -> release.complete());
      slow.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(fast.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
      List<Frame> got = s.events(2, 10_000);
      assertThat(types(got)).containsExactly("slow", "fast");
      assertThat(got.get(0).longId()).isEqualTo(slowId);
    }
  }

  @Test
  void typesFilterApplies() {
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("deployer");
    try (SseClient s = org(f.human, "?types=check_in.created", Map.of())) {
      signal(f, f.roomSlug, "ignored");
      JsonObject ci = f.pendingCheckIn(key, "deploy");
      Frame ev = s.nextEvent(10_000);
      assertThat(ev.event()).isEqualTo("checkin.created");
      assertThat(ev.json().getJsonObject("data").getString("id")).isEqualTo(ci.getString("id"));
      assertThat(s.drainEvents(500)).isEmpty();
    }
  }

  @Test
  void anotherOrgsEventsNeverAppearAndScopedAgentsSeeOnlyTheirRooms() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    JsonObject second = room(f, "Scoped");
    Res reg =
        api.post(
            "/v1/agents/register",
            f.human,
            new JsonObject()
                .put("name", "scoped")
                .put("room_scopes", new JsonArray().add(second.getString("id"))));
    String scoped = reg.data().getString("api_key");
    String free = f.agentKey("free");
    try (SseClient human = org(f.human, "", Map.of());
        SseClient scopedAgent = org(scoped, "", Map.of());
        SseClient freeAgent = org(free, "", Map.of());
        SseClient otherOrg = org(other.human, "", Map.of())) {
      signal(other, other.roomSlug, "theirs");
      signal(f, f.roomSlug, "main");
      signal(f, second.getString("slug"), "scoped");
      assertThat(types(human.events(2, 10_000))).containsExactly("main", "scoped");
      assertThat(types(freeAgent.events(2, 10_000))).containsExactly("main", "scoped");
      assertThat(types(scopedAgent.events(1, 10_000))).containsExactly("scoped");
      assertThat(types(otherOrg.events(1, 10_000))).containsExactly("theirs");
      assertThat(human.drainEvents(300)).isEmpty();
      assertThat(scopedAgent.drainEvents(300)).isEmpty();
      assertThat(otherOrg.drainEvents(300)).isEmpty();
    }
    // A replay from 0 is scoped too.
    try (SseClient s = org(other.human, "?last_event_id=0", Map.of())) {
      Set<String> rooms =
          s.drainEvents(500).stream()
              .map(fr -> fr.json().getString("room_id"))
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(rooms).containsExactly(other.room.getString("id"));
    }
  }

  @Test
  void accessTokenQueryParameterAndBadRequests() {
    Fixtures f = Fixtures.create(api);
    try (SseClient s = org(null, "?access_token=" + f.human, Map.of())) {
      assertThat(s.status).isEqualTo(200);
      signal(f, f.roomSlug, "hello");
      assertThat(s.nextEvent(10_000)).isNotNull();
    }
    try (SseClient s = org(null, "", Map.of())) {
      assertThat(s.status).isEqualTo(401);
    }
    try (SseClient s = org(f.human, "?last_event_id=-1", Map.of())) {
      assertThat(s.status).isEqualTo(400);
      assertThat(s.error().getJsonObject("details").getString("field")).isEqualTo("last_event_id");
    }
    try (SseClient s = org(f.human, "?last_event_id=999999999999", Map.of())) {
      assertThat(s.status).isEqualTo(400);
    }
    try (SseClient s = org(f.human, "?types=nope", Map.of())) {
      assertThat(s.status).isEqualTo(400);
      assertThat(s.error().getJsonObject("details").getString("field")).isEqualTo("types");
    }
  }
}
