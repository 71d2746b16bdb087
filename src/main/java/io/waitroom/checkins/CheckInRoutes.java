package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.grants.Grants;
import io.waitroom.http.Idempotent;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.policy.CheckInFacts;
import io.waitroom.policy.PolicyDecision;
import io.waitroom.policy.RoomPolicies;
import io.waitroom.policy.Verdict;
import io.waitroom.push.PushQueue;
import io.waitroom.receipts.Receipts;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.slack.SlackQueue;
import io.waitroom.validation.Fields;
import java.util.Set;

/** Agent-to-human check-ins: create (through the policy engine), read, decide, withdraw. */
public final class CheckInRoutes {
  private final Deps deps;

  private CheckInRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    CheckInRoutes r = new CheckInRoutes(deps);
    Routes.on(router)
        .post("/v1/rooms/:room/check-in", r::create)
        .get("/v1/rooms/:room/pending", r::pending)
        .get("/v1/check-ins/:id/status", r::status)
        .post("/v1/check-ins/:id/approve", ctx -> r.decide(ctx, Status.APPROVED))
        .post("/v1/check-ins/:id/reject", ctx -> r.decide(ctx, Status.REJECTED))
        .post("/v1/check-ins/:id/modify", ctx -> r.decide(ctx, Status.MODIFIED))
        .delete("/v1/check-ins/:id", r::withdraw);
  }

  /** Mounted after every more specific {@code /v1/check-ins/...} GET route. */
  public static void mountGet(Router router, Deps deps) {
    CheckInRoutes r = new CheckInRoutes(deps);
    Routes.on(router).get("/v1/check-ins/:id", r::get);
  }

  // ---- create ----

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    JsonObject body = Requests.body(ctx);
    CheckInInput in = CheckInInput.parse(body, false);
    String key = Idempotent.key(ctx);
    return create(
        deps, agent, ctx.pathParam("room"), in, key, key == null ? null : Idempotent.hash(ctx));
  }

  /**
   * The one way an agent's check-in is created (this route, and other entry points such as the
   * Claude Code hook): the room, policies, trust, grants, quorum, escalation and push, in one
   * transaction, idempotent under {@code idempotencyKey} (null: none) with {@code requestHash}. The
   * answer is the route's: 201 with the check-in, or the 403 {@code POLICY_FORBIDS} envelope.
   */
  public static Future<Reply> create(
      Deps deps,
      Actor.Agent agent,
      String roomRef,
      CheckInInput in,
      String idempotencyKey,
      byte[] requestHash) {
    // With an Idempotency-Key the answer is stored after the check-in, in the same transaction.
    boolean answerStored = idempotencyKey != null;
    CheckInFacts facts =
        new CheckInFacts(agent.id(), in.action(), in.riskLevel(), in.urgency(), in.context());
    // The room, the policies (when this node's copy is stale), trust and grants: the first
    // statement of the check-in's own transaction, so the whole create is one connection.
    return Idempotent.run(
        deps.vertx(),
        deps.pool(),
        agent,
        idempotencyKey,
        requestHash,
        tx ->
            deps.policies()
                .forCheckIn(
                    tx.conn(), agent, roomRef, facts, in.timeoutMinutes(), in.timeoutAction())
                .compose(
                    d ->
                        Grants.spend(tx, d.verdict())
                            .compose(
                                v -> insert(tx, agent, d, in, v, !answerStored, deps.receipts()))));
  }

  /**
   * {@code last}: nothing is written after the check-in in this transaction (no stored idempotent
   * answer); then, unless a grant's use is still to be audited, its COMMIT follows its statements
   * at once.
   */
  private static Future<Reply> insert(
      Tx tx,
      Actor.Agent agent,
      RoomPolicies.Decided decided,
      CheckInInput in,
      Verdict verdict,
      boolean last,
      Receipts receipts) {
    PolicyDecision d = verdict.decision();
    Room room = decided.room();
    NewCheckIn row = NewCheckIn.agentCheckIn(agent, room.id(), in, verdict);
    // Built from the transaction's now(), read with the room: sent with its records at once.
    Change create = Change.create(agent, row, decided.now(), receipts);
    // A pending one also queues its Web Push messages, in the same transaction.
    if (decided.pushes()) create = create.with(PushQueue.enqueue(row));
    // Its e-mails are queued from its committed checkin.created event (MailQueue.EXPAND).
    // And its Slack message, when the room posts to a channel.
    if (decided.slack()) create = create.with(SlackQueue.posted(row));
    // A grant's use is audited after the check-in, in the same transaction.
    return (last && d.grantId() == null
            ? CheckInTransitions.applyLast(tx, create)
            : CheckInTransitions.apply(tx, create))
        .compose(
            applied ->
                Grants.audited(tx, verdict, agent.orgId(), room.id(), applied.checkIn().id())
                    .map(applied))
        .map(
            applied -> {
              CheckIn ci = applied.checkIn();
              if (!PolicyDecision.FORBID.equals(d.result())) return Reply.created(ci.toJson());
              return Reply.error(
                  new ApiException(
                      403,
                      "POLICY_FORBIDS",
                      "room policy forbids this action: " + d.reason(),
                      new JsonObject()
                          .put("check_in_id", ci.id())
                          .put("rule_id", d.ruleId())
                          .put("reason", d.reason())));
            });
  }

  // ---- read ----

  /**
   * The current state; with {@code ?wait=N} (1..60 s) a long-poll that answers as soon as the
   * check-in leaves pending/in_progress/submitted, or after N seconds with the current state.
   * Waiting costs a timer and a map entry, no thread; it is woken by the check-in's own events
   * (local or from another node) and re-reads the database after every wake-up.
   */
  private Future<Reply> status(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    String id = ctx.pathParam("id");
    int wait = Requests.queryInt(ctx, "wait", 1, 60, 0);
    if (wait == 0) {
      return CheckInRepository.visible(deps.pool(), actor, id).map(ci -> Reply.ok(statusJson(ci)));
    }
    return deps.waiters()
        .poll(
            id,
            wait * 1000L,
            () -> CheckInRepository.visible(deps.pool(), actor, id),
            ci -> !CheckIn.OPEN.contains(ci.status()))
        .map(ci -> Reply.ok(statusJson(ci)));
  }

  /**
   * The check-in plus flat {@code decision_reason} and {@code modifications} for simple clients.
   */
  static JsonObject statusJson(CheckIn ci) {
    return ci.toJson()
        .put("decision_reason", ci.decisionReason())
        .put("modifications", ci.decisionModifications());
  }

  private Future<Reply> get(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    return CheckInRepository.visible(deps.pool(), actor, ctx.pathParam("id"))
        .compose(
            ci ->
                ThreadMessages.messages(deps.pool(), ci.id())
                    .compose(
                        messages ->
                            ThreadMessages.participants(deps.pool(), ci.id())
                                .map(
                                    participants ->
                                        Reply.ok(
                                            ci.toJson()
                                                .put("messages", messages)
                                                .put("participants", participants)))));
  }

  private static final Set<String> PENDING_STATUSES =
      Set.of("pending", "approved", "rejected", "modified", "expired", "withdrawn");

  private Future<Reply> pending(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String status = Requests.queryEnum(ctx, "status", PENDING_STATUSES);
    String risk = Requests.queryEnum(ctx, "risk_level", CheckIn.RISK_LEVELS);
    String urgency = Requests.queryEnum(ctx, "urgency", CheckIn.URGENCIES);
    String agentId = Requests.queryString(ctx, "agent_id", 100);
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(
            room -> {
              String scope = "pending:" + room.id();
              Paging page = Paging.of(ctx, scope, 50);
              return deps.pool()
                  .preparedQuery(CheckInSql.PENDING)
                  .execute(
                      Tuple.from(
                          new Object[] {
                            human.orgId(),
                            room.id(),
                            status == null ? "pending" : status,
                            risk,
                            urgency,
                            agentId,
                            page.after(),
                            page.fetch()
                          }))
                  .map(rows -> page.reply(rows, scope, r -> CheckIn.fromRow(r).toJson(), "id"));
            });
  }

  // ---- decide ----

  /**
   * The dashboard says so with {@code X-Waitroom-Client: dashboard}; the header only labels the
   * channel ({@code decision.via}), it grants nothing.
   */
  static final String CLIENT_HEADER = "X-Waitroom-Client";

  private Future<Reply> decide(RoutingContext ctx, Status outcome) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    String reason =
        outcome == Status.APPROVED
            ? Fields.optionalString(body, "reason", 2000)
            : Fields.requiredString(body, "reason", 1, 2000);
    JsonObject modifications =
        outcome == Status.MODIFIED ? Fields.requiredObject(body, "modifications") : null;
    String via =
        Decisions.VIA_DASHBOARD.equals(ctx.request().getHeader(CLIENT_HEADER))
            ? Decisions.VIA_DASHBOARD
            : Decisions.VIA_API;
    String id = ctx.pathParam("id");
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                Decisions.decide(
                    tx, human, id, outcome, reason, modifications, via, deps.receipts()))
        .map(ci -> Reply.ok(ci.toJson()));
  }

  // ---- withdraw ----

  private Future<Reply> withdraw(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String id = ctx.pathParam("id");
    Change change =
        Change.withdraw(agent, id)
            .orElse(
                db ->
                    CheckInRepository.explainMiss(
                        db,
                        agent.orgId(),
                        id,
                        "only a pending check-in can be withdrawn",
                        ci -> agent.id().equals(ci.agentId()) && !ci.isTask(),
                        "only the agent that created a check-in can withdraw it"));
    return Tx.run(deps.vertx(), deps.pool(), tx -> CheckInTransitions.apply(tx, change))
        .map(applied -> Reply.ok(applied.checkIn().toJson()));
  }
}
