package io.waitroom.push;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.checkins.CheckIn;
import io.waitroom.rooms.Room;

/**
 * The push queue's producer side. A new pending agent check-in is enqueued for every subscription
 * covering its room in the check-in's own transaction (not from the event log with a cursor: event
 * ids of different orgs commit out of id order, so a global cursor could step over an event that
 * commits late, and a per-row "done" flag would rewrite every event). So a push exists if and only
 * if the check-in does, and survives any crash until {@link PushVerticle} sends it.
 */
public final class PushQueue {
  private PushQueue() {}

  /** Push services accept about 4 KB of encrypted payload; keep the text well inside it. */
  static final int MAX_TEXT = 500;

  /** Enqueues the pushes for a check-in; a no-op unless it is an agent check-in left pending. */
  public static Future<Void> enqueue(SqlConnection conn, Room room, CheckIn ci) {
    if (!"pending".equals(ci.status()) || !CheckIn.AGENT_TO_HUMAN.equals(ci.direction())) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(PushSql.ENQUEUE)
        .execute(Tuple.of(ci.orgId(), ci.roomId(), ci.id(), payload(room, ci)))
        .mapEmpty();
  }

  /** What the service worker shows: enough for the notification, and where a click leads. */
  static JsonObject payload(Room room, CheckIn ci) {
    return new JsonObject()
        .put("type", "checkin.pending")
        .put("check_in_id", ci.id())
        .put("room_id", ci.roomId())
        .put("room", cut(room.name(), 200))
        .put("action", cut(ci.action(), MAX_TEXT))
        .put("risk_level", ci.riskLevel())
        .put("urgency", ci.urgency())
        .put("agent_id", ci.agentId())
        .put("url", "/#/check-ins/" + ci.id());
  }

  private static String cut(String s, int max) {
    if (s == null || s.codePointCount(0, s.length()) <= max) return s;
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }
}
