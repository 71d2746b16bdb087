package io.waitroom.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import java.util.UUID;

/** A fresh org with a human, a room and registered agents, made through the public API. */
public final class Fixtures {
  public final Api api;
  public final String org;
  public final String human;
  public final JsonObject room;
  public final String roomSlug;

  private Fixtures(Api api, String org, String human, JsonObject room) {
    this.api = api;
    this.org = org;
    this.human = human;
    this.room = room;
    this.roomSlug = room.getString("slug");
  }

  /** A new org (so tests never see each other's data) with one room. */
  public static Fixtures create(Api api) {
    return create(api, new JsonObject());
  }

  public static Fixtures create(Api api, JsonObject policies) {
    String org = "org-" + UUID.randomUUID();
    String human = TestServer.token(org, "alice");
    Res r =
        api.post(
            "/v1/rooms",
            human,
            new JsonObject().put("name", "Deployments").put("policies", policies));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return new Fixtures(api, org, human, r.data());
  }

  /** Another human of the same org. */
  public String human(String sub) {
    return TestServer.token(org, sub);
  }

  /** Registers an agent and returns its key. */
  public String agentKey(String name) {
    return agent(name).getString("api_key");
  }

  public JsonObject agent(String name) {
    Res r = api.post("/v1/agents/register", human, new JsonObject().put("name", name));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  public String agentId(String key) {
    return api.get("/v1/agents/me", key).data().getString("id");
  }

  /**
   * The {@code usr_} id of the human behind {@code token} (named {@code sub}), as {@code GET
   * /v1/me} shows it. (It used to be read from a room of their own; since roles, only admins create
   * rooms, and a second human of an org is an approver.)
   */
  public String userId(String token, String sub) {
    Res r = api.get("/v1/me", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getString("id");
  }

  public Res checkIn(String key, JsonObject body) {
    return api.post("/v1/rooms/" + roomSlug + "/check-in", key, body);
  }

  public JsonObject pendingCheckIn(String key, String action) {
    Res r = checkIn(key, new JsonObject().put("action", action));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  public Res putPolicies(JsonObject policies) {
    return api.put("/v1/rooms/" + roomSlug + "/policies", human, policies);
  }

  public static JsonObject policy(String defaultAction, JsonArray rules) {
    return new JsonObject()
        .put("default_action", defaultAction)
        .put("timeout_minutes", 60)
        .put("timeout_action", "cancel")
        .put("rules", rules);
  }

  public static JsonObject rule(String id, String effect, JsonObject conditions) {
    return new JsonObject().put("id", id).put("effect", effect).put("conditions", conditions);
  }

  public double trust(String agentId) {
    Res r = api.get("/v1/agents/" + agentId + "/trust", human);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    for (Object o : r.data().getJsonArray("rooms")) {
      JsonObject t = (JsonObject) o;
      if (t.getString("room_id").equals(room.getString("id"))) return t.getDouble("score");
    }
    return 15.0;
  }
}
