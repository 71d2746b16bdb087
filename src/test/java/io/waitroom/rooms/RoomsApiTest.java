package io.waitroom.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RoomsApiTest {
  static TestServer server;
  static Api api;
  static final String ALICE = TestServer.token("acme", "alice");
  static final String MALLORY = TestServer.token("evil-corp", "mallory");

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonObject room(String name) {
    Res r = api.post("/v1/rooms", ALICE, new JsonObject().put("name", name));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  @Test
  void createReturnsTheRoomWithDefaultPoliciesAndAnExplicitSlug() {
    Res r =
        api.post(
            "/v1/rooms",
            ALICE,
            new JsonObject()
                .put("name", "Vendor Payments")
                .put("slug", "vendor-payments")
                .put("description", "Approval queue"));
    assertThat(r.status()).isEqualTo(201);
    JsonObject room = r.data();
    assertThat(room.getString("id")).matches("rm_[0-9a-z]{26}");
    assertThat(room.getString("slug")).isEqualTo("vendor-payments");
    assertThat(room.getString("name")).isEqualTo("Vendor Payments");
    assertThat(room.getString("org_id")).startsWith("org_");
    assertThat(room.getString("created_by")).startsWith("usr_");
    assertThat(room.getString("created_at")).endsWith("Z");
    JsonObject p = room.getJsonObject("policies");
    assertThat(p.getString("default_action")).isEqualTo("require_approval");
    assertThat(p.getInteger("timeout_minutes")).isEqualTo(60);
    assertThat(p.getString("timeout_action")).isEqualTo("cancel");
  }

  @Test
  void slugIsGeneratedFromTheNameAndSuffixedWhenTaken() {
    JsonObject a = room("Content Approvals!");
    JsonObject b = room("Content  approvals");
    assertThat(a.getString("slug")).isEqualTo("content-approvals");
    assertThat(b.getString("slug")).isEqualTo("content-approvals-2");
    JsonObject c = room("!!!");
    assertThat(c.getString("slug")).startsWith("room");
  }

  @Test
  void anExplicitSlugThatIsTakenIs409() {
    api.post("/v1/rooms", ALICE, new JsonObject().put("name", "X").put("slug", "taken-slug"));
    Res r =
        api.post("/v1/rooms", ALICE, new JsonObject().put("name", "Y").put("slug", "taken-slug"));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.code()).isEqualTo("CONFLICT");
    // The same slug in another org is fine: slugs are unique per org.
    Res other =
        api.post("/v1/rooms", MALLORY, new JsonObject().put("name", "Y").put("slug", "taken-slug"));
    assertThat(other.status()).isEqualTo(201);
  }

  @Test
  void getBySlugAndById() {
    JsonObject room = room("Lookup Room");
    Res bySlug = api.get("/v1/rooms/" + room.getString("slug"), ALICE);
    Res byId = api.get("/v1/rooms/" + room.getString("id"), ALICE);
    assertThat(bySlug.status()).isEqualTo(200);
    assertThat(bySlug.data()).isEqualTo(room);
    assertThat(byId.data()).isEqualTo(room);
    assertThat(api.get("/v1/rooms/no-such-room", ALICE).status()).isEqualTo(404);
  }

  @Test
  void anotherOrgsRoomIsNotFoundNeverForbidden() {
    JsonObject room = room("Secret Room");
    Res r = api.get("/v1/rooms/" + room.getString("id"), MALLORY);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("NOT_FOUND");
    assertThat(api.get("/v1/rooms/" + room.getString("slug"), MALLORY).status()).isEqualTo(404);
    Res put =
        api.put(
            "/v1/rooms/" + room.getString("id") + "/policies",
            MALLORY,
            new JsonObject()
                .put("default_action", "auto_approve")
                .put("timeout_minutes", 5)
                .put("timeout_action", "cancel")
                .put("rules", new io.vertx.core.json.JsonArray()));
    assertThat(put.status()).isEqualTo(404);
    List<JsonObject> theirs = api.all("/v1/rooms", MALLORY, 100);
    assertThat(theirs).noneMatch(o -> o.getString("id").equals(room.getString("id")));
  }

  @Test
  void badInputIs400NamingTheFieldAndWritesNothing() {
    int before = api.all("/v1/rooms", ALICE, 100).size();
    Map<Object, String> cases = new java.util.LinkedHashMap<>();
    cases.put(new JsonObject(), "name");
    cases.put(new JsonObject().put("name", ""), "name");
    cases.put(new JsonObject().put("name", "x".repeat(201)), "name");
    cases.put(new JsonObject().put("name", 42), "name");
    cases.put(new JsonObject().put("name", "ok").put("slug", "Bad Slug"), "slug");
    cases.put(new JsonObject().put("name", "ok").put("slug", "-lead"), "slug");
    cases.put(new JsonObject().put("name", "ok").put("slug", "a--b"), "slug");
    cases.put(new JsonObject().put("name", "ok").put("slug", "a".repeat(101)), "slug");
    cases.put(new JsonObject().put("name", "ok").put("slug", 7), "slug");
    cases.put(
        new JsonObject().put("name", "ok").put("description", "d".repeat(2001)), "description");
    cases.put(new JsonObject().put("name", "ok").put("policies", "nope"), "policies");
    cases.put("{not json", "body");
    cases.put("[1,2]", "body");
    for (var c : cases.entrySet()) {
      Res r = api.post("/v1/rooms", ALICE, c.getKey());
      assertThat(r.status()).as(c.getKey().toString()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
      assertThat(r.error().getInteger("statusCode")).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.getKey().toString())
          .isEqualTo(c.getValue());
      assertThat(r.error().getString("message")).contains(c.getValue());
    }
    assertThat(api.all("/v1/rooms", ALICE, 100)).hasSize(before);
  }

  @Test
  void limitsAreInclusive() {
    Res ok =
        api.post(
            "/v1/rooms",
            ALICE,
            new JsonObject()
                .put("name", "n".repeat(200))
                .put("slug", "s".repeat(100))
                .put("description", "d".repeat(2000)));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
  }

  @Test
  void unknownFieldsAreIgnored() {
    Res r =
        api.post("/v1/rooms", ALICE, new JsonObject().put("name", "Extra").put("colour", "red"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.data().containsKey("colour")).isFalse();
  }

  @Test
  void aBodyOver64KbIs413() {
    String big =
        new JsonObject().put("name", "big").put("description", "x".repeat(70_000)).encode();
    Res r = api.post("/v1/rooms", ALICE, big);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.code()).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  void pagesCoverEveryRoomOnceEvenWithInsertsBetweenPages() {
    String org = TestServer.token("paging-org", "pat");
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      created.add(
          api.post("/v1/rooms", org, new JsonObject().put("name", "p" + i)).data().getString("id"));
    }
    List<String> seen = new ArrayList<>();
    Res page = api.get("/v1/rooms?limit=3", org);
    assertThat(page.list()).hasSize(3);
    assertThat(page.json().getBoolean("has_more")).isTrue();
    page.list().forEach(o -> seen.add(((JsonObject) o).getString("id")));
    // Concurrent inserts between pages: the next pages neither repeat nor skip earlier rooms.
    for (int i = 0; i < 2; i++) {
      created.add(
          api.post("/v1/rooms", org, new JsonObject().put("name", "late" + i))
              .data()
              .getString("id"));
    }
    String cursor = page.json().getString("cursor");
    while (cursor != null) {
      page = api.get("/v1/rooms?limit=3&cursor=" + cursor, org);
      assertThat(page.status()).isEqualTo(200);
      page.list().forEach(o -> seen.add(((JsonObject) o).getString("id")));
      cursor = page.json().getBoolean("has_more") ? page.json().getString("cursor") : null;
    }
    assertThat(seen).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(created);
    assertThat(page.json().getValue("cursor")).isNull();
  }

  @Test
  void badLimitOrCursorIs400() {
    for (String q : List.of("limit=0", "limit=101", "limit=abc", "limit=-1")) {
      Res r = api.get("/v1/rooms?" + q, ALICE);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo("limit");
    }
    assertThat(api.get("/v1/rooms?limit=100", ALICE).status()).isEqualTo(200);
    assertThat(api.get("/v1/rooms?limit=1", ALICE).status()).isEqualTo(200);
    Res garbage = api.get("/v1/rooms?cursor=!!!!", ALICE);
    assertThat(garbage.status()).isEqualTo(400);
    Res notBase64 = api.get("/v1/rooms?cursor=bm9wZQ", ALICE);
    assertThat(notBase64.status()).isEqualTo(400);
    assertThat(notBase64.error().getJsonObject("details").getString("field")).isEqualTo("cursor");
    // A cursor of another org's list is refused.
    api.post("/v1/rooms", MALLORY, new JsonObject().put("name", "m1"));
    api.post("/v1/rooms", MALLORY, new JsonObject().put("name", "m2"));
    String foreign = api.get("/v1/rooms?limit=1", MALLORY).json().getString("cursor");
    assertThat(foreign).isNotNull();
    assertThat(api.get("/v1/rooms?cursor=" + foreign, ALICE).status()).isEqualTo(400);
  }

  @Test
  void requestIdIsEchoedOrGenerated() {
    Res mine = api.send("GET", "/v1/rooms", ALICE, null, Map.of("X-Request-Id", "trace-123"));
    assertThat(mine.header("X-Request-Id")).isEqualTo("trace-123");
    Res generated = api.get("/v1/rooms", ALICE);
    assertThat(generated.header("X-Request-Id")).startsWith("req_");
  }

  @Test
  void agentsMayListAndReadRoomsButNotCreateThem() {
    JsonObject room = room("Agent Visible");
    String key =
        api.post("/v1/agents/register", ALICE, new JsonObject().put("name", "bot"))
            .data()
            .getString("api_key");
    assertThat(api.get("/v1/rooms/" + room.getString("slug"), key).status()).isEqualTo(200);
    assertThat(api.get("/v1/rooms", key).status()).isEqualTo(200);
    Res create = api.post("/v1/rooms", key, new JsonObject().put("name", "nope"));
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.code()).isEqualTo("FORBIDDEN");
  }
}
