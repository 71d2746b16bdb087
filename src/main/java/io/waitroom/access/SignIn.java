package io.waitroom.access;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;

/**
 * The end of every sign-in (OpenID Connect, an e-mail link, an accepted invitation), in one
 * transaction: the human is created or updated, an invitation (if any) is accepted (its conditional
 * update is the single use's verdict) and a session starts, all audited.
 */
final class SignIn {
  private SignIn() {}

  /** Who the identity provider or the e-mail link says signs in. */
  record Who(String orgExternalId, String subject, String name, String email) {}

  /**
   * Signs {@code who} in and answers the session cookie's value.
   *
   * @param invitation an open invitation row (id, role) to accept, or null
   * @param defaultRole a new human's role without an invitation (unless first of a new org)
   */
  static Future<String> complete(Deps deps, Who who, Row invitation, String via, Role defaultRole) {
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(SignInSql.UPSERT_HUMAN)
                .execute(
                    Tuple.from(
                        new Object[] {
                          Ids.next(Ids.ORG),
                          who.orgExternalId(),
                          Ids.next(Ids.USER),
                          who.subject(),
                          who.name(),
                          who.email(),
                          invitation == null ? null : invitation.getString("role"),
                          defaultRole.wire()
                        }))
                .compose(
                    rows -> {
                      Row h = rows.iterator().next();
                      String userId = h.getString("id");
                      String orgId = h.getString("org_id");
                      Future<Void> accepted =
                          invitation == null
                              ? Future.succeededFuture()
                              : accept(tx, invitation.getString("id"), orgId, userId);
                      return accepted.compose(v -> Sessions.start(tx, orgId, userId, via));
                    }));
  }

  /** Signs in a known human (an e-mail link for their address). */
  static Future<String> known(Deps deps, String userId) {
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(SignInSql.USER_BY_ID)
                .execute(Tuple.of(userId))
                .compose(
                    rows -> {
                      if (rows.size() == 0) throw ApiException.notFound("human");
                      Row u = rows.iterator().next();
                      return Sessions.start(tx, u.getString("org_id"), userId, "email");
                    }));
  }

  private static Future<Void> accept(Tx tx, String invitationId, String orgId, String userId) {
    return tx.conn()
        .preparedQuery(SignInSql.ACCEPT_INVITATION)
        .execute(Tuple.of(invitationId, userId))
        .compose(
            rows -> {
              if (rows.size() == 0 || !orgId.equals(rows.iterator().next().getString("org_id"))) {
                return Future.failedFuture(
                    ApiException.conflict("this invitation has been used, revoked or has expired"));
              }
              Row i = rows.iterator().next();
              return tx.audit(
                  orgId,
                  null,
                  "human",
                  userId,
                  "invitation.accepted",
                  "invitation",
                  invitationId,
                  new JsonObject()
                      .put("email", i.getString("email"))
                      .put("role", i.getString("role"))
                      .put("human_id", userId));
            });
  }
}
