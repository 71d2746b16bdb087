package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.events.EventLog;
import io.waitroom.push.PushQueue;
import io.waitroom.receipts.Receipts;
import io.waitroom.trust.Trust;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The transition step: the one place a check-in's state changes. It runs the change's conditional
 * statement (its row count is the race's verdict; a miss is explained by the change) and then, in
 * the same transaction and always in this order, writes: the statements that go with it, the posted
 * message, the {@code status_change} and {@code decision} thread messages, the audit rows, the room
 * events and, last (its row is the hot lock: one agent's decisions in one room), the trust change.
 * The statements are pipelined (sent without waiting for each answer), so a change costs about
 * three round trips whatever it writes; a create whose row is known before it is written ({@link
 * Change#written}) sends its insert and all of that at once, in one.
 */
public final class CheckInTransitions {
  private CheckInTransitions() {}

  /** The check-in after the change, and the message it posted (or null). */
  public record Applied(CheckIn checkIn, JsonObject note) {}

  /** A change of one check-in. */
  public static Future<Applied> apply(Tx tx, Change change) {
    return apply(tx, change, false);
  }

  /**
   * A change of one check-in that is its transaction's last: nothing is sent after it, so its
   * COMMIT goes right behind its statements ({@link Tx#commitNow}) and the hot row its last
   * statement locks (the agent's trust) is held for the commit alone. A miss sends nothing more.
   */
  public static Future<Applied> applyLast(Tx tx, Change change) {
    return apply(tx, change, true);
  }

  private static Future<Applied> apply(Tx tx, Change change, boolean last) {
    Future<RowSet<Row>> statement =
        tx.conn().preparedQuery(change.statement().sql()).execute(change.statement().params());
    if (change.written() != null) {
      // The row is known: its records go right behind it (if the insert fails, so do they, in
      // the aborted transaction, and the insert's error, answered first, is the failure).
      Future<Applied> recorded = record(tx, change, change.written(), last);
      return Future.all(statement, recorded).map(v -> recorded.result());
    }
    return statement.compose(
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
          return record(tx, change, CheckIn.fromRow(rows.iterator().next()), last);
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
                chain = chain.compose(v -> record(tx, change, ci, false).mapEmpty());
              return chain.map(changed);
            });
  }

  /** A message that changes no state: the message, its audit row and its room event. */
  public static Future<JsonObject> post(Tx tx, Change.By by, CheckIn ci, Change.Note note) {
    return insertNote(tx.conn(), by, ci, note)
        .compose(m -> auditNote(tx, by, ci, m).compose(v -> eventNote(tx, ci, m)).map(m));
  }

  /** {@code last}: the transaction ends with this change; COMMIT follows its statements at once. */
  private static Future<Applied> record(Tx tx, Change change, CheckIn decided, boolean last) {
    Transition t = change.transition();
    // A decision is signed here, between its statement's answer (which has its decided_at) and
    // the statements sent behind it: no round trip of its own, and every record of the change
    // (events, audit snapshot, answer) carries the receipt.
    boolean signs = change.receipts() != null && Receipts.due(decided);
    CheckIn ci = signs ? decided.withReceipt(change.receipts().sign(decided)) : decided;
    Change.By by = change.by();
    Status from = t.from(ci.direction());
    if (!t.allows(ci.direction(), from, Status.of(ci.status()))) {
      return Future.failedFuture(
          new IllegalStateException(t + " left " + ci.id() + " " + ci.status()));
    }
    // Pipelined: every statement is sent at once, in this order, on the transaction's connection
    // (which runs them in order); only the posted message's audit row and event wait for its row.
    SqlConnection db = tx.conn();
    List<Future<?>> sent = new ArrayList<>();
    if (signs) {
      sent.add(db.preparedQuery(CheckInSql.SET_RECEIPT).execute(Tuple.of(ci.id(), ci.receipt())));
    }
    for (Change.Sql s : change.alongside()) sent.add(db.preparedQuery(s.sql()).execute(s.params()));
    if (t.settles() && !ci.isTask()) {
      // A phone that was told of it no longer offers a decision on it.
      Change.Sql settled = PushQueue.settled(ci);
      sent.add(db.preparedQuery(settled.sql()).execute(settled.params()));
    }
    Future<JsonObject> note =
        change.note() == null ? none() : insertNote(db, by, ci, change.note());
    sent.add(note);
    if (t.changesStatus()) {
      sent.add(ThreadMessages.statusChange(db, ci, from == null ? null : from.wire(), by.id()));
    }
    if (t.writesDecision()) sent.add(ThreadMessages.decision(db, ci, by.type()));
    Future<Void> rest =
        note.compose(
            n -> {
              Future<Void> written =
                  Future.all(audits(tx, t, by, ci, n), events(tx, t, by, ci, n), trust(db, t, ci))
                      .mapEmpty();
              // Every statement of the change is sent (the trust row, the hot lock, last).
              if (last) tx.commitNow();
              return written;
            });
    sent.add(rest);
    return Future.all(sent).compose(v -> note).map(n -> new Applied(ci, n));
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
    List<Future<Void>> rows = new ArrayList<>(3);
    if (note != null) rows.add(auditNote(tx, by, ci, note));
    rows.add(audit(tx, by, ci, t.eventType(ci)));
    if (decidedAtCreation(t, ci)) {
      rows.add(audit(tx, Change.By.system(ci.decidedBy()), ci, decisionEvent(ci)));
    }
    return Future.all(rows).mapEmpty();
  }

  /** The events are numbered in the order they are appended here (EventLog.append). */
  private static Future<Void> events(
      Tx tx, Transition t, Change.By by, CheckIn ci, JsonObject note) {
    List<Future<Void>> rows = new ArrayList<>(3);
    if (note != null) rows.add(eventNote(tx, ci, note).mapEmpty());
    rows.add(event(tx, ci, t.eventType(ci), eventData(t, by, ci, note)));
    if (decidedAtCreation(t, ci)) rows.add(event(tx, ci, decisionEvent(ci), ci.toJson()));
    return Future.all(rows).mapEmpty();
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
