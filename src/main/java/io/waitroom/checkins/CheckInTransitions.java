package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.events.EventLog;
import io.waitroom.trust.Trust;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The transition step: the one place a check-in's state changes. It runs the change's conditional
 * statement (its row count is the race's verdict; a miss is explained by the change) and then, in
 * the same transaction and always in this order, writes: the statements that go with it, the posted
 * message, the {@code status_change} and {@code decision} thread messages, the trust change, the
 * audit rows and, last (they take the org's event lock), the room events.
 */
public final class CheckInTransitions {
  private CheckInTransitions() {}

  /** The check-in after the change, and the message it posted (or null). */
  public record Applied(CheckIn checkIn, JsonObject note) {}

  /** A change of one check-in. */
  public static Future<Applied> apply(Tx tx, Change change) {
    return tx.conn()
        .preparedQuery(change.statement().sql())
        .execute(change.statement().params())
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return change
                    .miss()
                    .explain(tx.conn())
                    .compose(v -> Future.failedFuture(ApiException.conflict("nothing changed")));
              }
              if (rows.size() > 1) {
                return Future.failedFuture(
                    new IllegalStateException(change.transition() + " matched " + rows.size()));
              }
              return record(tx, change, CheckIn.fromRow(rows.iterator().next()));
            });
  }

  /**
   * A change of any number of check-ins (the sweeper's batch). Each is recorded in org order (then
   * room), the order every writer of several orgs takes the event lock in (one per org, see {@link
   * EventLog#append}), so nodes cannot deadlock.
   */
  public static Future<List<CheckIn>> applyAll(Tx tx, Change change) {
    return tx.conn()
        .preparedQuery(change.statement().sql())
        .execute(change.statement().params())
        .compose(
            rows -> {
              List<CheckIn> changed = new ArrayList<>(rows.size());
              for (Row r : rows) changed.add(CheckIn.fromRow(r));
              changed.sort(
                  Comparator.comparing(CheckIn::orgId)
                      .thenComparing(CheckIn::roomId)
                      .thenComparing(CheckIn::id));
              Future<Void> chain = Future.succeededFuture();
              for (CheckIn ci : changed)
                chain = chain.compose(v -> record(tx, change, ci).mapEmpty());
              return chain.map(changed);
            });
  }

  /** A message that changes no state: the message, its audit row and its room event. */
  public static Future<JsonObject> post(Tx tx, Change.By by, CheckIn ci, Change.Note note) {
    return insertNote(tx.conn(), by, ci, note)
        .compose(m -> auditNote(tx, by, ci, m).compose(v -> eventNote(tx, ci, m)).map(m));
  }

  private static Future<Applied> record(Tx tx, Change change, CheckIn ci) {
    Transition t = change.transition();
    Change.By by = change.by();
    Status from = t.from(ci.direction());
    if (!t.allows(ci.direction(), from, Status.of(ci.status()))) {
      return Future.failedFuture(
          new IllegalStateException(t + " left " + ci.id() + " " + ci.status()));
    }
    SqlConnection db = tx.conn();
    Future<Void> chain = Future.succeededFuture();
    for (Change.Sql s : change.alongside()) {
      chain = chain.compose(v -> db.preparedQuery(s.sql()).execute(s.params()).mapEmpty());
    }
    return chain
        .compose(v -> change.note() == null ? none() : insertNote(db, by, ci, change.note()))
        .compose(
            note ->
                (t.changesStatus()
                        ? ThreadMessages.statusChange(
                            db, ci, from == null ? null : from.wire(), by.id())
                        : none())
                    .compose(
                        m ->
                            t.writesDecision()
                                ? ThreadMessages.decision(db, ci, by.type())
                                : none())
                    .compose(m -> trust(db, t, ci))
                    .compose(v -> audits(tx, t, by, ci, note))
                    .compose(v -> events(tx, t, by, ci, note))
                    .map(v -> new Applied(ci, note)));
  }

  private static Future<JsonObject> none() {
    return Future.succeededFuture();
  }

  /** The one writer of trust: a human decision or an expiry moves the agent's score. */
  private static Future<Void> trust(SqlConnection db, Transition t, CheckIn ci) {
    String outcome = t.trustOutcome(ci);
    if (outcome == null) return Future.succeededFuture();
    return Trust.apply(db, ci.orgId(), ci.trustAgent(), ci.roomId(), outcome).mapEmpty();
  }

  private static Future<Void> audits(
      Tx tx, Transition t, Change.By by, CheckIn ci, JsonObject note) {
    Future<Void> chain = note == null ? Future.succeededFuture() : auditNote(tx, by, ci, note);
    chain = chain.compose(v -> audit(tx, by, ci, t.eventType(ci)));
    if (decidedAtCreation(t, ci)) {
      chain =
          chain.compose(v -> audit(tx, Change.By.system(ci.decidedBy()), ci, decisionEvent(ci)));
    }
    return chain;
  }

  private static Future<Void> events(
      Tx tx, Transition t, Change.By by, CheckIn ci, JsonObject note) {
    Future<?> chain = note == null ? Future.succeededFuture() : eventNote(tx, ci, note);
    chain = chain.compose(v -> event(tx, ci, t.eventType(ci), eventData(t, by, ci, note)));
    if (decidedAtCreation(t, ci)) {
      chain = chain.compose(v -> event(tx, ci, decisionEvent(ci), ci.toJson()));
    }
    return chain.mapEmpty();
  }

  /** What the room event carries beyond the check-in itself. */
  private static JsonObject eventData(Transition t, Change.By by, CheckIn ci, JsonObject note) {
    return switch (t) {
      case RELEASE -> ci.toJson().put("released_by", by.id());
      case REQUEST_HELP -> ci.toJson().put("message", note);
      case VOTE -> ci.toJson().put("vote", ci.votes().getJsonObject(ci.votes().size() - 1));
      case ESCALATE ->
          ci.toJson()
              .put("level", ci.escalationLevel())
              .put("notify", ci.escalationStep().getValue("notify"));
      default -> ci.toJson();
    };
  }

  /** A check-in the policy engine decided as it was created also records that decision. */
  private static boolean decidedAtCreation(Transition t, CheckIn ci) {
    return t == Transition.CREATE && ci.decisionType() != null;
  }

  private static String decisionEvent(CheckIn ci) {
    return "checkin." + ci.decisionType();
  }

  private static Future<Void> audit(Tx tx, Change.By by, CheckIn ci, String type) {
    return tx.audit(
        ci.orgId(), ci.roomId(), by.type(), by.id(), type, "check_in", ci.id(), ci.toJson());
  }

  private static Future<Void> event(Tx tx, CheckIn ci, String type, JsonObject data) {
    return EventLog.append(tx, ci.orgId(), ci.roomId(), type, data).mapEmpty();
  }

  private static Future<JsonObject> insertNote(
      SqlConnection db, Change.By by, CheckIn ci, Change.Note n) {
    return ThreadMessages.insert(
        db, ci, by.type(), by.id(), n.type(), n.body(), n.metadata(), n.attachments());
  }

  private static Future<Void> auditNote(Tx tx, Change.By by, CheckIn ci, JsonObject message) {
    return tx.audit(
        ci.orgId(),
        ci.roomId(),
        by.type(),
        by.id(),
        "checkin.message",
        "check_in",
        ci.id(),
        message);
  }

  private static Future<Void> eventNote(Tx tx, CheckIn ci, JsonObject message) {
    return event(tx, ci, "checkin.message", message);
  }
}
