package io.waitroom.auth;

import io.vertx.core.json.JsonObject;
import io.waitroom.db.Tx;
import java.util.List;

/** Who is calling: an agent (by key) or a human (by JWT). */
public sealed interface Actor extends Tx.Author permits Actor.Agent, Actor.Human {

  /** The caller's org id, or null for an agent nobody has claimed yet. */
  String orgId();

  String id();

  /** {@code agent} or {@code human}, as written into audit rows and events. */
  String type();

  /** An agent authenticated by its {@code wr_} key. */
  record Agent(String id, String orgId, String name, List<String> roomScopes) implements Actor {
    @Override
    public String type() {
      return "agent";
    }

    public boolean claimed() {
      return orgId != null;
    }

    /** Whether this key may act in the room: no scopes means every room of the org. */
    public boolean mayUseRoom(String roomId) {
      return roomScopes.isEmpty() || roomScopes.contains(roomId);
    }
  }

  /** A human authenticated by a JWT; {@code id} is our {@code usr_} id, {@code subject} the sub. */
  record Human(String id, String orgId, String subject, String name) implements Actor {
    @Override
    public String type() {
      return "human";
    }
  }

  default JsonObject toJson() {
    return new JsonObject().put("type", type()).put("id", id());
  }
}
