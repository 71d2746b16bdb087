package io.waitroom.receipts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.checkins.CheckInRepository;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.http.Reply;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The public keys ({@code /.well-known/jwks.json}, no auth), a check-in's receipt, and the audit
 * chain's verification.
 */
public final class ReceiptRoutes {
  static final String PUBLISHED = "SELECT kid, jwk FROM signing_keys ORDER BY created_at DESC, kid";

  private final Deps deps;

  private ReceiptRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    ReceiptRoutes r = new ReceiptRoutes(deps);
    router.get("/.well-known/jwks.json").handler(Http.handle(r::jwks));
    router.get("/v1/check-ins/:id/receipt").handler(Http.handle(r::receipt));
    router.get("/v1/audit/verify").handler(Http.handle(r::verify));
  }

  /**
   * This node's keys and every key any node has registered: a receipt signed by another node, or
   * before a rotation, still finds its key here.
   */
  private Future<Reply> jwks(RoutingContext ctx) {
    JsonObject local = deps.receipts().keys().jwks();
    return deps.pool()
        .query(PUBLISHED)
        .execute()
        .map(
            rows -> {
              JsonArray keys = local.getJsonArray("keys").copy();
              Set<String> seen = new LinkedHashSet<>();
              keys.forEach(k -> seen.add(((JsonObject) k).getString("kid")));
              for (Row r : rows) {
                if (seen.add(r.getString("kid"))) keys.add(r.getJsonObject("jwk"));
              }
              return new Reply(200, new JsonObject().put("keys", keys))
                  .withHeader("Cache-Control", "public, max-age=60");
            });
  }

  private Future<Reply> receipt(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    return CheckInRepository.visible(deps.pool(), actor, ctx.pathParam("id"))
        .map(
            ci -> {
              if (ci.receipt() == null) {
                String why =
                    ci.decisionType() == null
                        ? "the check-in is "
                            + ci.status()
                            + "; its receipt exists once it is decided"
                        : "the check-in was decided before receipts were signed";
                throw new ApiException(
                    404,
                    "NOT_FOUND",
                    "receipt not found: " + why,
                    new JsonObject().put("status", ci.status()));
              }
              return Reply.ok(
                  new JsonObject()
                      .put("receipt", ci.receipt())
                      .put("claims", Receipts.claimsOf(ci.receipt())));
            });
  }

  private Future<Reply> verify(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return AuditChain.verify(deps.vertx(), deps.pool(), human.orgId(), true)
        .map(v -> Reply.ok(v.toJson()));
  }
}
