package io.waitroom.tasks;

import static io.waitroom.tasks.Tasks.claimed;
import static io.waitroom.tasks.Tasks.message;
import static io.waitroom.tasks.Tasks.say;
import static io.waitroom.tasks.Tasks.status;
import static io.waitroom.tasks.Tasks.verb;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadApiTest extends ServerTest {
  private static JsonObject att(String name, String url) {
    return new JsonObject().put("name", name).put("url", url);
  }

  private static List<JsonObject> thread(String id, String credential) {
    return api.all("/v1/check-ins/" + id + "/messages", credential, 100);
  }

  @Test
  void aThreadPageHoldsFiftyMessagesUnlessALimitIsGiven() {
    // SPEC 4: limit 1..100, default 50 (the API reference sets no other default for threads).
    Fixtures f = Fixtures.create(api);
    String key = f.agentKey("a");
    String id = f.pendingCheckIn(key, "Deploy").getString("id");
    for (int i = 0; i < 54; i++) {
      assertThat(say(api, id, f.human, "comment", "m" + i).status()).isEqualTo(201);
    }
    // 54 comments plus the server's "created" status_change.
    Res defaults = api.get("/v1/check-ins/" + id + "/messages", f.human);
    assertThat(defaults.status()).as(defaults.toString()).isEqualTo(200);
    assertThat(defaults.list()).hasSize(50);
    assertThat(defaults.json().getBoolean("has_more")).isTrue();
    Res rest =
        api.get(
            "/v1/check-ins/" + id + "/messages?cursor=" + defaults.json().getString("cursor"),
            f.human);
    assertThat(rest.list()).hasSize(5);
    assertThat(rest.json().getBoolean("has_more")).isFalse();
    assertThat(api.get("/v1/check-ins/" + id + "/messages?limit=100", f.human).list()).hasSize(55);
  }

  @Test
  void whoMayPostToAThread() {
    Fixtures f = Fixtures.create(api);
    String creator = f.agentKey("creator");
    String other = f.agentKey("other");
    String primary = f.agentKey("primary");
    String helper = f.agentKey("helper");
    String outsider = f.agentKey("outsider");

    String checkIn = f.pendingCheckIn(creator, "Deploy").getString("id");
    assertThat(say(api, checkIn, creator, "comment", "diff attached").status()).isEqualTo(201);
    assertThat(say(api, checkIn, f.human("bob"), "question", "which region?").status())
        .isEqualTo(201);
    Res notCreator = say(api, checkIn, other, "comment", "me too");
    assertThat(notCreator.status()).isEqualTo(403);
    assertThat(notCreator.code()).isEqualTo("FORBIDDEN");
    // A result on an agent check-in is just a message.
    assertThat(say(api, checkIn, creator, "result", "ready").status()).isEqualTo(201);
    assertThat(status(api, checkIn, f.human)).isEqualTo("pending");

    String id = claimed(f, primary, "Draft the newsletter");
    verb(api, id, "help", primary);
    verb(api, id, "join", helper);
    assertThat(say(api, id, primary, "comment", "p").status()).isEqualTo(201);
    assertThat(say(api, id, helper, "comment", "h").status()).isEqualTo(201);
    assertThat(say(api, id, f.human, "comment", "human").status()).isEqualTo(201);
    assertThat(say(api, id, outsider, "comment", "o").status()).isEqualTo(403);
    assertThat(say(api, id, outsider, "result", "o").status()).isEqualTo(403);
    // Reading is open to anyone who can see the check-in.
    assertThat(api.get("/v1/check-ins/" + id + "/messages", outsider).status()).isEqualTo(200);

    Res byHuman = say(api, id, f.human, "result", "I did it myself");
    assertThat(byHuman.status()).isEqualTo(201);
    assertThat(status(api, id, f.human))
        .as("a human's result does not submit")
        .isEqualTo("in_progress");

    List<JsonObject> messages = thread(id, outsider);
    assertThat(messages).extracting(m -> m.getString("author_type")).contains("agent", "human");
    assertThat(messages).noneMatch(m -> "o".equals(m.getString("body")));
  }

  @Test
  void messageTypesAndFieldLimits() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String id = claimed(f, a, "Write release notes");

    Res dflt = message(api, id, a, new JsonObject().put("body", "no type given"));
    assertThat(dflt.status()).isEqualTo(201);
    assertThat(dflt.data().getString("message_type")).isEqualTo("comment");
    assertThat(dflt.data().getJsonObject("metadata")).isEqualTo(new JsonObject());
    assertThat(dflt.data().getJsonArray("attachments")).isEqualTo(new JsonArray());
    for (String t : List.of("question", "escalation")) {
      assertThat(say(api, id, a, t, t).data().getString("message_type")).isEqualTo(t);
    }

    Map<JsonObject, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject(), "body");
    bad.put(new JsonObject().put("body", ""), "body");
    bad.put(new JsonObject().put("body", 5), "body");
    bad.put(new JsonObject().put("body", "b".repeat(10_001)), "body");
    bad.put(new JsonObject().put("body", "x").put("message_type", "status_change"), "message_type");
    bad.put(new JsonObject().put("body", "x").put("message_type", "decision"), "message_type");
    bad.put(new JsonObject().put("body", "x").put("message_type", "shout"), "message_type");
    bad.put(new JsonObject().put("body", "x").put("message_type", 1), "message_type");
    bad.put(new JsonObject().put("body", "x").put("metadata", "m"), "metadata");
    bad.put(new JsonObject().put("body", "x").put("metadata", new JsonArray()), "metadata");
    bad.put(
        new JsonObject()
            .put("body", "x")
            .put("metadata", new JsonObject().put("m", "m".repeat(10_300))),
        "metadata");
    for (var c : bad.entrySet()) {
      Res r = message(api, id, a, c.getKey());
      assertThat(r.status()).as(c.getKey().encode()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.getKey().encode())
          .isEqualTo(c.getValue());
    }
    Res serverOnly =
        message(
            api, id, f.human, new JsonObject().put("body", "x").put("message_type", "decision"));
    assertThat(serverOnly.error().getString("message")).contains("server");
    Res malformed = api.post("/v1/check-ins/" + id + "/messages", a, "{\"body\": ");
    assertThat(malformed.status()).isEqualTo(400);

    Res longest = message(api, id, a, new JsonObject().put("body", "b".repeat(10_000)));
    assertThat(longest.status()).isEqualTo(201);
    assertThat(thread(id, a)).hasSize(2 + 3 + 1); // created, claimed + 3 + longest
    assertThat(status(api, id, f.human)).isEqualTo("in_progress");
  }

  @Test
  void attachmentsAreBoundedAndNamedByIndex() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String id = claimed(f, a, "Make a chart");
    Map<JsonArray, String> bad = new LinkedHashMap<>();
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) eleven.add(att("f" + i, "https://x.example/" + i));
    bad.put(eleven, "attachments");
    bad.put(new JsonArray().add("just a string"), "attachments[0]");
    bad.put(
        new JsonArray().add(new JsonObject().put("url", "https://x.example")),
        "attachments[0].name");
    bad.put(new JsonArray().add(att("", "https://x.example")), "attachments[0].name");
    bad.put(new JsonArray().add(att("n".repeat(201), "https://x.example")), "attachments[0].name");
    bad.put(
        new JsonArray().add(att("ok", "https://x.example")).add(att("bad", "ftp://x.example/f")),
        "attachments[1].url");
    bad.put(new JsonArray().add(att("bad", "javascript:alert(1)")), "attachments[0].url");
    bad.put(new JsonArray().add(att("bad", "not a url")), "attachments[0].url");
    bad.put(new JsonArray().add(att("bad", "https://")), "attachments[0].url");
    bad.put(
        new JsonArray().add(att("long", "https://x.example/" + "p".repeat(2000))),
        "attachments[0].url");
    bad.put(new JsonArray().add(new JsonObject().put("name", "nothing")), "attachments[0]");
    bad.put(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("name", "both")
                    .put("url", "https://x.example")
                    .put("content", "c")),
        "attachments[0]");
    bad.put(
        new JsonArray().add(new JsonObject().put("name", "n").put("content", 42)),
        "attachments[0].content");
    bad.put(
        new JsonArray().add(att("ok", "https://x.example").put("content_type", "t".repeat(201))),
        "attachments[0].content_type");
    bad.put(
        new JsonArray()
            .add(new JsonObject().put("name", "a").put("content", "a".repeat(30_000)))
            .add(new JsonObject().put("name", "b").put("content", "b".repeat(20_000))),
        "attachments[1].content");
    for (var c : bad.entrySet()) {
      Res r =
          message(
              api,
              id,
              a,
              new JsonObject().put("body", "see attached").put("attachments", c.getKey()));
      assertThat(r.status()).as(c.getValue()).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field"))
          .as(c.getKey().encode())
          .isEqualTo(c.getValue());
    }
    Res notArray =
        message(api, id, a, new JsonObject().put("body", "x").put("attachments", new JsonObject()));
    assertThat(notArray.error().getJsonObject("details").getString("field"))
        .isEqualTo("attachments");

    JsonArray ten = new JsonArray();
    for (int i = 0; i < 9; i++) ten.add(att("f" + i, "http://x.example/" + i).put("size", i));
    ten.add(
        new JsonObject()
            .put("name", "inline.csv")
            .put("content", "c".repeat(48 * 1024))
            .put("content_type", "text/csv"));
    Res ok = message(api, id, a, new JsonObject().put("body", "ten").put("attachments", ten));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    JsonArray stored = ok.data().getJsonArray("attachments");
    assertThat(stored).hasSize(10);
    assertThat(stored.getJsonObject(0))
        .as("unknown attachment fields are dropped")
        .isEqualTo(att("f0", "http://x.example/0"));
    assertThat(stored.getJsonObject(9).getString("content")).hasSize(48 * 1024);
    assertThat(stored.getJsonObject(9).getString("content_type")).isEqualTo("text/csv");

    Res huge =
        message(
            api,
            id,
            a,
            new JsonObject()
                .put("body", "b".repeat(10_000))
                .put(
                    "attachments",
                    new JsonArray()
                        .add(
                            new JsonObject().put("name", "x").put("content", "é".repeat(30_000)))));
    assertThat(huge.status()).as("over the 64 KB request limit").isEqualTo(413);

    // Only the valid message (and the two server messages) were written.
    assertThat(thread(id, a)).hasSize(3);
  }

  @Test
  void theResultOfThePrimarySubmitsOnlyAnInProgressTask() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String id = claimed(f, a, "Crunch the numbers");
    Res result = say(api, id, a, "result", "42");
    assertThat(result.status()).isEqualTo(201);
    assertThat(status(api, id, f.human)).isEqualTo("submitted");
    Res twice = say(api, id, a, "result", "43");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.error().getJsonObject("details").getString("status")).isEqualTo("submitted");
    // Comments are still welcome while the human reviews.
    assertThat(say(api, id, a, "comment", "ping").status()).isEqualTo(201);
    List<JsonObject> m = thread(id, f.human);
    assertThat(m).extracting(x -> x.getString("body")).doesNotContain("43");
    assertThat(
            Tasks.eventTypes(server.databaseUrl, f.room.getString("id"), id).stream()
                .filter("checkin.submitted"::equals)
                .count())
        .isEqualTo(1);
  }

  @Test
  void messagesListChronologicallyWithServerMessagesInterleavedAndPage() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    String id = Tasks.task(f, "Plan the offsite").getString("id");
    Tasks.task(f, "Another task, for a cursor of another list");
    List<String> expected = new ArrayList<>(List.of("status_change"));
    for (int i = 0; i < 3; i++) {
      say(api, id, f.human, "comment", "before claim " + i);
      expected.add("comment");
    }
    verb(api, id, "claim", a);
    expected.add("status_change");
    for (int i = 0; i < 4; i++) {
      say(api, id, a, "question", "q" + i);
      say(api, id, f.human, "comment", "a" + i);
      expected.add("question");
      expected.add("comment");
    }
    api.post("/v1/check-ins/" + id + "/help", a, new JsonObject().put("body", "help!"));
    expected.add("escalation");
    verb(api, id, "join", b);
    say(api, id, b, "comment", "joined");
    expected.add("comment");
    verb(api, id, "release", a);
    expected.add("status_change");
    verb(api, id, "claim", b);
    expected.add("status_change");
    say(api, id, b, "result", "done");
    expected.add("result");
    expected.add("status_change");
    api.post("/v1/check-ins/" + id + "/reject", f.human, new JsonObject().put("reason", "redo"));
    expected.add("status_change");
    expected.add("decision");

    List<JsonObject> paged = api.all("/v1/check-ins/" + id + "/messages", f.human, 3);
    assertThat(paged)
        .extracting(m -> m.getString("message_type"))
        .containsExactlyElementsOf(expected);
    List<JsonObject> onePage = api.all("/v1/check-ins/" + id + "/messages", f.human, 100);
    assertThat(onePage).isEqualTo(paged);
    JsonArray embedded = Tasks.get(api, id, f.human).getJsonArray("messages");
    assertThat(embedded.getList()).hasSize(paged.size());
    for (int i = 0; i < paged.size(); i++) {
      assertThat(embedded.getJsonObject(i).getString("id")).isEqualTo(paged.get(i).getString("id"));
    }
    Instant prev = Instant.EPOCH;
    for (JsonObject m : paged) {
      Instant t = Instant.parse(m.getString("created_at"));
      assertThat(t).isAfterOrEqualTo(prev);
      prev = t;
    }
    List<String> bodies = paged.stream().map(m -> m.getString("body")).toList();
    assertThat(bodies.indexOf("q0")).isLessThan(bodies.indexOf("a0"));
    assertThat(bodies.indexOf("a3")).isLessThan(bodies.indexOf("help!"));

    Res first = api.get("/v1/check-ins/" + id + "/messages?limit=5", f.human);
    assertThat(first.list()).hasSize(5);
    assertThat(first.json().getBoolean("has_more")).isTrue();
    Res defaults = api.get("/v1/check-ins/" + id + "/messages", f.human);
    assertThat(defaults.list()).hasSize(expected.size());
    assertThat(defaults.json().getBoolean("has_more")).isFalse();
    String otherCursor =
        api.get("/v1/rooms/" + f.roomSlug + "/tasks?limit=1", f.human).json().getString("cursor");
    for (String q : List.of("limit=0", "limit=101", "cursor=zzz")) {
      Res r = api.get("/v1/check-ins/" + id + "/messages?" + q, f.human);
      assertThat(r.status()).as(q).isEqualTo(400);
    }
    assertThat(otherCursor).isNotNull();
    Res tasksCursorHere =
        api.get("/v1/check-ins/" + id + "/messages?cursor=" + otherCursor, f.human);
    assertThat(tasksCursorHere.status()).isEqualTo(400);
  }

  @Test
  void idempotentMessagePostsAreStoredOnce() throws Exception {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String id = claimed(f, a, "Check the logs");
    String path = "/v1/check-ins/" + id + "/messages";
    JsonObject body = new JsonObject().put("message_type", "result").put("body", "all green");
    Res first = api.send("POST", path, a, body, Map.of("Idempotency-Key", "m-1"));
    Res again = api.send("POST", path, a, body, Map.of("Idempotency-Key", "m-1"));
    assertThat(first.status()).as(first.toString()).isEqualTo(201);
    assertThat(again.status()).as("a replay, not a second submit (409)").isEqualTo(201);
    assertThat(again.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    Res different =
        api.send(
            "POST",
            path,
            a,
            new JsonObject().put("body", "something else"),
            Map.of("Idempotency-Key", "m-1"));
    assertThat(different.status()).isEqualTo(409);
    // The same key from another caller is that caller's own key.
    Res human = api.send("POST", path, f.human, body, Map.of("Idempotency-Key", "m-1"));
    assertThat(human.status()).isEqualTo(201);
    assertThat(human.data().getString("id")).isNotEqualTo(first.data().getString("id"));

    var concurrent = new ArrayList<java.util.concurrent.CompletableFuture<Res>>();
    JsonObject c = new JsonObject().put("body", "once");
    for (int i = 0; i < 6; i++) {
      concurrent.add(api.sendAsync("POST", path, f.human, c, Map.of("Idempotency-Key", "m-2")));
    }
    for (var r : concurrent) assertThat(r.get().status()).isEqualTo(201);
    List<JsonObject> m = thread(id, a);
    assertThat(m.stream().filter(x -> "all green".equals(x.getString("body"))).count())
        .isEqualTo(2);
    assertThat(m.stream().filter(x -> "once".equals(x.getString("body"))).count()).isEqualTo(1);
    assertThat(status(api, id, f.human)).isEqualTo("submitted");
  }
}
