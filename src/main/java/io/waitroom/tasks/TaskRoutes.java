package io.waitroom.tasks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInInput;
import io.waitroom.checkins.CheckInRepository;
import io.waitroom.checkins.CheckInTransitions;
import io.waitroom.checkins.NewCheckIn;
import io.waitroom.checkins.ThreadMessages;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.events.EventLog;
import io.waitroom.http.Idempotent;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.validation.Fields;

/**
 * Human-to-agent tasks: a human posts work to a room, one agent claims it (the primary), may ask
 * for help, helpers join, and the primary's {@code result} message submits it for review. Every
 * state change is one transaction around a conditional update; the row count decides races.
 */
public final class TaskRoutes {
  private final Deps deps;

  private TaskRoutes(Deps deps) {
    this.deps = deps;
  }

  /** Mount before {@code GET /v1/check-ins/:id} so {@code /v1/check-ins/claimed} wins. */
  public static void mount(Router router, Deps deps) {
    TaskRoutes r = new TaskRoutes(deps);
    Routes.on(router)
        .post("/v1/rooms/:room/tasks", r::create)
        .get("/v1/rooms/:room/tasks", r::list)
        .get("/v1/check-ins/claimed", r::claimed)
        .post("/v1/check-ins/:id/claim", r::claim)
        .post("/v1/check-ins/:id/release", r::release)
        .post("/v1/check-ins/:id/help", r::help)
        .post("/v1/check-ins/:id/join", r::join);
  }

  // ---- create and list ----

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    CheckInInput in = CheckInInput.parse(Requests.body(ctx), true);
    Idempotent.key(ctx);
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(
            room ->
                Idempotent.run(
                    ctx, deps.vertx(), deps.pool(), human, tx -> insert(tx, human, room, in)));
  }

  private static Future<Reply> insert(Tx tx, Actor.Human human, Room room, CheckInInput in) {
    NewCheckIn row = NewCheckIn.task(human, room.id(), in);
    return CheckInTransitions.apply(tx, Change.create(human, row))
        .map(applied -> Reply.created(applied.checkIn().toJson()));
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    Boolean claimed = Requests.queryBool(ctx, "claimed");
    String status = Requests.queryEnum(ctx, "status", CheckIn.STATUSES);
    return RoomRepository.visible(deps.pool(), actor, ctx.pathParam("room"))
        .compose(
            room -> {
              String scope = "tasks:" + room.id();
              Paging page = Paging.of(ctx, scope, 50);
              Object[] params = {
                actor.orgId(), room.id(), claimed, status, page.after(), page.fetch()
              };
              return deps.pool()
                  .preparedQuery(TaskSql.LIST)
                  .execute(Tuple.from(params))
                  .map(rows -> page.reply(rows, scope, r -> CheckIn.fromRow(r).toJson(), "id"));
            });
  }

  private Future<Reply> claimed(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String status = Requests.queryEnum(ctx, "status", CheckIn.STATUSES);
    String scope = "claimed:" + agent.id();
    Paging page = Paging.of(ctx, scope, 50);
    String[] scopes =
        agent.roomScopes().isEmpty() ? null : agent.roomScopes().toArray(String[]::new);
    Object[] params = {agent.orgId(), agent.id(), status, scopes, page.after(), page.fetch()};
    return deps.pool()
        .preparedQuery(TaskSql.CLAIMED)
        .execute(Tuple.from(params))
        .map(rows -> page.reply(rows, scope, r -> CheckIn.fromRow(r).toJson(), "id"));
  }

  // ---- claim, release and help ----

  private Future<Reply> claim(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String id = ctx.pathParam("id");
    return change(agent, Change.claim(agent, id, scopes(agent)), miss(agent, id, false, "claimed"));
  }

  private Future<Reply> release(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String id = ctx.pathParam("id");
    return change(
        agent, Change.release(agent, id, scopes(agent)), miss(agent, id, true, "released"));
  }

  private Future<Reply> help(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String text = Fields.optionalString(Requests.body(ctx), "body", 5000);
    String id = ctx.pathParam("id");
    Change change = Change.requestHelp(agent, id, scopes(agent));
    if (text != null && !text.isEmpty()) {
      JsonObject meta = new JsonObject().put("help_request", true);
      change = change.withNote(new Change.Note("escalation", text, meta, null));
    }
    return change(agent, change, miss(agent, id, true, "helped"));
  }

  /** One task transition; the answer is the task with its participants. */
  private Future<Reply> change(Actor.Agent agent, Change change, Change.Miss miss) {
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                CheckInTransitions.apply(tx, change.orElse(miss))
                    .compose(applied -> withParticipants(tx, applied.checkIn())))
        .map(Reply::ok);
  }

  // ---- join ----

  private Future<Reply> join(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    String id = ctx.pathParam("id");
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                locked(tx, agent, id)
                    .compose(
                        ci -> {
                          if (!ci.isTask()) {
                            throw ApiException.conflict("only a task can be joined");
                          }
                          if (agent.id().equals(ci.claimedBy())) {
                            throw ApiException.conflict("the primary cannot join its own task");
                          }
                          if (!"in_progress".equals(ci.status())) {
                            throw ApiException.conflict(
                                "task is "
                                    + ci.status()
                                    + "; only an in_progress task can be joined",
                                new JsonObject().put("status", ci.status()));
                          }
                          if (!ci.helpRequested()) {
                            throw ApiException.conflict(
                                "the primary has not requested help",
                                new JsonObject().put("help_requested", false));
                          }
                          return tx.conn()
                              .preparedQuery(TaskSql.ADD_HELPER)
                              .execute(Tuple.of(ci.id(), agent.id()))
                              .compose(
                                  rows ->
                                      rows.size() == 0
                                          ? Future.succeededFuture() // already a helper
                                          : record(
                                              tx,
                                              agent,
                                              ci,
                                              "checkin.helper_joined",
                                              ci.toJson().put("helper_id", agent.id())))
                              .compose(v -> withParticipants(tx, ci));
                        }))
        .map(Reply::ok);
  }

  // ---- shared steps ----

  /** The check-in, visible to the agent (404, 403 outside its scopes) and a task (else 409). */
  private static Future<CheckIn> task(SqlClient db, Actor.Agent agent, String id, String verb) {
    return CheckInRepository.visible(db, agent, id)
        .map(
            ci -> {
              if (!ci.isTask()) {
                throw ApiException.conflict(
                    "only a task (human_to_agent) can be " + verb + "; this is an agent check-in",
                    new JsonObject().put("direction", ci.direction()));
              }
              return ci;
            });
  }

  /** The check-in row locked for this transaction; 404 / 403 as {@code visible}. */
  static Future<CheckIn> locked(Tx tx, Actor actor, String id) {
    if (id == null || id.length() > 100)
      return Future.failedFuture(ApiException.notFound("check-in"));
    return tx.conn()
        .preparedQuery(TaskSql.LOCK)
        .execute(Tuple.of(id, actor.orgId()))
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("check-in");
              CheckIn ci = CheckIn.fromRow(rows.iterator().next());
              if (actor instanceof Actor.Agent a && !a.mayUseRoom(ci.roomId())) {
                throw ApiException.forbidden("this agent key is not scoped to the check-in's room");
              }
              return ci;
            });
  }

  /**
   * Why a task transition matched nothing, read only then: 404 / 403 outside the agent's scopes /
   * 409 not a task, as {@link #task}; then 403 when the verb is the primary's and the caller is not
   * the primary, else 409 with the current state.
   */
  private static Change.Miss miss(Actor.Agent agent, String id, boolean primaryOnly, String verb) {
    return db ->
        task(db, agent, id, verb)
            .map(
                ci -> {
                  if (primaryOnly && !agent.id().equals(ci.claimedBy())) {
                    throw ApiException.forbidden(
                        "only the task's primary (the agent that claimed it) can do this");
                  }
                  JsonObject details =
                      new JsonObject().put("status", ci.status()).put("claimed_by", ci.claimedBy());
                  String wanted =
                      primaryOnly
                          ? "it must be in_progress"
                          : "only a pending, unclaimed task can be";
                  throw ApiException.conflict(
                      "task is " + ci.status() + "; " + wanted + (primaryOnly ? "" : " " + verb),
                      details);
                });
  }

  /** The agent's room scopes for a conditional update, or null when it may use every room. */
  private static String[] scopes(Actor.Agent agent) {
    return agent.roomScopes().isEmpty() ? null : agent.roomScopes().toArray(String[]::new);
  }

  /** The audit row and the room event of a task change, in its transaction. */
  private static Future<Void> record(
      Tx tx, Actor.Agent agent, CheckIn ci, String type, JsonObject data) {
    return tx.audit(agent, ci.roomId(), type, "check_in", ci.id(), ci.toJson())
        .compose(v -> EventLog.append(tx, ci.orgId(), ci.roomId(), type, data))
        .mapEmpty();
  }

  private static Future<JsonObject> withParticipants(Tx tx, CheckIn ci) {
    return ThreadMessages.participants(tx.conn(), ci.id())
        .map(p -> ci.toJson().put("participants", p));
  }
}
