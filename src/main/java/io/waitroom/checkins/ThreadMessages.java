package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;

/** A check-in's message thread: messages written by people, and by the server itself. */
public final class ThreadMessages {
  private ThreadMessages() {}

  public static JsonObject messageJson(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("check_in_id", r.getString("check_in_id"))
        .put("author_type", r.getString("author_type"))
        .put("author_id", r.getString("author_id"))
        .put("message_type", r.getString("message_type"))
        .put("body", r.getString("body"))
        .put("metadata", r.getValue("metadata"))
        .put("attachments", r.getValue("attachments"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")));
  }

  public static Future<JsonObject> insert(
      SqlClient db,
      CheckIn ci,
      String authorType,
      String authorId,
      String type,
      String body,
      JsonObject metadata,
      JsonArray attachments) {
    return db.preparedQuery(CheckInSql.INSERT_MESSAGE)
        .execute(
            Tuple.from(
                new Object[] {
                  Ids.next(Ids.MESSAGE),
                  ci.id(),
                  ci.orgId(),
                  authorType,
                  authorId,
                  type,
                  body,
                  metadata == null ? new JsonObject() : metadata,
                  attachments == null ? new JsonArray() : attachments
                }))
        .map(rows -> messageJson(rows.iterator().next()));
  }

  /** The server's own record of a status change. */
  public static Future<JsonObject> statusChange(
      SqlClient db, CheckIn ci, String from, String actorId) {
    String body =
        from == null
            ? "Created with status " + ci.status()
            : "Status changed from " + from + " to " + ci.status();
    return insert(
        db,
        ci,
        "system",
        "system",
        "status_change",
        body,
        new JsonObject().put("from", from).put("to", ci.status()).put("by", actorId),
        null);
  }

  /** A human's decision, with its reason and modifications. */
  public static Future<JsonObject> decision(SqlClient db, CheckIn ci, String authorType) {
    String reason = ci.decisionReason();
    String body = reason == null || reason.isEmpty() ? capitalised(ci.decisionType()) : reason;
    JsonObject meta =
        new JsonObject()
            .put("decision", ci.decisionType())
            .put("modifications", ci.decisionModifications());
    return insert(db, ci, authorType, ci.decidedBy(), "decision", body, meta, null);
  }

  private static String capitalised(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  public static Future<JsonArray> messages(SqlClient db, String checkInId) {
    return db.preparedQuery(CheckInSql.MESSAGES)
        .execute(Tuple.of(checkInId))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              rows.forEach(r -> out.add(messageJson(r)));
              return out;
            });
  }

  public static Future<JsonArray> participants(SqlClient db, String checkInId) {
    return db.preparedQuery(CheckInSql.PARTICIPANTS)
        .execute(Tuple.of(checkInId))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              rows.forEach(
                  r ->
                      out.add(
                          new JsonObject()
                              .put("agent_id", r.getString("agent_id"))
                              .put("role", r.getString("role"))
                              .put("joined_at", Time.iso(r.getOffsetDateTime("joined_at")))));
              return out;
            });
  }
}
