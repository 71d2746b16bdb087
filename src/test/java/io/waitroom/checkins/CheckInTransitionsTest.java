package io.waitroom.checkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.policy.PolicyDecision;
import io.waitroom.support.Fixtures;
import io.waitroom.support.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every transition from every status, in both directions, through {@link CheckInTransitions}
 * against the real database: the legal ones change the row and write their messages, trust, audit
 * rows and room events; every other one changes and writes nothing. Each case runs in its own
 * transaction, rolled back after it has been read back, so the cases cannot see each other.
 */
class CheckInTransitionsTest extends ServerTest {
  private static final String A2H = CheckIn.AGENT_TO_HUMAN;
  private static final String TASK = CheckIn.HUMAN_TO_AGENT;

  /**
   * The legal moves, written out independently of {@link Transition}: "TRANSITION direction from
   * to". The variant picks the target where a transition has several (a decision's outcome, a
   * timeout's action).
   */
  private static final Set<String> LEGAL =
      Set.of(
          "DECIDE agent_to_human pending approved",
          "DECIDE agent_to_human pending rejected",
          "DECIDE agent_to_human pending modified",
          "DECIDE human_to_agent submitted approved",
          "DECIDE human_to_agent submitted rejected",
          "DECIDE human_to_agent submitted modified",
          "WITHDRAW agent_to_human pending withdrawn",
          "TIME_OUT agent_to_human pending approved",
          "TIME_OUT agent_to_human pending expired",
          "CLAIM human_to_agent pending in_progress",
          "RELEASE human_to_agent in_progress pending",
          "REQUEST_HELP human_to_agent in_progress in_progress",
          "SUBMIT human_to_agent in_progress submitted",
          "VOTE agent_to_human pending pending",
          "ESCALATE agent_to_human pending pending");

  private static final Set<String> LEGAL_CREATE =
      Set.of(
          "agent_to_human pending",
          "agent_to_human approved",
          "agent_to_human rejected",
          "human_to_agent pending");

  private record Author(String orgId, String type, String id) implements Tx.Author {}

  /** One case: a transition applied to a row of the given direction and status. */
  private record Case(Transition transition, String direction, Status from, String variant) {
    String name() {
      return transition
          + " "
          + direction
          + " "
          + from.wire()
          + (variant == null ? "" : " " + variant);
    }
  }

  /** What a case left behind before its rollback; null status: the step refused. */
  private record Seen(
      String status,
      Throwable refusal,
      List<String> messageTypes,
      List<String> auditTypes,
      List<String> eventTypes,
      double trustBefore,
      double trustAfter) {}

  private static final class Rollback extends RuntimeException {
    final Seen seen;

    Rollback(Seen seen) {
      super("rollback", null, false, false);
      this.seen = seen;
    }
  }

  private static String orgId;
  private static String roomId;
  private static String agentId;
  // A real human of the org (its admin): decisions and votes check who decides (issue 27).
  private static String humanId;

  @BeforeAll
  static void fixtures() {
    Fixtures f = Fixtures.create(api);
    orgId = f.room.getString("org_id");
    roomId = f.room.getString("id");
    agentId = f.agent("worker").getString("id");
    humanId = f.room.getString("created_by");
  }

  @Test
  void theTableOfTransitionsIsTheOneThisTestExpects() {
    List<String> declared = new ArrayList<>();
    for (Transition t : Transition.values()) {
      for (Transition.Edge e : t.edges()) {
        if (t == Transition.CREATE) continue;
        declared.add(t + " " + e.direction() + " " + e.from().wire() + " " + e.to().wire());
      }
    }
    assertThat(declared).containsExactlyInAnyOrderElementsOf(LEGAL);
  }

  @TestFactory
  Stream<DynamicTest> everyTransitionFromEveryStatus() {
    List<Case> cases = new ArrayList<>();
    for (Transition t : Transition.values()) {
      if (t == Transition.CREATE) continue;
      for (String direction : List.of(A2H, TASK)) {
        for (Status from : Status.values()) {
          for (String variant : variants(t)) cases.add(new Case(t, direction, from, variant));
        }
      }
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> everyStatusACreationCouldStartIn() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String direction : List.of(A2H, TASK)) {
      for (Status to : Status.values()) {
        tests.add(
            DynamicTest.dynamicTest(
                "CREATE " + direction + " " + to.wire(), () -> checkCreate(direction, to)));
      }
    }
    return tests.stream();
  }

  private static List<String> variants(Transition t) {
    return switch (t) {
      case DECIDE -> List.of("approved", "rejected", "modified");
      case TIME_OUT -> List.of("auto_approve", "cancel");
      default -> java.util.Collections.singletonList(null);
    };
  }

  private void check(Case c) throws Exception {
    String id = "ci_t" + Math.abs(c.name().hashCode()) + System.nanoTime();
    Seen seen =
        run(
            id,
            conn -> insertRow(conn, id, c),
            tx -> apply(tx, id, c).map(changed -> changed ? null : "refused"));
    Status to = expectedTarget(c);
    boolean legal = to != null;
    if (!legal) {
      assertThat(seen.status())
          .as(c.name() + ": the row keeps its status")
          .isEqualTo(c.from().wire());
      if (c.transition() != Transition.TIME_OUT && c.transition() != Transition.ESCALATE) {
        assertThat(seen.refusal()).as(c.name()).isInstanceOf(ApiException.class);
        assertThat(((ApiException) seen.refusal()).status()).as(c.name()).isEqualTo(409);
      }
      assertThat(seen.messageTypes()).as(c.name()).isEmpty();
      assertThat(seen.auditTypes()).as(c.name()).isEmpty();
      assertThat(seen.eventTypes()).as(c.name()).isEmpty();
      assertThat(seen.trustAfter()).as(c.name()).isEqualTo(seen.trustBefore());
      return;
    }
    assertThat(seen.refusal()).as(c.name()).isNull();
    assertThat(seen.status()).as(c.name()).isEqualTo(to.wire());
    boolean note = c.transition() == Transition.SUBMIT || c.transition() == Transition.REQUEST_HELP;
    List<String> messages = new ArrayList<>();
    if (note) messages.add(c.transition() == Transition.SUBMIT ? "result" : "escalation");
    if (c.from() != to) messages.add("status_change");
    if (c.transition() == Transition.DECIDE) messages.add("decision");
    assertThat(seen.messageTypes()).as(c.name()).containsExactlyElementsOf(messages);
    String event =
        switch (c.transition()) {
          case DECIDE, TIME_OUT -> "checkin." + to.wire();
          case WITHDRAW -> "checkin.withdrawn";
          case CLAIM -> "checkin.claimed";
          case RELEASE -> "checkin.released";
          case REQUEST_HELP -> "checkin.help_requested";
          case SUBMIT -> "checkin.submitted";
          case VOTE -> "checkin.vote";
          case ESCALATE -> "checkin.escalated";
          case CREATE -> throw new IllegalArgumentException();
        };
    List<String> records = note ? List.of("checkin.message", event) : List.of(event);
    assertThat(seen.auditTypes()).as(c.name()).containsExactlyElementsOf(records);
    assertThat(seen.eventTypes()).as(c.name()).containsExactlyElementsOf(records);
    double delta =
        switch (c.transition()) {
          case DECIDE -> Map.of("approved", 1.0, "modified", 0.6, "rejected", -0.3).get(to.wire());
          case TIME_OUT -> to == Status.EXPIRED ? -0.1 : 0.0;
          default -> 0.0;
        };
    assertThat(seen.trustAfter() - seen.trustBefore())
        .as(c.name() + ": trust")
        .isCloseTo(delta, org.assertj.core.data.Offset.offset(1e-9));
  }

  private void checkCreate(String direction, Status to) throws Exception {
    String id = "ci_c" + System.nanoTime();
    String name = direction + " " + to.wire();
    boolean decided = to != Status.PENDING && A2H.equals(direction);
    Author by = A2H.equals(direction) ? agent() : human();
    CheckInInput what =
        new CheckInInput("deploy", null, "medium", "normal", new JsonObject(), null, null);
    NewCheckIn row =
        new NewCheckIn(
            id,
            direction,
            by,
            roomId,
            what,
            to.wire(),
            null,
            null,
            null,
            A2H.equals(direction) ? new PolicyDecision("require_approval", null, "table") : null,
            null,
            what.payloadHash());
    Seen seen =
        run(
            id,
            conn -> Future.succeededFuture(),
            tx -> CheckInTransitions.apply(tx, Change.create(by, row)).map(a -> null));
    if (!LEGAL_CREATE.contains(name)) {
      // The insert ran, but the step refuses a row outside the table, so the transaction fails.
      assertThat(seen.refusal()).as(name).isInstanceOf(IllegalStateException.class);
      return;
    }
    assertThat(seen.refusal()).as(name).isNull();
    assertThat(seen.status()).isEqualTo(to.wire());
    assertThat(seen.messageTypes()).as(name).containsExactly("status_change");
    List<String> records =
        decided ? List.of("checkin.created", "checkin." + to.wire()) : List.of("checkin.created");
    assertThat(seen.auditTypes()).as(name).containsExactlyElementsOf(records);
    assertThat(seen.eventTypes()).as(name).containsExactlyElementsOf(records);
    assertThat(seen.trustAfter()).as(name).isEqualTo(seen.trustBefore());
  }

  /** The target the legal table gives this case, or null when it has none. */
  private static Status expectedTarget(Case c) {
    for (String legal : LEGAL) {
      String[] p = legal.split(" ");
      if (!p[0].equals(c.transition().name()) || !p[1].equals(c.direction())) continue;
      if (!p[2].equals(c.from().wire())) continue;
      String to = p[3];
      boolean variantFits =
          switch (c.transition()) {
            case DECIDE -> to.equals(c.variant());
            case TIME_OUT -> to.equals("auto_approve".equals(c.variant()) ? "approved" : "expired");
            default -> true;
          };
      if (variantFits) return Status.of(to);
    }
    return null;
  }

  private static Author agent() {
    return new Author(orgId, "agent", agentId);
  }

  private static Author human() {
    return new Author(orgId, "human", humanId);
  }

  /** The case's change, as the routes and the sweeper build it; true when it changed a row. */
  private static Future<Boolean> apply(Tx tx, String id, Case c) {
    Change change =
        switch (c.transition()) {
          case DECIDE ->
              Change.decide(
                  human(),
                  id,
                  Status.of(c.variant()),
                  "because",
                  "modified".equals(c.variant()) ? new JsonObject().put("x", 1) : null,
                  "api");
          case WITHDRAW -> Change.withdraw(agent(), id);
          case TIME_OUT -> Change.timeOut(10, "system:timeout");
          case CLAIM -> Change.claim(agent(), id, null);
          case RELEASE -> Change.release(agent(), id, null);
          case REQUEST_HELP ->
              Change.requestHelp(agent(), id, null)
                  .withNote(new Change.Note("escalation", "help", new JsonObject(), null));
          case SUBMIT ->
              Change.submit(agent(), id)
                  .withNote(new Change.Note("result", "done", new JsonObject(), null));
          case VOTE ->
              Change.vote(
                  human(),
                  id,
                  new JsonObject()
                      .put("voter", humanId)
                      .put("verdict", "approved")
                      .put("at", "2030-01-01T00:00:00Z"));
          case ESCALATE -> Change.escalate(10, 1, "system:escalation");
          case CREATE -> throw new IllegalArgumentException();
        };
    if (c.transition() == Transition.TIME_OUT || c.transition() == Transition.ESCALATE) {
      return CheckInTransitions.applyAll(tx, change).map(all -> !all.isEmpty());
    }
    return CheckInTransitions.apply(tx, change).map(true);
  }

  private static Future<Void> insertRow(SqlConnection conn, String id, Case c) {
    boolean task = TASK.equals(c.direction());
    boolean claimed = task && c.from() != Status.PENDING;
    return conn.preparedQuery(
            """
            INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action,
              risk_level, urgency, status, timeout_minutes, timeout_action, expires_at, claimed_by,
              quorum, escalation, next_escalation_at)
            VALUES ($1, $2, $3, $4, $5, $6, 'deploy', 'medium', 'normal', $7, 1, $8,
              now() - interval '1 minute', $9,
              CASE WHEN $10 THEN NULL
                   ELSE '{"required": 2, "approvers": null, "reject": "any"}'::jsonb END,
              '[{"after_minutes": 1, "urgency": "high", "notify": "all"}]',
              now() - interval '1 minute')
            """)
        .execute(
            Tuple.of(
                id,
                orgId,
                roomId,
                c.direction(),
                task ? null : agentId,
                task ? humanId : agentId,
                c.from().wire(),
                c.variant() != null && c.transition() == Transition.TIME_OUT
                    ? c.variant()
                    : "cancel",
                claimed ? agentId : null,
                // One human decides a check-in without a quorum; with one, votes do (VOTE).
                c.transition() == Transition.DECIDE))
        .mapEmpty();
  }

  /**
   * Sets up, applies and reads back in one transaction, then rolls it back. {@code work} answers
   * null when it changed something; a failure is the step's refusal, read back on a second
   * transaction that repeats the set-up.
   */
  private Seen run(
      String id, Function<SqlConnection, Future<Void>> setUp, Function<Tx, Future<String>> work)
      throws Exception {
    Throwable[] refusal = {null};
    Future<Object> done =
        rolledBack(
            setUp,
            (tx, before) ->
                work.apply(tx)
                    .recover(
                        e -> {
                          refusal[0] = e;
                          return Future.failedFuture(e);
                        })
                    .compose(v -> readBack(tx.conn(), id, before, null)));
    Seen seen = outcome(done, refusal);
    if (seen != null) return seen;
    // The step failed, so its transaction rolled back: set up again and look at the untouched row.
    Future<Object> again =
        rolledBack(setUp, (tx, before) -> readBack(tx.conn(), id, before, refusal[0]));
    return outcome(again, new Throwable[1]);
  }

  /** Sets up, reads the trust score, runs {@code body}, and rolls back with what it saw. */
  private static Future<Object> rolledBack(
      Function<SqlConnection, Future<Void>> setUp, BiFunction<Tx, Double, Future<Seen>> body) {
    var deps = server.server().deps();
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            setUp
                .apply(tx.conn())
                .compose(v -> trust(tx.conn()))
                .compose(before -> body.apply(tx, before))
                .compose(s -> Future.failedFuture(new Rollback(s))));
  }

  /**
   * The read-back of a rolled-back case; null when the step refused (then {@code refused} holds
   * why).
   */
  private static Seen outcome(Future<Object> f, Throwable[] refused) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Rollback r) return r.seen;
      if (refused[0] != null) return null;
      throw e;
    }
    throw new AssertionError("the case's transaction was expected to roll back");
  }

  private static Future<Double> trust(SqlConnection conn) {
    return conn.preparedQuery(
            "SELECT coalesce((SELECT score FROM trust_scores WHERE agent_id = $1 AND room_id = $2),"
                + " 15) AS s")
        .execute(Tuple.of(agentId, roomId))
        .map(rows -> rows.iterator().next().getDouble("s"));
  }

  private static Future<Seen> readBack(
      SqlConnection conn, String id, double trustBefore, Throwable refusal) {
    Tuple one = Tuple.of(id);
    return conn.preparedQuery("SELECT status FROM check_ins WHERE id = $1")
        .execute(one)
        .compose(
            s ->
                column(
                        conn,
                        "SELECT message_type AS t FROM check_in_messages WHERE check_in_id = $1 ORDER BY id",
                        one)
                    .compose(
                        messages ->
                            column(
                                    conn,
                                    "SELECT event_type AS t FROM audit_log WHERE target_id = $1 ORDER BY id",
                                    one)
                                .compose(
                                    audits ->
                                        column(
                                                conn,
                                                "SELECT type AS t FROM room_events WHERE data->>'id' = $1"
                                                    + " OR data->>'check_in_id' = $1 ORDER BY id",
                                                one)
                                            .compose(
                                                events ->
                                                    trust(conn)
                                                        .map(
                                                            after ->
                                                                new Seen(
                                                                    s.size() == 0
                                                                        ? null
                                                                        : s.iterator()
                                                                            .next()
                                                                            .getString("status"),
                                                                    refusal,
                                                                    messages,
                                                                    audits,
                                                                    events,
                                                                    trustBefore,
                                                                    after))))));
  }

  private static Future<List<String>> column(SqlConnection conn, String sql, Tuple params) {
    return conn.preparedQuery(sql)
        .execute(params)
        .map(
            rows -> {
              List<String> out = new ArrayList<>();
              for (Row r : rows) out.add(r.getString("t"));
              return out;
            });
  }
}
