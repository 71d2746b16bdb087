package io.waitroom.access;

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
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.validation.Fields;
import java.util.Set;

/**
 * Admins change a human's role: {@code PUT /v1/humans/:id {role}} (the list is {@code MeRoutes}).
 */
public final class HumanRoutes {
  static final Set<String> ROLES = Set.of("admin", "approver", "viewer");

  private final Deps deps;

  private HumanRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    HumanRoutes r = new HumanRoutes(deps);
    router.put("/v1/humans/:id").handler(Http.handle(r::setRole));
  }

  private Future<Reply> setRole(RoutingContext ctx) {
    Actor.Human admin = AuthHandler.humanOnly(ctx);
    String role = Fields.requiredEnum(Requests.body(ctx), "role", "role", ROLES);
    String id = ctx.pathParam("id");
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            MemberRoutes.humanOfOrg(tx, admin, id)
                .compose(
                    before ->
                        tx.conn()
                            .preparedQuery(AccessSql.SET_ROLE)
                            .execute(Tuple.of(id, admin.orgId(), role))
                            .compose(
                                rows -> {
                                  if (rows.size() == 0) {
                                    throw ApiException.conflict(
                                        "this is the org's last admin: make another human"
                                            + " admin first");
                                  }
                                  Row r = rows.iterator().next();
                                  JsonObject h = json(r);
                                  if (r.getString("previous").equals(role)) {
                                    return Future.succeededFuture(Reply.ok(h));
                                  }
                                  JsonObject snap =
                                      h.copy().put("previous_role", r.getString("previous"));
                                  return tx.audit(
                                          admin, null, "human.role_changed", "human", id, snap)
                                      .map(v -> Reply.ok(h));
                                })));
  }

  static JsonObject json(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("name", r.getString("name"))
        .put("email", r.getString("email"))
        .put("role", r.getString("role"));
  }
}
