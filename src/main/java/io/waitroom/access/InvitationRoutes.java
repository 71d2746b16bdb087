package io.waitroom.access;

import static io.waitroom.notify.Html.escape;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import io.waitroom.validation.Fields;

/**
 * Invitations (admins): {@code POST /v1/invitations {email, role}} e-mails an accept link (7 days,
 * single-use); {@code GET /v1/invitations} lists them; {@code DELETE /v1/invitations/:id} revokes
 * an open one. Accepting is signing in (by the link, or by OIDC with the same address).
 */
final class InvitationRoutes {
  private final Deps deps;

  InvitationRoutes(Deps deps) {
    this.deps = deps;
  }

  void mount(Router router) {
    router.post("/v1/invitations").handler(Http.handle(this::create));
    router.get("/v1/invitations").handler(Http.handle(this::list));
    router.delete("/v1/invitations/:id").handler(Http.handle(this::revoke));
  }

  static JsonObject json(Row r) {
    String status =
        r.getOffsetDateTime("accepted_at") != null
            ? "accepted"
            : r.getOffsetDateTime("revoked_at") != null
                ? "revoked"
                : r.getOffsetDateTime("expires_at").toInstant().isBefore(java.time.Instant.now())
                    ? "expired"
                    : "open";
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("email", r.getString("email"))
        .put("role", r.getString("role"))
        .put("status", status)
        .put("invited_by", r.getString("invited_by"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")))
        .put("expires_at", Time.iso(r.getOffsetDateTime("expires_at")))
        .put("accepted_at", Time.iso(r.getOffsetDateTime("accepted_at")))
        .put("accepted_by", r.getString("accepted_by"))
        .put("revoked_at", Time.iso(r.getOffsetDateTime("revoked_at")));
  }

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Human admin = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    String email = Fields.requiredString(body, "email", 3, 254).trim();
    String role = Fields.requiredEnum(body, "role", "role", HumanRoutes.ROLES);
    if (!email.matches("[^\\s@<>(),;:\"\\[\\]]+@[^\\s@<>(),;:\"\\[\\]]+")) {
      throw ApiException.validation("email", "must be one e-mail address");
    }
    String token = Ids.secret("wi_", 43);
    String id = Ids.next("inv_");
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(SignInSql.INSERT_INVITATION)
                    .execute(
                        Tuple.of(
                            id, admin.orgId(), email, role, Sessions.hashOf(token), admin.id()))
                    .compose(
                        rows -> {
                          if (rows.size() == 0) {
                            throw ApiException.conflict(
                                "this address has an open invitation already: revoke it first");
                          }
                          JsonObject inv = json(rows.iterator().next());
                          return tx.audit(admin, null, "invitation.sent", "invitation", id, inv)
                              .map(v -> inv);
                        }))
        .map(
            inv -> {
              String url = deps.config().publicUrl() + SignInRoutes.INVITATION_LINK + token;
              AccessMail.send(
                  deps,
                  email,
                  "You are invited to Waitroom",
                  "You are invited to Waitroom as "
                      + role
                      + ".\n\nAccept (the link works once, for 7 days): "
                      + url
                      + "\n",
                  "<p>You are invited to Waitroom as <b>"
                      + escape(role)
                      + "</b>.</p><p><a href=\""
                      + escape(url)
                      + "\">Accept the invitation</a> (the link works once, for 7 days).</p>");
              return Reply.created(inv.put("email_sent", AccessMail.enabled(deps)));
            });
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return RoleGate.of(deps.pool(), human)
        .compose(
            role -> {
              if (!role.atLeast(Role.ADMIN)) {
                throw RoleGate.forbidden(Role.ADMIN, role, "listing invitations");
              }
              String scope = "invitations:" + human.orgId();
              Paging page = Paging.of(ctx, scope, 50);
              return deps.pool()
                  .preparedQuery(SignInSql.LIST_INVITATIONS)
                  .execute(Tuple.of(human.orgId(), page.after(), page.fetch()))
                  .map(rows -> page.reply(rows, scope, InvitationRoutes::json, "id"));
            });
  }

  private Future<Reply> revoke(RoutingContext ctx) {
    Actor.Human admin = AuthHandler.humanOnly(ctx);
    String id = ctx.pathParam("id");
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(SignInSql.REVOKE_INVITATION)
                .execute(Tuple.of(id, admin.orgId(), admin.id()))
                .compose(
                    rows -> {
                      if (rows.size() == 1) {
                        JsonObject inv = json(rows.iterator().next());
                        return tx.audit(admin, null, "invitation.revoked", "invitation", id, inv)
                            .map(v -> Reply.ok(inv));
                      }
                      return tx.conn()
                          .preparedQuery(SignInSql.INVITATION_BY_ID)
                          .execute(Tuple.of(id, admin.orgId()))
                          .map(
                              found -> {
                                if (found.size() == 0) {
                                  throw ApiException.notFound("invitation");
                                }
                                JsonObject inv = json(found.iterator().next());
                                throw ApiException.conflict(
                                    "the invitation is "
                                        + inv.getString("status")
                                        + "; only an open one can be revoked");
                              });
                    }));
  }
}
