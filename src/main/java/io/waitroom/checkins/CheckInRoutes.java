package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Idempotency;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Validate;
import io.waitroom.policy.CheckInFacts;
import io.waitroom.policy.PolicyDecision;
import io.waitroom.policy.PolicyVerticle;
import io.waitroom.push.PushQueue;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.trust.Trust;
import io.waitroom.util.Ids;
import java.util.Set;

/** Agent-to-human check-ins: create (through the policy engine), read, decide, withdraw. */
public final class CheckInRoutes {
  private final Deps deps;

  private CheckInRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    CheckInRoutes r = new CheckInRoutes(deps);
    router.post("/v1/rooms/:room/check-in").handler(Http.handle(r::create));
    router.get("/v1/rooms/:room/pending").handler(Http.handle(r::pending));
    router.get("/v1/check-ins/:id/status").handler(Http.handle(r::status));
    router.post("/v1/check-ins/:id/approve").handler(Http.handle(ctx -> r.decide(ctx, "approved")));
    router.post("/v1/check-ins/:id/reject").handler(Http.handle(ctx -> r.decide(ctx, "rejected")));
    router.post("/v1/check-ins/:id/modify").handler(Http.handle(ctx -> r.decide(ctx, "modified")));
    router.delete("/v1/check-ins/:id").handler(Http.handle(r::withdraw));
  }

  /** Mounted after every more specific {@code /v1/check-ins/...} GET route. */
  public static void mountGet(Router router, Deps deps) {
    CheckInRoutes r = new CheckInRoutes(deps);
    router.get("/v1/check-ins/:id").handler(Http.handle(r::get));
  }

  // ---- create ----

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    JsonObject body = Validate.body(ctx);
    CheckInInput in = CheckInInput.parse(body, false);
    Idempotency.key(ctx);
    CheckInFacts facts =
        new CheckInFacts(agent.id(), in.action(), in.riskLevel(), in.urgency(), in.context());
    return RoomRepository.visible(deps.pool(), agent, ctx.pathParam("room"))
        .compose(
            room ->
                PolicyVerticle.ask(
                        deps.vertx(),
                        new PolicyVerticle.Request(
                            room.id(), room.updatedAt(), room.policies(), facts))
                    .compose(
                        answer ->
                            Idempotency.run(
                                ctx, deps, agent, tx -> insert(tx, agent, room, in, answer))));
  }

  private Future<Reply> insert(
      Tx tx, Actor.Agent agent, Room room, CheckInInput in, PolicyVerticle.Answer answer) {
    PolicyDecision d = answer.decision();
    String status = d.initialStatus();
    int timeout =
        in.timeoutMinutes() != null ? in.timeoutMinutes() : answer.document().timeoutMinutes();
    String timeoutAction =
        in.timeoutAction() != null ? in.timeoutAction() : answer.document().timeoutAction();
    // One "minute" is WAITROOM_TIMEOUT_UNIT_SECONDS (60; tests shorten it).
    Integer expiresIn =
        "pending".equals(status) && !"hold".equals(timeoutAction)
            ? timeout * deps.config().timeoutUnitSeconds()
            : null;
    String decidedBy = "pending".equals(status) ? null : d.decidedBy();
    String decisionType = "pending".equals(status) ? null : status;
    Object[] params = {
      Ids.next(Ids.CHECK_IN),
      agent.orgId(),
      room.id(),
      CheckIn.AGENT_TO_HUMAN,
      agent.id(),
      agent.id(),
      in.action(),
      in.description(),
      in.riskLevel(),
      in.urgency(),
      in.context(),
      status,
      timeout,
      timeoutAction,
      expiresIn,
      decisionType,
      decisionType == null ? null : d.reason(),
      decidedBy,
      d.toJson()
    };
    return tx.conn()
        .preparedQuery(CheckInSql.INSERT)
        .execute(Tuple.from(params))
        .map(rows -> CheckIn.fromRow(rows.iterator().next()))
        .compose(
            ci ->
                ThreadMessages.statusChange(tx.conn(), ci, null, agent.id())
                    .compose(
                        m ->
                            tx.audit(
                                agent,
                                room.id(),
                                "checkin.created",
                                "check_in",
                                ci.id(),
                                ci.toJson()))
                    .compose(
                        v ->
                            decisionType == null
                                ? Future.succeededFuture()
                                : tx.audit(
                                    agent.orgId(),
                                    room.id(),
                                    "system",
                                    decidedBy,
                                    "checkin." + decisionType,
                                    "check_in",
                                    ci.id(),
                                    ci.toJson()))
                    .compose(v -> PushQueue.enqueue(tx.conn(), room, ci))
                    .compose(v -> tx.event(ci.orgId(), ci.roomId(), "checkin.created", ci.toJson()))
                    .compose(
                        v ->
                            decisionType == null
                                ? Future.succeededFuture()
                                : tx.event(
                                    ci.orgId(),
                                    ci.roomId(),
                                    "checkin." + decisionType,
                                    ci.toJson()))
                    .map(
                        v -> {
                          if (!"forbid".equals(d.result())) return Reply.created(ci.toJson());
                          return Reply.error(
                              new ApiException(
                                  403,
                                  "POLICY_FORBIDS",
                                  "room policy forbids this action: " + d.reason(),
                                  new JsonObject()
                                      .put("check_in_id", ci.id())
                                      .put("rule_id", d.ruleId())
                                      .put("reason", d.reason())));
                        }));
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
    int wait = Validate.queryInt(ctx, "wait", 1, 60, 0);
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
    String status = Validate.queryEnum(ctx, "status", PENDING_STATUSES);
    String risk = Validate.queryEnum(ctx, "risk_level", CheckIn.RISK_LEVELS);
    String urgency = Validate.queryEnum(ctx, "urgency", CheckIn.URGENCIES);
    String agentId = Validate.queryString(ctx, "agent_id", 100);
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

  private Future<Reply> decide(RoutingContext ctx, String outcome) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Validate.body(ctx);
    String reason =
        "approved".equals(outcome)
            ? Validate.optionalString(body, "reason", 2000)
            : Validate.requiredString(body, "reason", 1, 2000);
    JsonObject modifications =
        "modified".equals(outcome) ? Validate.requiredObject(body, "modifications") : null;
    String id = ctx.pathParam("id");
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(CheckInSql.DECIDE)
                    .execute(
                        Tuple.of(id, human.orgId(), outcome, reason, modifications, human.id()))
                    .compose(
                        rows ->
                            rows.size() == 0
                                ? CheckInRepository.<CheckIn>explainMiss(
                                    tx.conn(),
                                    human.orgId(),
                                    id,
                                    "only a pending check-in or a submitted task can be decided")
                                : Future.succeededFuture(CheckIn.fromRow(rows.iterator().next())))
                    .compose(ci -> afterDecision(tx, ci, human)))
        .map(ci -> Reply.ok(ci.toJson()));
  }

  /** Trust, thread, event and audit of a decision: the same transaction as the update. */
  public static Future<CheckIn> afterDecision(Tx tx, CheckIn ci, Actor actor) {
    String from = ci.isTask() ? "submitted" : "pending";
    return Trust.apply(tx.conn(), ci.orgId(), ci.trustAgent(), ci.roomId(), ci.status())
        .compose(score -> ThreadMessages.statusChange(tx.conn(), ci, from, actor.id()))
        .compose(m -> ThreadMessages.decision(tx.conn(), ci, actor.type()))
        .compose(
            m ->
                tx.audit(
                    actor, ci.roomId(), "checkin." + ci.status(), "check_in", ci.id(), ci.toJson()))
        .compose(v -> tx.event(ci.orgId(), ci.roomId(), "checkin." + ci.status(), ci.toJson()))
        .map(ci);
  }

  // ---- withdraw ----

  private Future<Reply> withdraw(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String id = ctx.pathParam("id");
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(CheckInSql.WITHDRAW)
                    .execute(Tuple.of(id, agent.orgId(), agent.id()))
                    .compose(
                        rows -> {
                          if (rows.size() == 1) {
                            return Future.succeededFuture(CheckIn.fromRow(rows.iterator().next()));
                          }
                          return CheckInRepository.<CheckIn>explainMiss(
                              tx.conn(),
                              agent.orgId(),
                              id,
                              "only a pending check-in can be withdrawn",
                              ci -> agent.id().equals(ci.agentId()) && !ci.isTask(),
                              "only the agent that created a check-in can withdraw it");
                        })
                    .compose(
                        ci ->
                            ThreadMessages.statusChange(tx.conn(), ci, "pending", agent.id())
                                .compose(
                                    m ->
                                        tx.audit(
                                            agent,
                                            ci.roomId(),
                                            "checkin.withdrawn",
                                            "check_in",
                                            ci.id(),
                                            ci.toJson()))
                                .compose(
                                    v ->
                                        tx.event(
                                            ci.orgId(),
                                            ci.roomId(),
                                            "checkin.withdrawn",
                                            ci.toJson()))
                                .map(ci)))
        .map(ci -> Reply.ok(ci.toJson()));
  }
}
