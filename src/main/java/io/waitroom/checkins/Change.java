package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.receipts.Receipts;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * What a state change of a check-in is, as data: the transition, who makes it, the conditional
 * statement whose row count is the race's verdict, the statements that go with a hit, and the
 * message it posts. {@link CheckInTransitions#apply} writes it and everything it implies; callers
 * say what changes, never how it is recorded. Being data, a change can also be compiled into one
 * statement later without touching the callers.
 *
 * @param statement the conditional update (or insert), {@code RETURNING} the check-in's columns
 * @param alongside statements run after a hit, before the records (a claim's participant row, a new
 *     check-in's Web Push queue)
 * @param note a message the change posts in the thread (a result, a help request), or null
 * @param miss why the statement matched nothing; must fail (404, 403, 409 ...)
 * @param written the check-in the statement writes, when it is known before the statement runs (a
 *     create in a transaction whose {@code now()} was read); then the statement has no {@code
 *     RETURNING} and everything the change implies is sent with it, or null
 * @param receipts who signs the receipt of a decision the change makes (null: it makes none)
 */
public record Change(
    Transition transition,
    By by,
    Sql statement,
    List<Sql> alongside,
    Note note,
    Miss miss,
    CheckIn written,
    Receipts receipts) {

  /** Who makes the change, as audit rows and {@code status_change} messages name them. */
  public record By(String type, String id) {
    public static By of(Tx.Author author) {
      return new By(author.type(), author.id());
    }

    public static By system(String id) {
      return new By("system", id);
    }
  }

  /** One statement and its parameters. */
  public record Sql(String sql, Tuple params) {}

  /** A thread message written by the change's author as part of it. */
  public record Note(String type, String body, JsonObject metadata, JsonArray attachments) {}

  /** Explains a statement that matched nothing, with the read that runs only then. */
  @FunctionalInterface
  public interface Miss {
    Future<Void> explain(SqlConnection db);
  }

  /** The explanation when the caller gives none: the state did not allow it. */
  static final Miss CONFLICT =
      db -> Future.failedFuture(ApiException.conflict("the check-in has changed; try again"));

  public Change orElse(Miss explanation) {
    return new Change(transition, by, statement, alongside, note, explanation, written, receipts);
  }

  public Change withNote(Note message) {
    return new Change(transition, by, statement, alongside, message, miss, written, receipts);
  }

  /** The same change with {@code more} statements run after a hit, after those it has. */
  public Change with(List<Sql> more) {
    if (more.isEmpty()) return this;
    List<Sql> all = new ArrayList<>(alongside);
    all.addAll(more);
    return new Change(transition, by, statement, List.copyOf(all), note, miss, written, receipts);
  }

  private static Change of(Transition t, By by, String sql, Tuple params, Sql... alongside) {
    return new Change(t, by, new Sql(sql, params), List.of(alongside), null, CONFLICT, null, null);
  }

  /** The same change, its decision (if it makes one) signed by {@code signer}. */
  public Change signedBy(Receipts signer) {
    return new Change(transition, by, statement, alongside, note, miss, written, signer);
  }

  // ---- every change the API makes ----

  public static Change create(Tx.Author by, NewCheckIn row) {
    return of(Transition.CREATE, By.of(by), CheckInSql.INSERT, row.tuple());
  }

  /**
   * A create in a transaction whose {@code now()} is known ({@code now}): the check-in is built
   * here, not read back, so its insert and everything it implies go out in one round trip.
   */
  public static Change create(Tx.Author by, NewCheckIn row, OffsetDateTime now, Receipts receipts) {
    CheckIn written = row.written(now);
    // A check-in the policy engine decides as it is made carries its receipt from its insert on.
    String receipt = Receipts.due(written) ? receipts.sign(written) : null;
    return new Change(
        Transition.CREATE,
        By.of(by),
        new Sql(CheckInSql.INSERT_ONLY, row.tuple(receipt)),
        List.of(),
        null,
        CONFLICT,
        receipt == null ? written : written.withReceipt(receipt),
        receipts);
  }

  /**
   * A human decides a pending check-in or a submitted task, through {@code via} (the channel: see
   * {@link Decisions}).
   */
  public static Change decide(
      Tx.Author human,
      String id,
      Status outcome,
      String reason,
      JsonObject modifications,
      String via) {
    return decide(CheckInSql.DECIDE, human, id, outcome, reason, modifications, via);
  }

  /** The decision a quorum's deciding vote writes (by that voter, through its channel). */
  public static Change decideByVotes(
      Tx.Author voter,
      String id,
      Status outcome,
      String reason,
      JsonObject modifications,
      String via) {
    return decide(CheckInSql.DECIDE_BY_VOTES, voter, id, outcome, reason, modifications, via);
  }

  private static Change decide(
      String sql,
      Tx.Author by,
      String id,
      Status outcome,
      String reason,
      JsonObject modifications,
      String via) {
    Tuple p =
        Tuple.from(
            new Object[] {id, by.orgId(), outcome.wire(), reason, modifications, by.id(), via});
    return of(Transition.DECIDE, By.of(by), sql, p);
  }

  public static Change withdraw(Tx.Author agent, String id) {
    Tuple p = Tuple.of(id, agent.orgId(), agent.id());
    return of(Transition.WITHDRAW, By.of(agent), CheckInSql.WITHDRAW, p);
  }

  /** Up to {@code batch} due timeouts at once, decided by {@code systemId}. */
  public static Change timeOut(int batch, String systemId) {
    return of(
        Transition.TIME_OUT, By.system(systemId), CheckInSql.TIME_OUT, Tuple.of(batch, systemId));
  }

  /**
   * @param scopes the agent's room scopes, or null when it may use every room
   */
  public static Change claim(Tx.Author agent, String id, String[] scopes) {
    Tuple p = Tuple.of(id, agent.orgId(), agent.id(), scopes);
    Sql primary = new Sql(CheckInSql.ADD_PRIMARY, Tuple.of(id, agent.id()));
    return of(Transition.CLAIM, By.of(agent), CheckInSql.CLAIM, p, primary);
  }

  public static Change release(Tx.Author agent, String id, String[] scopes) {
    Tuple p = Tuple.of(id, agent.orgId(), agent.id(), scopes);
    Sql everyoneLeaves = new Sql(CheckInSql.LEAVE_ALL, Tuple.of(id));
    return of(Transition.RELEASE, By.of(agent), CheckInSql.RELEASE, p, everyoneLeaves);
  }

  public static Change requestHelp(Tx.Author agent, String id, String[] scopes) {
    Tuple p = Tuple.of(id, agent.orgId(), agent.id(), scopes);
    return of(Transition.REQUEST_HELP, By.of(agent), CheckInSql.REQUEST_HELP, p);
  }

  /**
   * A human's vote on a quorum check-in.
   *
   * @param vote {@code {voter, verdict, reason, modifications, at}}
   */
  public static Change vote(Tx.Author human, String id, JsonObject vote) {
    Tuple p = Tuple.of(id, human.orgId(), vote, human.id());
    Sql row =
        new Sql(
            CheckInSql.INSERT_VOTE,
            Tuple.of(
                id,
                human.id(),
                vote.getString("verdict"),
                vote.getString("reason"),
                vote.getJsonObject("modifications"),
                java.time.OffsetDateTime.parse(vote.getString("at"))));
    return of(Transition.VOTE, By.of(human), CheckInSql.VOTE, p, row);
  }

  /** Up to {@code batch} due escalation steps; a timeout "minute" lasts {@code unitSeconds}. */
  public static Change escalate(int batch, int unitSeconds, String systemId) {
    return of(
        Transition.ESCALATE,
        By.system(systemId),
        CheckInSql.ESCALATE,
        Tuple.of(batch, unitSeconds));
  }

  /** The primary's result submits its task (the result message goes in {@link #withNote}). */
  public static Change submit(Tx.Author agent, String id) {
    Tuple p = Tuple.of(id, agent.orgId(), agent.id());
    return of(Transition.SUBMIT, By.of(agent), CheckInSql.SUBMIT, p);
  }
}
