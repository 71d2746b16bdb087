package io.waitroom.tasks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInRepository;
import io.waitroom.checkins.CheckInTransitions;
import io.waitroom.checkins.ThreadMessages;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Idempotent;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import java.util.regex.Pattern;

/**
 * A check-in's thread over HTTP: post a message (any human of the org, the creating agent of an
 * agent check-in, a task's active participants) and read it in chronological order. A {@code
 * result} from a task's primary submits the task in the same transaction.
 */
public final class ThreadRoutes {
  private static final Pattern PAGE_KEY =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\|msg_[0-9a-z]{26}");

  private final Deps deps;

  private ThreadRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    ThreadRoutes r = new ThreadRoutes(deps);
    Routes.on(router)
        .post("/v1/check-ins/:id/messages", r::post)
        .get("/v1/check-ins/:id/messages", r::list);
  }

  private Future<Reply> post(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    MessageInput in = MessageInput.parse(Requests.body(ctx));
    Idempotent.key(ctx);
    String id = ctx.pathParam("id");
    return Idempotent.run(
        ctx,
        deps.vertx(),
        deps.pool(),
        actor,
        tx ->
            TaskRoutes.locked(tx, actor, id)
                .compose(ci -> mayPost(tx, actor, ci).map(ci))
                .compose(ci -> write(tx, actor, ci, in))
                .map(Reply::created));
  }

  /** Humans of the org always; agents as the check-in's creator or a task's active participant. */
  private static Future<Void> mayPost(Tx tx, Actor actor, CheckIn ci) {
    if (actor instanceof Actor.Human) return Future.succeededFuture();
    if (!ci.isTask()) {
      if (actor.id().equals(ci.agentId())) return Future.succeededFuture();
      return Future.failedFuture(
          ApiException.forbidden("only the agent that created this check-in can post to it"));
    }
    return tx.conn()
        .preparedQuery(TaskSql.ACTIVE_ROLE)
        .execute(Tuple.of(ci.id(), actor.id()))
        .compose(
            rows ->
                rows.size() == 1
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        ApiException.forbidden(
                            "only the task's primary and helpers can post to its thread")));
  }

  private static Future<JsonObject> write(Tx tx, Actor actor, CheckIn ci, MessageInput in) {
    boolean submits =
        "result".equals(in.type()) && ci.isTask() && actor.id().equals(ci.claimedBy());
    if (submits && !"in_progress".equals(ci.status())) {
      return Future.failedFuture(
          ApiException.conflict(
              "task is " + ci.status() + "; a result submits only an in_progress task",
              new JsonObject().put("status", ci.status())));
    }
    Change.Note note = new Change.Note(in.type(), in.body(), in.metadata(), in.attachments());
    if (!submits) return CheckInTransitions.post(tx, Change.By.of(actor), ci, note);
    // The row is locked by this transaction, so a miss means the lock was not taken.
    Change submit =
        Change.submit(actor, ci.id())
            .withNote(note)
            .orElse(
                db -> Future.failedFuture(ApiException.conflict("task is no longer in_progress")));
    return CheckInTransitions.apply(tx, submit).map(CheckInTransitions.Applied::note);
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    return CheckInRepository.visible(deps.pool(), actor, ctx.pathParam("id"))
        .compose(
            ci -> {
              String scope = "messages:" + ci.id();
              Paging page = Paging.of(ctx, scope, 50);
              String after = page.after();
              String afterTime = null;
              String afterId = null;
              if (after != null) {
                if (!PAGE_KEY.matcher(after).matches()) {
                  throw ApiException.validation("cursor", "is not a valid cursor");
                }
                int bar = after.indexOf('|');
                afterTime = after.substring(0, bar);
                afterId = after.substring(bar + 1);
              }
              return deps.pool()
                  .preparedQuery(TaskSql.MESSAGES_PAGE)
                  .execute(Tuple.of(ci.id(), afterTime, afterId, page.fetch()))
                  .map(rows -> page.reply(rows, scope, ThreadMessages::messageJson, "page_key"));
            });
  }
}
