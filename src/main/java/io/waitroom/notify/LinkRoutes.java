package io.waitroom.notify;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckIn;
import io.waitroom.checkins.CheckInRepository;
import io.waitroom.checkins.Decisions;
import io.waitroom.checkins.Status;
import io.waitroom.db.DatabaseUnavailable;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.http.Reply;
import io.waitroom.http.Routes;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /d/<token>}: the pages behind action links. {@code GET} and {@code HEAD} only show (mail
 * scanners, link previews and prefetchers open links); {@code POST} decides, as the link's human,
 * through the API's own transition, and spends the link in the same transaction. Answers are HTML
 * ({@code Accept: application/json} gets JSON, for the service worker's notification actions),
 * never cached, never framed, never sent as a referrer; requests are rate limited per IP. Failures
 * are answered here, not by the API's failure handler, which would log the path (the token).
 */
public final class LinkRoutes {
  private static final Logger log = LoggerFactory.getLogger(LinkRoutes.class);
  private static final int MAX_REASON = 2000;

  static final String USE_AS_HUMAN =
      """
      UPDATE action_links l SET used_at = now() FROM users u
      WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now()
        AND l.verdict <> 'open' AND u.id = l.user_id
      RETURNING l.org_id, l.user_id, l.check_in_id, l.verdict, l.via, u.subject, u.name
      """;

  private final Deps deps;

  private LinkRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    LinkRoutes r = new LinkRoutes(deps);
    // Pages for people, not API operations (like the dashboard's): a prefix route, so the API
    // document does not list them. One path segment after the prefix: the token.
    router
        .route(ActionLinks.PATH + "*")
        .handler(
            ctx -> {
              HttpMethod m = ctx.request().method();
              if (m == HttpMethod.GET || m == HttpMethod.HEAD) r.limited(ctx, r::show);
              else if (m == HttpMethod.POST) r.limited(ctx, r::decide);
              else {
                ctx.response().setStatusCode(405).putHeader("Allow", "GET, HEAD, POST").end();
              }
            });
    Routes.on(router).post("/v1/check-ins/:id/action-links", r::mintForMe);
  }

  /**
   * {@code POST /v1/check-ins/:id/action-links}: the caller's own approve, reject and open links
   * for a check-in they may decide ({@code via: "link"}), to hand to another device or tool.
   */
  private Future<Reply> mintForMe(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String id = ctx.pathParam("id");
    return CheckInRepository.visible(deps.pool(), human, id)
        .compose(
            ci ->
                ActionLinks.mint(
                    deps.pool(),
                    deps.config().publicUrl(),
                    human.orgId(),
                    human.id(),
                    ci.id(),
                    Decisions.VIA_LINK))
        .map(
            links -> {
              if (links == null) {
                throw ApiException.conflict(
                    "only a pending check-in or a submitted task has action links");
              }
              return Reply.created(links.toJson()).withHeader("Cache-Control", "no-store");
            });
  }

  /** An answer: the status and the HTML page, or the JSON for a script. */
  private record Answer(int status, String html, JsonObject json, String location) {
    static Answer page(int status, String html, boolean ok, String message, String state) {
      return new Answer(
          status,
          html,
          new JsonObject().put("ok", ok).put("status", state).put("message", message),
          null);
    }

    static Answer problem(int status, String headline, String detail, String openUrl) {
      return page(
          status,
          LinkPages.result(headline, detail, openUrl),
          false,
          detail == null ? headline : headline + ": " + detail,
          null);
    }
  }

  private interface Step {
    Future<Answer> run(RoutingContext ctx, String token);
  }

  private void limited(RoutingContext ctx, Step step) {
    String token = ctx.normalizedPath().substring(ActionLinks.PATH.length());
    String ip = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().host();
    deps.rateLimiter()
        .take("link-ip:" + ip)
        .compose(
            d -> {
              if (!d.allowed()) {
                ctx.response().putHeader("Retry-After", Long.toString(d.retryAfterSeconds()));
                return Future.succeededFuture(
                    Answer.problem(429, "Too many requests", "Try again in a minute.", null));
              }
              if (!ActionLinks.wellFormed(token)) return Future.succeededFuture(unknown());
              return step.run(ctx, token);
            })
        .recover(e -> Future.succeededFuture(failed(ctx, e)))
        .onSuccess(a -> write(ctx, token, a));
  }

  // ---- GET / HEAD: show, never change ----

  private Future<Answer> show(RoutingContext ctx, String token) {
    return deps.pool()
        .preparedQuery(ActionLinks.FIND)
        .execute(Tuple.of(ActionLinks.hashOf(token)))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture(unknown());
              Row l = rows.iterator().next();
              String checkInId = l.getString("check_in_id");
              if ("open".equals(l.getString("verdict"))) {
                if (Boolean.TRUE.equals(l.getBoolean("expired"))) {
                  return Future.succeededFuture(expired());
                }
                return Future.succeededFuture(new Answer(303, null, null, openUrl(checkInId)));
              }
              if (Boolean.TRUE.equals(l.getBoolean("used"))) return Future.succeededFuture(used());
              if (Boolean.TRUE.equals(l.getBoolean("expired"))) {
                return Future.succeededFuture(expired());
              }
              boolean approve = "approve".equals(l.getString("verdict"));
              return CheckInView.read(deps.pool(), l.getString("org_id"), checkInId)
                  .map(
                      v -> {
                        if (v == null) return unknown();
                        if (!CheckIn.OPEN.contains(v.checkIn().status())) return decided(v);
                        return Answer.page(
                            200,
                            LinkPages.confirm(v, approve, null, "", Instant.now()),
                            true,
                            null,
                            v.checkIn().status());
                      });
            });
  }

  // ---- POST: decide ----

  private Future<Answer> decide(RoutingContext ctx, String token) {
    String typed = ctx.request().getFormAttribute("reason");
    if (typed == null) typed = "";
    String reason = typed.strip().isEmpty() ? null : typed.strip();
    String kept = typed;
    io.vertx.core.buffer.Buffer hash = ActionLinks.hashOf(token);
    // The link's verdict first, to check the reason against it before anything is spent.
    return deps.pool()
        .preparedQuery(ActionLinks.FIND)
        .execute(Tuple.of(hash))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture(unknown());
              Row l = rows.iterator().next();
              if ("open".equals(l.getString("verdict"))) {
                return Future.succeededFuture(
                    Answer.problem(
                        405,
                        "This link only opens Waitroom",
                        null,
                        openUrl(l.getString("check_in_id"))));
              }
              if (Boolean.TRUE.equals(l.getBoolean("used"))) return Future.succeededFuture(used());
              if (Boolean.TRUE.equals(l.getBoolean("expired"))) {
                return Future.succeededFuture(expired());
              }
              boolean approve = "approve".equals(l.getString("verdict"));
              String error = null;
              if (!approve && reason == null) error = "A reason is required to reject.";
              if (reason != null && reason.codePointCount(0, reason.length()) > MAX_REASON) {
                error = "The reason is too long: at most 2000 characters.";
              }
              if (error != null) {
                String why = error;
                return CheckInView.read(
                        deps.pool(), l.getString("org_id"), l.getString("check_in_id"))
                    .map(
                        v ->
                            v == null
                                ? unknown()
                                : Answer.page(
                                    400,
                                    LinkPages.confirm(v, approve, why, kept, Instant.now()),
                                    false,
                                    why,
                                    v.checkIn().status()));
              }
              return spend(hash, approve ? Status.APPROVED : Status.REJECTED, reason)
                  .recover(e -> explain(e, l, hash));
            });
  }

  /** Spends the link and decides, in one transaction: a refused decision spends nothing. */
  private Future<Answer> spend(io.vertx.core.buffer.Buffer hash, Status outcome, String reason) {
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(USE_AS_HUMAN)
                    .execute(Tuple.of(hash))
                    .compose(
                        rows -> {
                          if (rows.size() == 0) return Future.failedFuture(SPENT);
                          Row l = rows.iterator().next();
                          Actor.Human human =
                              new Actor.Human(
                                  l.getString("user_id"),
                                  l.getString("org_id"),
                                  l.getString("subject"),
                                  l.getString("name"));
                          return Decisions.decide(
                              tx,
                              human,
                              l.getString("check_in_id"),
                              outcome,
                              reason,
                              null,
                              l.getString("via"),
                              deps.receipts());
                        }))
        .map(this::decidedHere);
  }

  /** Another request spent the link (or it expired) between the read and the update. */
  private static final RuntimeException SPENT =
      new RuntimeException("spent", null, false, false) {};

  private Answer decidedHere(CheckIn ci) {
    String open = openUrl(ci.id());
    String headline;
    String message;
    if (Status.PENDING.wire().equals(ci.status())) {
      Integer needed = ci.approvalsNeeded();
      boolean approving = "approved".equals(lastVerdict(ci));
      headline =
          approving
              ? "Your approval is recorded: " + needed + " more needed"
              : "Your rejection is recorded";
      message = headline;
    } else {
      headline =
          switch (ci.status()) {
            case "approved" -> "Approved";
            case "rejected" -> "Rejected";
            default -> "Decided: " + ci.status();
          };
      message = headline + " · " + Html.cut(ci.action(), 100);
    }
    return Answer.page(
        200, LinkPages.result(headline, ci.action(), open), true, message, ci.status());
  }

  private static String lastVerdict(CheckIn ci) {
    if (ci.votes() == null || ci.votes().isEmpty()) return null;
    return ci.votes().getJsonObject(ci.votes().size() - 1).getString("verdict");
  }

  /** Why nothing was decided: the link is spent, or the check-in refused the decision. */
  private Future<Answer> explain(Throwable e, Row link, io.vertx.core.buffer.Buffer hash) {
    if (e == SPENT) {
      return deps.pool()
          .preparedQuery(ActionLinks.FIND)
          .execute(Tuple.of(hash))
          .map(
              rows ->
                  rows.size() == 1 && Boolean.TRUE.equals(rows.iterator().next().getBoolean("used"))
                      ? used()
                      : expired());
    }
    if (e instanceof ApiException a) {
      String checkInId = link.getString("check_in_id");
      if (a.status() == 409) {
        return CheckInView.read(deps.pool(), link.getString("org_id"), checkInId)
            .map(v -> v == null ? unknown() : decided(v));
      }
      if (a.status() == 403) {
        return Future.succeededFuture(
            Answer.problem(
                403, "You cannot decide this request", a.getMessage(), openUrl(checkInId)));
      }
      if (a.status() == 404) return Future.succeededFuture(unknown());
    }
    return Future.failedFuture(e);
  }

  // ---- the pages that change nothing ----

  private static Answer unknown() {
    return Answer.problem(
        404, "This link is not valid", "Check that it was copied completely.", null);
  }

  private static Answer used() {
    return Answer.problem(410, "This link has already been used", "Nothing was changed.", null);
  }

  private static Answer expired() {
    return Answer.problem(410, "This link has expired", "Nothing was changed.", null);
  }

  private Answer decided(CheckInView v) {
    CheckIn ci = v.checkIn();
    String what =
        switch (ci.status()) {
          case "approved", "rejected", "modified", "expired" -> "Already " + ci.status();
          case "withdrawn" -> "Withdrawn by the agent";
          default -> "No longer waiting for a decision (" + ci.status() + ")";
        };
    String headline =
        ci.decidedBy() == null || "withdrawn".equals(ci.status())
            ? what
            : what + " by " + v.deciderLabel() + " at " + v.decidedAtLabel();
    Answer a = Answer.problem(409, headline, ci.action(), openUrl(ci.id()));
    a.json().put("status", ci.status());
    return a;
  }

  private String openUrl(String checkInId) {
    return deps.config().publicUrl() + "/#/check-ins/" + checkInId;
  }

  private Answer failed(RoutingContext ctx, Throwable e) {
    // Never the path: it holds the token.
    if (DatabaseUnavailable.is(e)) {
      DatabaseUnavailable.warn(log, "action link", e);
      ctx.response()
          .putHeader("Retry-After", Integer.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
    } else {
      log.error(
          "request_id={} action link request failed error=\"{}\"",
          Http.requestId(ctx),
          e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return Answer.problem(
        DatabaseUnavailable.is(e) ? 503 : 500,
        "Waitroom cannot answer right now",
        "Nothing was changed. Try again in a moment.",
        null);
  }

  private void write(RoutingContext ctx, String token, Answer a) {
    HttpServerResponse res = ctx.response();
    if (res.ended()) return;
    res.setStatusCode(a.status())
        .putHeader("Cache-Control", "no-store")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", LinkPages.CSP);
    if (a.location() != null) {
      res.putHeader("Location", a.location()).end();
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    if (accept != null && accept.contains("application/json") && a.json() != null) {
      JsonObject body = a.json().copy();
      if (ActionLinks.wellFormed(token)) {
        body.put("page", deps.config().publicUrl() + ActionLinks.PATH + token);
      }
      res.putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
      return;
    }
    res.putHeader("Content-Type", "text/html; charset=utf-8").end(a.html());
  }
}
