package io.waitroom.tasks;

import static io.waitroom.tasks.Tasks.claimed;
import static io.waitroom.tasks.Tasks.participants;
import static io.waitroom.tasks.Tasks.say;
import static io.waitroom.tasks.Tasks.status;
import static io.waitroom.tasks.Tasks.task;
import static io.waitroom.tasks.Tasks.verb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TasksApiTest extends ServerTest {
  private static List<String> types(JsonArray messages) {
    List<String> out = new ArrayList<>();
    for (Object o : messages) out.add(((JsonObject) o).getString("message_type"));
    return out;
  }

  @Test
  void theWholeFlowFromPostToClaimHelpResultAndApproval() {
    Fixtures f = Fixtures.create(api);
    String primary = f.agentKey("image-maker");
    String helper = f.agentKey("designer");
    String primaryId = f.agentId(primary);
    String helperId = f.agentId(helper);

    Res posted =
        Tasks.post(
            f,
            new JsonObject()
                .put("action", "Generate a social media image for the Q1 report")
                .put("description", "1200x630, brand colours")
                .put("risk_level", "low")
                .put("urgency", "high")
                .put("context", new JsonObject().put("report", "q1")));
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    JsonObject t = posted.data();
    String id = t.getString("id");
    assertThat(id).matches("ci_[0-9a-z]{26}");
    assertThat(t.getString("direction")).isEqualTo("human_to_agent");
    assertThat(t.getString("status")).isEqualTo("pending");
    assertThat(t.getString("claimed_by")).isNull();
    assertThat(t.getValue("agent_id")).isNull();
    assertThat(t.getString("created_by")).startsWith("usr_");
    assertThat(t.getBoolean("help_requested")).isFalse();
    assertThat(t.getValue("policy")).isNull();
    assertThat(t.getValue("expires_at")).isNull();
    assertThat(t.getString("risk_level")).isEqualTo("low");
    assertThat(t.getString("urgency")).isEqualTo("high");
    assertThat(t.getJsonObject("context")).isEqualTo(new JsonObject().put("report", "q1"));

    Res claim = verb(api, id, "claim", primary);
    assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
    assertThat(claim.data().getString("status")).isEqualTo("in_progress");
    assertThat(claim.data().getString("claimed_by")).isEqualTo(primaryId);
    assertThat(claim.data().getJsonArray("participants")).hasSize(1);

    Res help =
        api.post(
            "/v1/check-ins/" + id + "/help",
            primary,
            new JsonObject().put("body", "Need someone who knows the brand palette"));
    assertThat(help.status()).as(help.toString()).isEqualTo(200);
    assertThat(help.data().getBoolean("help_requested")).isTrue();
    Res join = verb(api, id, "join", helper);
    assertThat(join.status()).as(join.toString()).isEqualTo(200);
    assertThat(participants(api, id, f.human))
        .containsExactly("primary:" + primaryId, "helper:" + helperId);

    assertThat(say(api, id, f.human, null, "Use the new logo please").status()).isEqualTo(201);
    assertThat(say(api, id, primary, "question", "Which logo variant?").status()).isEqualTo(201);
    assertThat(say(api, id, helper, "comment", "The dark one, #1a2b3c").status()).isEqualTo(201);
    assertThat(status(api, id, f.human)).isEqualTo("in_progress");

    Res result =
        Tasks.message(
            api,
            id,
            primary,
            new JsonObject()
                .put("message_type", "result")
                .put("body", "Here is the image")
                .put("metadata", new JsonObject().put("width", 1200))
                .put(
                    "attachments",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("name", "q1.png")
                                .put("url", "https://cdn.example.com/q1.png")
                                .put("content_type", "image/png"))));
    assertThat(result.status()).as(result.toString()).isEqualTo(201);
    assertThat(result.data().getString("message_type")).isEqualTo("result");
    assertThat(result.data().getString("author_id")).isEqualTo(primaryId);
    assertThat(result.data().getJsonArray("attachments").getJsonObject(0).getString("url"))
        .isEqualTo("https://cdn.example.com/q1.png");
    assertThat(status(api, id, f.human)).isEqualTo("submitted");

    Res approve =
        api.post(
            "/v1/check-ins/" + id + "/approve", f.human, new JsonObject().put("reason", "Lovely"));
    assertThat(approve.status()).as(approve.toString()).isEqualTo(200);
    assertThat(approve.data().getString("status")).isEqualTo("approved");
    assertThat(approve.data().getString("claimed_by")).isEqualTo(primaryId);
    assertThat(f.trust(primaryId)).isCloseTo(16.0, within(1e-9));
    assertThat(f.trust(helperId)).isCloseTo(15.0, within(1e-9));

    JsonObject full = Tasks.get(api, id, primary);
    assertThat(types(full.getJsonArray("messages")))
        .containsExactly(
            "status_change", // created pending
            "status_change", // claimed
            "escalation", // the help request's body
            "comment",
            "question",
            "comment",
            "result",
            "status_change", // submitted
            "status_change", // approved
            "decision");
    JsonArray m = full.getJsonArray("messages");
    assertThat(m.getJsonObject(1).getJsonObject("metadata").getString("to"))
        .isEqualTo("in_progress");
    assertThat(m.getJsonObject(1).getJsonObject("metadata").getString("by")).isEqualTo(primaryId);
    assertThat(m.getJsonObject(2).getString("body"))
        .isEqualTo("Need someone who knows the brand palette");
    assertThat(m.getJsonObject(7).getJsonObject("metadata").getString("to")).isEqualTo("submitted");
    assertThat(full.getJsonArray("participants")).hasSize(2);

    assertThat(Tasks.eventTypes(server.databaseUrl, f.room.getString("id"), id))
        .containsExactly(
            "checkin.created",
            "checkin.claimed",
            "checkin.message",
            "checkin.help_requested",
            "checkin.helper_joined",
            "checkin.message",
            "checkin.message",
            "checkin.message",
            "checkin.message",
            "checkin.submitted",
            "checkin.approved");

    List<String> audit =
        api.all("/v1/rooms/" + f.roomSlug + "/audit", f.human, 100).stream()
            .filter(a -> id.equals(a.getString("target_id")))
            .map(a -> a.getString("event_type"))
            .toList();
    assertThat(audit)
        .containsExactlyInAnyOrder(
            "checkin.created",
            "checkin.claimed",
            "checkin.message",
            "checkin.help_requested",
            "checkin.helper_joined",
            "checkin.message",
            "checkin.message",
            "checkin.message",
            "checkin.message",
            "checkin.submitted",
            "checkin.approved");
  }

  @Test
  void checkInEventsCarryTheCheckInAndMessageEventsTheMessage() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    String id = claimed(f, a, "Write the summary");
    api.post("/v1/check-ins/" + id + "/help", a, new JsonObject().put("body", "stuck"));
    verb(api, id, "join", b);
    verb(api, id, "release", a);
    var events = Tasks.events(server.databaseUrl, f.room.getString("id"));
    for (var e : events) {
      if (e.type().equals("checkin.message")) {
        assertThat(e.data().getString("id")).startsWith("msg_");
        assertThat(e.data().getString("check_in_id")).isEqualTo(id);
        assertThat(e.data().getString("body")).isEqualTo("stuck");
      } else {
        assertThat(e.data().getString("id")).as(e.type()).isEqualTo(id);
        assertThat(e.data().getString("action")).isEqualTo("Write the summary");
      }
    }
    var byType = new LinkedHashMap<String, JsonObject>();
    events.forEach(e -> byType.put(e.type(), e.data()));
    assertThat(byType.get("checkin.claimed").getString("claimed_by")).isEqualTo(f.agentId(a));
    assertThat(byType.get("checkin.help_requested").getJsonObject("message").getString("body"))
        .isEqualTo("stuck");
    assertThat(byType.get("checkin.helper_joined").getString("helper_id")).isEqualTo(f.agentId(b));
    assertThat(byType.get("checkin.released").getString("released_by")).isEqualTo(f.agentId(a));
    assertThat(byType.get("checkin.released").getString("status")).isEqualTo("pending");
    assertThat(byType.get("checkin.released").getValue("claimed_by")).isNull();
  }

  @Test
  void taskCreationValidatesEveryFieldAndIsForHumansOnly() {
    Fixtures f = Fixtures.create(api);
    Map<JsonObject, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject(), "action");
    bad.put(new JsonObject().put("action", ""), "action");
    bad.put(new JsonObject().put("action", "a".repeat(501)), "action");
    bad.put(
        new JsonObject().put("action", "x").put("description", "d".repeat(5001)), "description");
    bad.put(new JsonObject().put("action", "x").put("risk_level", "extreme"), "risk_level");
    bad.put(new JsonObject().put("action", "x").put("urgency", "asap"), "urgency");
    bad.put(new JsonObject().put("action", "x").put("context", "q1"), "context");
    bad.put(
        new JsonObject()
            .put("action", "x")
            .put("context", new JsonObject().put("b", "b".repeat(10_300))),
        "context");
    for (var c : bad.entrySet()) {
      Res r = Tasks.post(f, c.getKey());
      assertThat(r.status()).as(c.getKey().encode()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_ERROR");
      assertThat(r.error().getJsonObject("details").getString("field")).isEqualTo(c.getValue());
    }
    Res ok =
        Tasks.post(
            f,
            new JsonObject()
                .put("action", "a".repeat(500))
                .put("description", "d".repeat(5000))
                .put("timeout_minutes", 5)); // ignored: tasks never time out
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    assertThat(ok.data().getString("risk_level")).isEqualTo("medium");
    assertThat(ok.data().getString("urgency")).isEqualTo("normal");
    assertThat(ok.data().getJsonObject("context")).isEqualTo(new JsonObject());
    assertThat(ok.data().getValue("timeout_minutes")).isNull();

    Res byAgent =
        api.post(
            "/v1/rooms/" + f.roomSlug + "/tasks",
            f.agentKey("a"),
            new JsonObject().put("action", "x"));
    assertThat(byAgent.status()).isEqualTo(403);
    assertThat(byAgent.code()).isEqualTo("FORBIDDEN");
    assertThat(
            api.post("/v1/rooms/nope/tasks", f.human, new JsonObject().put("action", "x")).status())
        .isEqualTo(404);
    assertThat(api.all("/v1/rooms/" + f.roomSlug + "/tasks", f.human, 100)).hasSize(1);
  }

  @Test
  void claimRefusalsAndOnlyAgentsClaim() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    String id = task(f, "Translate the FAQ").getString("id");

    Res byHuman = verb(api, id, "claim", f.human);
    assertThat(byHuman.status()).isEqualTo(403);
    assertThat(byHuman.code()).isEqualTo("FORBIDDEN");

    assertThat(verb(api, id, "claim", a).status()).isEqualTo(200);
    Res taken = verb(api, id, "claim", b);
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.code()).isEqualTo("CONFLICT");
    assertThat(taken.error().getJsonObject("details").getString("claimed_by"))
        .isEqualTo(f.agentId(a));
    assertThat(verb(api, id, "claim", a).status()).as("claiming twice").isEqualTo(409);

    String checkIn = f.pendingCheckIn(b, "Deploy").getString("id");
    Res agentCheckIn = verb(api, checkIn, "claim", a);
    assertThat(agentCheckIn.status()).isEqualTo(409);
    assertThat(agentCheckIn.error().getJsonObject("details").getString("direction"))
        .isEqualTo("agent_to_human");
    assertThat(status(api, checkIn, f.human)).isEqualTo("pending");
    for (String v : List.of("release", "help", "join")) {
      assertThat(verb(api, checkIn, v, b).status()).as(v).isEqualTo(409);
    }

    assertThat(verb(api, "ci_nope", "claim", a).status()).isEqualTo(404);

    // A finished task cannot be claimed again.
    say(api, id, a, "result", "done");
    api.post("/v1/check-ins/" + id + "/approve", f.human, null);
    assertThat(verb(api, id, "claim", b).status()).isEqualTo(409);
    assertThat(Tasks.eventTypes(server.databaseUrl, f.room.getString("id"), id))
        .containsOnlyOnce("checkin.claimed");
  }

  @Test
  void agentsOutsideTheRoomScopeAre403() {
    Fixtures f = Fixtures.create(api);
    Res other = api.post("/v1/rooms", f.human, new JsonObject().put("name", "Elsewhere"));
    assertThat(other.status()).isEqualTo(201);
    Res reg =
        api.post(
            "/v1/agents/register",
            f.human,
            new JsonObject()
                .put("name", "scoped")
                .put("room_scopes", new JsonArray().add(other.data().getString("slug"))));
    assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
    String scoped = reg.data().getString("api_key");
    String id = task(f, "Outside the scope").getString("id");
    assertThat(verb(api, id, "claim", scoped).status()).isEqualTo(403);
    assertThat(api.get("/v1/rooms/" + f.roomSlug + "/tasks", scoped).status()).isEqualTo(403);
    assertThat(api.get("/v1/check-ins/" + id + "/messages", scoped).status()).isEqualTo(403);
    String a = f.agentKey("a");
    claimedBy(id, a);
    api.post("/v1/check-ins/" + id + "/help", a, null);
    assertThat(verb(api, id, "join", scoped).status()).isEqualTo(403);
    assertThat(say(api, id, scoped, "comment", "hi").status()).isEqualTo(403);
    assertThat(participants(api, id, f.human)).hasSize(1);
  }

  private static void claimedBy(String id, String key) {
    Res r = verb(api, id, "claim", key);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  @Test
  void releaseReturnsTheTaskToTheRoomAndClearsTheTeam() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    String c = f.agentKey("c");
    String id = claimed(f, a, "Summarise the call");
    assertThat(verb(api, id, "help", a).status()).isEqualTo(200);
    assertThat(verb(api, id, "join", b).status()).isEqualTo(200);

    Res byHelper = verb(api, id, "release", b);
    assertThat(byHelper.status()).isEqualTo(403);
    assertThat(verb(api, id, "release", c).status()).isEqualTo(403);
    assertThat(verb(api, id, "release", f.human).status()).isEqualTo(403);

    Res released = verb(api, id, "release", a);
    assertThat(released.status()).as(released.toString()).isEqualTo(200);
    assertThat(released.data().getString("status")).isEqualTo("pending");
    assertThat(released.data().getValue("claimed_by")).isNull();
    assertThat(released.data().getBoolean("help_requested")).isFalse();
    assertThat(released.data().getJsonArray("participants")).isEmpty();
    assertThat(participants(api, id, f.human)).isEmpty();
    assertThat(verb(api, id, "release", a).status()).as("releasing twice").isEqualTo(403);

    // Neither the old primary nor the old helper is on the thread any more.
    assertThat(say(api, id, a, "comment", "still here?").status()).isEqualTo(403);
    assertThat(say(api, id, b, "comment", "me too?").status()).isEqualTo(403);
    assertThat(verb(api, id, "join", b).status()).isEqualTo(409);

    // Another agent takes it; so could the old helper.
    Res retaken = verb(api, id, "claim", c);
    assertThat(retaken.status()).as(retaken.toString()).isEqualTo(200);
    assertThat(participants(api, id, f.human)).containsExactly("primary:" + f.agentId(c));
    assertThat(Tasks.get(api, id, f.human).getBoolean("help_requested")).isFalse();
    JsonArray messages = Tasks.get(api, id, f.human).getJsonArray("messages");
    List<String> transitions = new ArrayList<>();
    for (Object o : messages) {
      JsonObject m = (JsonObject) o;
      if (m.getString("message_type").equals("status_change")) {
        transitions.add(m.getJsonObject("metadata").getString("to"));
      }
    }
    assertThat(transitions).containsExactly("pending", "in_progress", "pending", "in_progress");

    // Once submitted, the primary can no longer release it.
    assertThat(say(api, id, c, "result", "done").status()).isEqualTo(201);
    Res late = verb(api, id, "release", c);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.error().getJsonObject("details").getString("status")).isEqualTo("submitted");
    assertThat(status(api, id, f.human)).isEqualTo("submitted");
  }

  @Test
  void helpAndJoinFollowTheRules() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    String c = f.agentKey("c");
    String pendingTask = task(f, "Nobody has this").getString("id");
    assertThat(verb(api, pendingTask, "help", a).status()).as("help on unclaimed").isEqualTo(403);
    assertThat(verb(api, pendingTask, "join", a).status()).as("join unclaimed").isEqualTo(409);

    String id = claimed(f, a, "Refactor the importer");
    Res noHelp = verb(api, id, "join", b);
    assertThat(noHelp.status()).isEqualTo(409);
    assertThat(noHelp.error().getJsonObject("details").getBoolean("help_requested")).isFalse();
    assertThat(verb(api, id, "help", b).status()).as("help by a non-primary").isEqualTo(403);
    assertThat(verb(api, id, "help", f.human).status()).isEqualTo(403);
    Res tooLong =
        api.post(
            "/v1/check-ins/" + id + "/help", a, new JsonObject().put("body", "x".repeat(5001)));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.error().getJsonObject("details").getString("field")).isEqualTo("body");
    assertThat(Tasks.get(api, id, f.human).getBoolean("help_requested")).isFalse();

    Res help = verb(api, id, "help", a); // no body: no message
    assertThat(help.status()).isEqualTo(200);
    assertThat(types(Tasks.get(api, id, f.human).getJsonArray("messages")))
        .doesNotContain("escalation");
    Res byPrimary = verb(api, id, "join", a);
    assertThat(byPrimary.status()).isEqualTo(409);
    assertThat(verb(api, id, "join", f.human).status()).isEqualTo(403);

    assertThat(verb(api, id, "join", b).status()).isEqualTo(200);
    Res again = verb(api, id, "join", b);
    assertThat(again.status()).as("joining twice").isEqualTo(200);
    assertThat(verb(api, id, "join", c).status()).isEqualTo(200);
    assertThat(participants(api, id, f.human))
        .containsExactly(
            "primary:" + f.agentId(a), "helper:" + f.agentId(b), "helper:" + f.agentId(c));
    List<String> events = Tasks.eventTypes(server.databaseUrl, f.room.getString("id"), id);
    assertThat(events.stream().filter("checkin.helper_joined"::equals).count()).isEqualTo(2);
    assertThat(events).containsOnlyOnce("checkin.help_requested");

    // A helper is not the primary: its result is a plain message and it cannot release.
    assertThat(say(api, id, b, "result", "partial draft").status()).isEqualTo(201);
    assertThat(status(api, id, f.human)).isEqualTo("in_progress");
    assertThat(verb(api, id, "release", b).status()).isEqualTo(403);

    // Joining a submitted task is refused even though help was requested.
    assertThat(say(api, id, a, "result", "final").status()).isEqualTo(201);
    String d = f.agentKey("d");
    assertThat(verb(api, id, "join", d).status()).isEqualTo(409);
    assertThat(verb(api, id, "help", a).status()).as("help after submit").isEqualTo(409);
  }

  @Test
  void humansDecideOnlySubmittedTasksAndTrustMovesForThePrimary() {
    Fixtures f = Fixtures.create(api);
    String approvedBy = f.agentKey("approved");
    String rejectedBy = f.agentKey("rejected");
    String modifiedBy = f.agentKey("modified");
    String helper = f.agentKey("helper");
    JsonObject reason = new JsonObject().put("reason", "because");
    JsonObject modify =
        new JsonObject()
            .put("reason", "crop it")
            .put("modifications", new JsonObject().put("size", "1080x1080"));

    String unclaimed = task(f, "Pending").getString("id");
    String inProgress = claimed(f, approvedBy, "In progress");
    for (String id : List.of(unclaimed, inProgress)) {
      for (String v : List.of("approve", "reject", "modify")) {
        Res r = api.post("/v1/check-ins/" + id + "/" + v, f.human, modify);
        assertThat(r.status()).as(v).isEqualTo(409);
      }
    }

    String one = claimed(f, approvedBy, "one");
    verb(api, one, "help", approvedBy);
    verb(api, one, "join", helper);
    say(api, one, approvedBy, "result", "r");
    assertThat(api.post("/v1/check-ins/" + one + "/approve", approvedBy, null).status())
        .as("agents cannot decide")
        .isEqualTo(403);
    assertThat(api.post("/v1/check-ins/" + one + "/approve", f.human, null).status())
        .isEqualTo(200);
    assertThat(api.post("/v1/check-ins/" + one + "/reject", f.human, reason).status())
        .isEqualTo(409);

    String two = claimed(f, rejectedBy, "two");
    say(api, two, rejectedBy, "result", "r");
    Res rejected = api.post("/v1/check-ins/" + two + "/reject", f.human, reason);
    assertThat(rejected.status()).isEqualTo(200);
    assertThat(rejected.data().getJsonObject("decision").getString("reason")).isEqualTo("because");

    String three = claimed(f, modifiedBy, "three");
    say(api, three, modifiedBy, "result", "r");
    Res modified = api.post("/v1/check-ins/" + three + "/modify", f.human, modify);
    assertThat(modified.status()).isEqualTo(200);
    assertThat(modified.data().getJsonObject("decision").getJsonObject("modifications"))
        .isEqualTo(new JsonObject().put("size", "1080x1080"));

    assertThat(f.trust(f.agentId(approvedBy))).isCloseTo(16.0, within(1e-9));
    assertThat(f.trust(f.agentId(rejectedBy))).isCloseTo(14.7, within(1e-9));
    assertThat(f.trust(f.agentId(modifiedBy))).isCloseTo(15.6, within(1e-9));
    assertThat(f.trust(f.agentId(helper))).isCloseTo(15.0, within(1e-9));

    // A rejected task is finished: the primary cannot submit again.
    assertThat(say(api, two, rejectedBy, "result", "again").status()).isEqualTo(409);
    assertThat(status(api, two, f.human)).isEqualTo("rejected");
  }

  @Test
  void roomTaskListFiltersAndPages() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    List<String> unclaimed = new ArrayList<>();
    for (int i = 0; i < 5; i++) unclaimed.add(task(f, "open " + i).getString("id"));
    String inProgress = claimed(f, a, "busy");
    String submitted = claimed(f, b, "done");
    say(api, submitted, b, "result", "here");
    f.pendingCheckIn(a, "an agent check-in is not a task");

    String base = "/v1/rooms/" + f.roomSlug + "/tasks";
    List<JsonObject> all = api.all(base, f.human, 2);
    assertThat(all).hasSize(7);
    assertThat(all).allMatch(t -> t.getString("direction").equals("human_to_agent"));
    List<String> ids = all.stream().map(t -> t.getString("id")).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(api.all(base + "?claimed=false", f.human, 2))
        .extracting(t -> t.getString("id"))
        .containsExactlyElementsOf(unclaimed);
    assertThat(api.all(base + "?claimed=true", f.human, 2))
        .extracting(t -> t.getString("id"))
        .containsExactly(inProgress, submitted);
    assertThat(api.all(base + "?status=submitted", a, 2))
        .extracting(t -> t.getString("id"))
        .containsExactly(submitted);
    assertThat(api.all(base + "?claimed=true&status=in_progress", f.human, 10))
        .extracting(t -> t.getString("id"))
        .containsExactly(inProgress);
    assertThat(api.all(base + "?status=approved", f.human, 10)).isEmpty();

    Res page = api.get(base + "?limit=3", f.human);
    assertThat(page.list()).hasSize(3);
    assertThat(page.json().getBoolean("has_more")).isTrue();
    Res last = api.get(base + "?limit=3&cursor=" + page.json().getString("cursor"), f.human);
    assertThat(last.list().getJsonObject(0).getString("id")).isEqualTo(ids.get(3));

    for (String q :
        List.of("claimed=yes", "claimed=1", "status=done", "limit=0", "limit=101", "cursor=abc")) {
      Res r = api.get(base + "?" + q, f.human);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.error().getJsonObject("details").getString("field"))
          .isEqualTo(q.substring(0, q.indexOf('=')));
    }
    Res foreignCursor =
        api.get(
            "/v1/rooms/" + f.roomSlug + "/pending?cursor=" + page.json().getString("cursor"),
            f.human);
    assertThat(foreignCursor.status()).isEqualTo(400);
  }

  @Test
  void claimedListShowsTheCallersTasksOnly() {
    Fixtures f = Fixtures.create(api);
    String a = f.agentKey("a");
    String b = f.agentKey("b");
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 4; i++) mine.add(claimed(f, a, "mine " + i));
    String theirs = claimed(f, b, "theirs");
    task(f, "unclaimed");
    say(api, mine.get(1), a, "result", "done");

    assertThat(api.all("/v1/check-ins/claimed", a, 3))
        .extracting(t -> t.getString("id"))
        .containsExactlyElementsOf(mine);
    assertThat(api.all("/v1/check-ins/claimed?status=submitted", a, 3))
        .extracting(t -> t.getString("id"))
        .containsExactly(mine.get(1));
    assertThat(api.all("/v1/check-ins/claimed?status=in_progress", a, 2)).hasSize(3);
    assertThat(api.all("/v1/check-ins/claimed", b, 3))
        .extracting(t -> t.getString("id"))
        .containsExactly(theirs);

    assertThat(verb(api, mine.get(0), "release", a).status()).isEqualTo(200);
    assertThat(api.all("/v1/check-ins/claimed", a, 3)).hasSize(3);

    assertThat(api.get("/v1/check-ins/claimed", f.human).status()).isEqualTo(403);
    Res bad = api.get("/v1/check-ins/claimed?status=busy", a);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error().getJsonObject("details").getString("field")).isEqualTo("status");
    Res page = api.get("/v1/check-ins/claimed?limit=1", a);
    assertThat(page.json().getBoolean("has_more")).isTrue();
  }

  @Test
  void idempotentTaskCreationReturnsTheFirstResponse() throws Exception {
    Fixtures f = Fixtures.create(api);
    String path = "/v1/rooms/" + f.roomSlug + "/tasks";
    JsonObject body = new JsonObject().put("action", "Post once");
    Res first = api.send("POST", path, f.human, body, Map.of("Idempotency-Key", "t-1"));
    Res again = api.send("POST", path, f.human, body, Map.of("Idempotency-Key", "t-1"));
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    Res different =
        api.send(
            "POST",
            path,
            f.human,
            new JsonObject().put("action", "Post twice"),
            Map.of("Idempotency-Key", "t-1"));
    assertThat(different.status()).isEqualTo(409);

    List<CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(api.sendAsync("POST", path, f.human, body, Map.of("Idempotency-Key", "t-2")));
    }
    Set<String> ids = new HashSet<>();
    for (var c : all) {
      Res r = c.get();
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      ids.add(r.data().getString("id"));
    }
    assertThat(ids).hasSize(1);
    assertThat(api.all(path, f.human, 100)).hasSize(2);
    assertThat(
            Tasks.events(server.databaseUrl, f.room.getString("id")).stream()
                .filter(e -> e.type().equals("checkin.created"))
                .count())
        .isEqualTo(2);
  }

  @Test
  void anotherOrgSeesNothingOf404() {
    Fixtures f = Fixtures.create(api);
    Fixtures other = Fixtures.create(api);
    String a = f.agentKey("a");
    String id = claimed(f, a, "Private work");
    verb(api, id, "help", a);
    String stranger = other.agentKey("stranger");
    String roomId = f.room.getString("id");

    assertThat(api.get("/v1/check-ins/" + id, other.human).status()).isEqualTo(404);
    assertThat(api.get("/v1/check-ins/" + id + "/messages", other.human).status()).isEqualTo(404);
    assertThat(api.get("/v1/check-ins/" + id + "/messages", stranger).status()).isEqualTo(404);
    assertThat(say(api, id, other.human, "comment", "hi").status()).isEqualTo(404);
    assertThat(say(api, id, stranger, "comment", "hi").status()).isEqualTo(404);
    for (String v : List.of("claim", "release", "help", "join")) {
      assertThat(verb(api, id, v, stranger).status()).as(v).isEqualTo(404);
    }
    assertThat(api.post("/v1/check-ins/" + id + "/approve", other.human, null).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/rooms/" + roomId + "/tasks", other.human).status()).isEqualTo(404);
    assertThat(
            api.post(
                    "/v1/rooms/" + roomId + "/tasks",
                    other.human,
                    new JsonObject().put("action", "x"))
                .status())
        .isEqualTo(404);
    assertThat(api.all("/v1/check-ins/claimed", stranger, 10)).isEmpty();
    assertThat(participants(api, id, f.human)).containsExactly("primary:" + f.agentId(a));
    assertThat(Tasks.get(api, id, f.human).getJsonArray("messages")).hasSize(2);
  }
}
