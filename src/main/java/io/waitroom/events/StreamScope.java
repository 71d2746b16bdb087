package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.Set;

/**
 * What one stream follows: one room ({@code GET /v1/rooms/:room/events}), or every room of an org
 * ({@code GET /v1/events}), optionally narrowed to some rooms (an agent's {@code room_scopes}).
 * Both read {@code room_events} in id order; {@link io.waitroom.db.Tx#event} commits an org's ids
 * in id order, so {@code id > N} is gap-free for either, and the event id is the resume id of both.
 *
 * @param key the feed this stream shares with the other streams of the same room or org
 * @param rooms for an org stream, the rooms shown (null: all, including rooms created later)
 */
record StreamScope(String key, String roomId, String orgId, Set<String> rooms) {

  static StreamScope room(String roomId) {
    return new StreamScope(roomId, roomId, null, null);
  }

  static StreamScope org(String orgId, Set<String> rooms) {
    return new StreamScope("org:" + orgId, null, orgId, rooms == null ? null : Set.copyOf(rooms));
  }

  /** The key of the org feed an event also rings. */
  static String orgKey(String orgId) {
    return "org:" + orgId;
  }

  boolean orgWide() {
    return orgId != null;
  }

  /** Whether this stream may show the event (the feed already holds only its room or org). */
  boolean shows(RoomEvent e) {
    return rooms == null || rooms.contains(e.roomId());
  }

  Future<EventLog.Page> after(SqlClient db, long afterId, int limit) {
    return orgWide()
        ? EventLog.afterInOrg(db, orgId, afterId, limit)
        : EventLog.after(db, roomId, afterId, limit);
  }

  @Override
  public String toString() {
    return orgWide() ? "org_id=" + orgId : "room_id=" + roomId;
  }
}
