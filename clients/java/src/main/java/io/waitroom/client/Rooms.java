package io.waitroom.client;

import io.waitroom.client.Inputs.RoomInput;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Model.PolicyEvaluation;
import io.waitroom.client.Model.Room;
import io.waitroom.client.Transport.Call;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Rooms and their policies. */
public final class Rooms extends Resource {
  Rooms(Transport t) {
    super(t);
  }

  public CompletableFuture<Room> createAsync(RoomInput input) {
    return one(Call.of("POST", "/v1/rooms", input), null, Room.class);
  }

  public Room create(RoomInput input) {
    return join(createAsync(input));
  }

  /** {@code query}: {@code limit}, {@code cursor}. */
  public CompletableFuture<Page<Room>> listAsync(Map<String, ?> query) {
    return page("/v1/rooms", query, Room.class);
  }

  public Page<Room> list(Map<String, ?> query) {
    return join(listAsync(query));
  }

  public Page<Room> list() {
    return list(Map.of());
  }

  public CompletableFuture<Room> getAsync(String room) {
    return one(Call.get("/v1/rooms/" + seg(room), null), null, Room.class);
  }

  public Room get(String room) {
    return join(getAsync(room));
  }

  /** Replaces the policy document; answers the room. */
  public CompletableFuture<Room> putPoliciesAsync(String room, Map<String, ?> policies) {
    return one(Call.of("PUT", "/v1/rooms/" + seg(room) + "/policies", policies), null, Room.class);
  }

  public Room putPolicies(String room, Map<String, ?> policies) {
    return join(putPoliciesAsync(room, policies));
  }

  /** Dry run of a check-in body (plus optional {@code agent_id}, {@code policies}). */
  public CompletableFuture<PolicyEvaluation> evaluateAsync(String room, Map<String, ?> body) {
    return one(
        Call.of("POST", "/v1/rooms/" + seg(room) + "/policies/evaluate", body),
        null,
        PolicyEvaluation.class);
  }

  public PolicyEvaluation evaluate(String room, Map<String, ?> body) {
    return join(evaluateAsync(room, body));
  }
}
