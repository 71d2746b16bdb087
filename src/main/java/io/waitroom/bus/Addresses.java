package io.waitroom.bus;

/** Every event-bus address of the server. */
public final class Addresses {
  private Addresses() {}

  /** Room events after commit ({@code RoomEvent}), published to every local subscriber. */
  public static final String ROOM_EVENTS = "waitroom.room-events";

  /** Room events that came from another node through the cluster bridge. */
  public static final String ROOM_EVENTS_REMOTE = "waitroom.room-events.remote";

  /** A room's policies changed: drop cached copies (body: the room id). */
  public static final String POLICY_INVALIDATE = "waitroom.policy.invalidate";

  /** A policy invalidation that came from another node (not relayed again). */
  public static final String POLICY_INVALIDATE_REMOTE = "waitroom.policy.invalidate.remote";

  /** An agent's key or scopes changed (body: the agent id): drop it from the key cache. */
  public static final String AGENT_INVALIDATE = "waitroom.agents.invalidate";

  /** The same, from another node through the Redis bridge. */
  public static final String AGENT_INVALIDATE_REMOTE = "waitroom.agents.invalidate.remote";

  /**
   * Events of other nodes may have been missed (the Redis bridge reconnected): every stream feed
   * re-reads the database and every long-poll waiter re-checks. Body: ignored.
   */
  public static final String ROOM_STREAMS_RESYNC = "waitroom.room-streams.resync";
}
