package io.waitroom.hooks;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.Change;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInInput;
import io.waitroom.checkins.CheckInRepository;
import io.waitroom.checkins.CheckInRoutes;
import io.waitroom.checkins.CheckInTransitions;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.events.EventWaiters;
import io.waitroom.http.Http;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/hooks/claude-code} (Agent): a Claude Code {@code "type": "http"} hook. The event
 * becomes a check-in through the normal create path ({@link CheckInRoutes#create}: policies, trust,
 * grants, quorum, escalation, push), the request waits on the long-poll machinery (no thread) for
 * the decision, and the answer is the hook output Claude Code reads: allow, deny (with the human's
 * reason), allow with {@code updatedInput} for a modification, or {@code on_timeout} when nobody
 * decided within {@code wait}, after withdrawing the check-in so nobody decides a question nobody
 * waits for. A client that goes away while waiting has its check-in withdrawn too.
 */
public final class ClaudeCodeHookRoutes {
  private static final Logger log = LoggerFactory.getLogger(ClaudeCodeHookRoutes.class);

  public static final String PATH = "/v1/hooks/claude-code";

  /** Every answer about a check-in names it in this header. */
  static final String CHECK_IN_HEADER = "X-Waitroom-Check-In";

  static final int WAIT_DEFAULT = 55;
  static final int WAIT_MAX = 600;
  static final Set<String> ON_TIMEOUT = Set.of(HookAnswer.ASK, HookAnswer.DENY);

  private static final String USER_NAME = "SELECT name FROM users WHERE id = $1 AND org_id = $2";
  private static final String GRANT_REASON =
      "SELECT reason FROM grants WHERE id = $1 AND org_id = $2";

  private final Deps deps;

  private ClaudeCodeHookRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    ClaudeCodeHookRoutes r = new ClaudeCodeHookRoutes(deps);
    router.post(PATH).handler(r::handle);
  }

  /** The query's settings for one hook call. */
  private record Settings(String room, int waitSeconds, String onTimeout, String risk) {}

  private void handle(RoutingContext ctx) {
    Actor.Agent agent;
    Settings settings;
    HookEvent event;
    JsonObject body;
    CheckInInput in;
    try {
      // The caller, then the body, then the query: each refusal names what is wrong first.
      agent = AuthHandler.agentOnly(ctx);
      event = HookEvent.parse(Requests.body(ctx));
      String room = Requests.queryString(ctx, "room", 200);
      if (room == null) throw ApiException.validation("room", "is required");
      settings =
          new Settings(
              room,
              Requests.queryInt(ctx, "wait", 1, WAIT_MAX, WAIT_DEFAULT),
              onTimeout(ctx),
              Requests.queryEnum(ctx, "risk", CheckIn.RISK_LEVELS));
      body = checkInBody(event, settings);
      in = CheckInInput.parse(body, false);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    String key = event.idempotencyKey();
    // A retry of the same tool call hashes the same: the event decides all of it.
    byte[] hash =
        HookEvent.sha256(
                "claude-code-hook", settings.room(), body.encode(), event.toolInput().encode())
            .getBytes(StandardCharsets.UTF_8);
    Call call = new Call(ctx, agent, event, settings);
    CheckInRoutes.create(deps, agent, settings.room(), in, key, hash)
        .compose(call::created)
        .onComplete(
            ar -> {
              if (ar.succeeded()) call.finish(ar.result());
              else call.fail(ar.cause());
            });
  }

  /** Hook output is the bare JSON Claude Code reads, not the API's {@code data} envelope. */
  private static Reply raw(JsonObject output) {
    return new Reply(200, output);
  }

  private static String onTimeout(RoutingContext ctx) {
    String v = Requests.queryEnum(ctx, "on_timeout", ON_TIMEOUT);
    return v == null ? HookAnswer.ASK : v;
  }

  /** The body the check-in is created from, as an agent would post it. */
  private static JsonObject checkInBody(HookEvent event, Settings settings) {
    JsonObject body =
        new JsonObject()
            .put("action", event.action())
            .put("risk_level", settings.risk() == null ? event.defaultRisk() : settings.risk())
            .put("context", event.context());
    String description = event.description();
    if (description != null) body.put("description", description);
    return body;
  }

  /** One hook call in flight: its wait, its keep-alive and its answer. */
  private final class Call {
    private final RoutingContext ctx;
    private final Actor.Agent agent;
    private final HookEvent event;
    private final Settings settings;
    private final AtomicReference<EventWaiters.Wait> waiting = new AtomicReference<>();
    private final AtomicBoolean gone = new AtomicBoolean();
    private long keepAlive = -1;

    Call(RoutingContext ctx, Actor.Agent agent, HookEvent event, Settings settings) {
      this.ctx = ctx;
      this.agent = agent;
      this.event = event;
      this.settings = settings;
      // Gone before or during the wait: the wait ends (or never starts) and the check-in is
      // withdrawn; nobody reads the answer.
      ctx.response()
          .closeHandler(
              v -> {
                gone.set(true);
                EventWaiters.Wait w = waiting.get();
                if (w != null) w.cancel();
              });
    }

    /** After the create: an immediate answer (policy, trust, grant, forbid), or the wait. */
    Future<Reply> created(Reply reply) {
      JsonObject error = reply.body().getJsonObject("error");
      if (error != null) {
        if ("POLICY_FORBIDS".equals(error.getString("code"))) {
          // Stored as rejected: answered from the check-in, like any rejection.
          String id = error.getJsonObject("details", new JsonObject()).getString("check_in_id");
          return read(id).compose(this::answer);
        }
        return Future.succeededFuture(reply); // a replayed error answer: the API's own
      }
      String id = reply.body().getJsonObject("data").getString("id");
      if (!CheckIn.OPEN.contains(reply.body().getJsonObject("data").getString("status"))) {
        return read(id).compose(this::answer);
      }
      keepAliveWhenLong(id);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.waitSeconds());
      return waitFor(id, deadline).compose(this::answer);
    }

    /** Register first, then read: an event between the read and the wait cannot be missed. */
    private Future<CheckIn> waitFor(String id, long deadline) {
      long remainingNanos = deadline - System.nanoTime();
      long remainingMs = remainingNanos <= 0 ? 0 : (remainingNanos + 999_999) / 1_000_000;
      EventWaiters.Wait w = deps.waiters().await(id, gone.get() ? 0 : remainingMs);
      waiting.set(w);
      return read(id)
          .compose(
              ci -> {
                if (remainingMs == 0 || gone.get() || !CheckIn.OPEN.contains(ci.status())) {
                  w.cancel();
                  return Future.succeededFuture(ci);
                }
                return w.future()
                    .compose(woken -> woken && !gone.get() ? waitFor(id, deadline) : read(id));
              },
              e -> {
                w.cancel();
                return Future.failedFuture(e);
              });
    }

    private Future<CheckIn> read(String id) {
      return CheckInRepository.visible(deps.pool(), agent, id);
    }

    /** The hook output for the check-in's state; a still-open one is withdrawn first. */
    private Future<Reply> answer(CheckIn ci) {
      if (CheckIn.OPEN.contains(ci.status())) {
        return withdraw(ci.id())
            .compose(
                withdrawn -> Future.succeededFuture(timedOut(withdrawn)),
                // Decided between the last read and the withdrawal: answer the decision.
                e ->
                    e instanceof ApiException a && a.status() == 409
                        ? read(ci.id()).compose(this::answer)
                        : Future.failedFuture(e));
      }
      if ("withdrawn".equals(ci.status())) return Future.succeededFuture(timedOut(ci));
      return who(ci)
          .map(
              who ->
                  raw(HookAnswer.decided(ci, event.toolInput(), who).toJson(event))
                      .withHeader(CHECK_IN_HEADER, ci.id()));
    }

    private Reply timedOut(CheckIn ci) {
      String reason =
          "No decision in Waitroom within "
              + settings.waitSeconds()
              + " s; check-in "
              + ci.id()
              + " is withdrawn"
              + (HookAnswer.ASK.equals(settings.onTimeout())
                  ? " (asking here instead)"
                  : " and the tool call is denied");
      return raw(HookAnswer.of(settings.onTimeout(), reason).toJson(event))
          .withHeader(CHECK_IN_HEADER, ci.id());
    }

    private Future<CheckIn> withdraw(String id) {
      Change change =
          Change.withdraw(agent, id)
              .orElse(
                  db ->
                      CheckInRepository.explainMiss(
                          db, agent.orgId(), id, "only a pending check-in can be withdrawn"));
      return Tx.run(deps.vertx(), deps.pool(), tx -> CheckInTransitions.apply(tx, change))
          .map(CheckInTransitions.Applied::checkIn);
    }

    /** Who decided, for the reason: a human's name, or what in the room decided. */
    private Future<String> who(CheckIn ci) {
      String by = ci.decidedBy();
      JsonObject policy = ci.policy() == null ? new JsonObject() : ci.policy();
      if (by == null || by.equals("system:policy")) {
        String rule = policy.getString("rule_id");
        return Future.succeededFuture(
            rule == null ? "the room policy" : "room policy rule " + rule);
      }
      if (by.equals("system:trust")) return Future.succeededFuture("the agent's trust score");
      if (by.equals("system:grant")) {
        String grant = policy.getString("grant_id", "");
        return named(GRANT_REASON, grant, "reason")
            .map(reason -> "standing grant " + grant + (reason == null ? "" : " (" + reason + ")"));
      }
      if (by.equals("system:timeout")) return Future.succeededFuture("the room's timeout");
      if (by.startsWith("system:")) return Future.succeededFuture(by);
      return named(USER_NAME, by, "name").map(name -> name == null ? by : name + " (" + by + ")");
    }

    /** One text column of one row of the caller's org; null when absent, blank or unreadable. */
    private Future<String> named(String sql, String id, String column) {
      return deps.pool()
          .preparedQuery(sql)
          .execute(Tuple.of(id, agent.orgId()))
          .map(
              rows -> {
                String v = rows.size() == 1 ? rows.iterator().next().getString(column) : null;
                return v == null || v.isBlank() ? null : v;
              })
          .recover(e -> Future.succeededFuture(null));
    }

    /**
     * While waiting (a client that goes away ends the wait, see the constructor): on a wait longer
     * than half the server's idle timeout the answer starts early as a 200 and a space is written
     * every half idle timeout (JSON allows leading whitespace), so the connection is never cut as
     * idle and Claude Code never sees a dropped connection (a non-blocking error, which lets the
     * tool run).
     */
    private void keepAliveWhenLong(String id) {
      HttpServerResponse response = ctx.response();
      int idle = deps.config().effectiveHttpIdleTimeoutSeconds();
      if (idle <= 0 || settings.waitSeconds() * 1000L <= idle * 500L) return;
      long every = Math.max(500, idle * 500L);
      keepAlive =
          deps.vertx()
              .setPeriodic(
                  every,
                  t -> {
                    if (response.ended() || response.closed()) return;
                    if (!response.headWritten()) {
                      response
                          .setStatusCode(200)
                          .setChunked(true)
                          .putHeader("Content-Type", "application/json; charset=utf-8")
                          .putHeader(CHECK_IN_HEADER, id);
                    }
                    response.write(" ");
                  });
    }

    void finish(Reply reply) {
      stopKeepAlive();
      HttpServerResponse response = ctx.response();
      if (response.closed() || response.ended()) return;
      if (!response.headWritten()) {
        reply.write(ctx);
        return;
      }
      // Already answering 200: an error cannot change the status any more, so it becomes the
      // timeout's answer with what went wrong.
      JsonObject body = reply.body();
      if (body.containsKey("error")) {
        body = failedAnswer(body.getJsonObject("error").getString("message"));
      }
      response.end(body.toBuffer());
    }

    void fail(Throwable e) {
      stopKeepAlive();
      HttpServerResponse response = ctx.response();
      if (response.closed() || response.ended()) return;
      if (!response.headWritten()) {
        ctx.fail(e);
        return;
      }
      log.warn(
          "request_id={} claude-code hook failed after its answer began: {}",
          Http.requestId(ctx),
          e.toString());
      response.end(
          failedAnswer(e instanceof ApiException a ? a.getMessage() : "internal error").toBuffer());
    }

    private JsonObject failedAnswer(String why) {
      return HookAnswer.of(settings.onTimeout(), "Waitroom could not finish the wait: " + why)
          .toJson(event);
    }

    private void stopKeepAlive() {
      if (keepAlive >= 0) deps.vertx().cancelTimer(keepAlive);
    }
  }
}
