package io.waitroom.push;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
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
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import io.waitroom.validation.Fields;
import io.waitroom.watchers.WebhookSender;
import io.waitroom.watchers.WebhookTargets;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Web Push subscriptions (Human): {@code POST/GET /v1/push/subscriptions}, {@code DELETE
 * /v1/push/subscriptions/:id}; the VAPID public key ({@code GET /v1/push/vapid-public-key}); and
 * the service worker at {@code /sw.js}, which must come from the root path to control the
 * dashboard.
 */
public final class PushRoutes {
  static final String PREFIX = "psub_";
  static final int MAX_ROOMS = 100;

  private final Deps deps;
  private final WorkerExecutor dns;

  private PushRoutes(Deps deps, WorkerExecutor dns) {
    this.deps = deps;
    this.dns = dns;
  }

  /** Call from a verticle's start: the DNS worker is closed with that verticle. */
  public static void mount(Router router, Deps deps) {
    PushRoutes r = new PushRoutes(deps, WebhookSender.dnsPool(deps.vertx()));
    Routes.on(router)
        .get(
            "/v1/push/vapid-public-key",
            ctx ->
                Future.succeededFuture(
                    Reply.ok(new JsonObject().put("public_key", deps.push().publicKey()))))
        .post("/v1/push/subscriptions", r::subscribe)
        .get("/v1/push/subscriptions", r::list)
        .delete("/v1/push/subscriptions/:id", r::unsubscribe);
    router.get("/sw.js").handler(PushRoutes::serviceWorker);
  }

  private static void serviceWorker(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "text/javascript; charset=utf-8")
        .putHeader("Service-Worker-Allowed", "/")
        .putHeader("Cache-Control", "no-cache")
        .sendFile("web/sw.js")
        .onFailure(ctx::fail);
  }

  /** A checked subscription body. {@code rooms} null means every room of the org. */
  record Input(String endpoint, String p256dh, String auth, List<String> rooms) {}

  private Future<Reply> subscribe(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    JsonObject body = Requests.body(ctx);
    String endpoint = Fields.requiredString(body, "endpoint", 1, WebhookTargets.MAX_URL_LENGTH);
    WebhookTargets.Target target = WebhookTargets.parse(endpoint, "endpoint");
    boolean allowPrivate = deps.config().webhookAllowPrivate();
    if (!target.ssl() && !allowPrivate) {
      throw ApiException.validation("endpoint", "must be an https URL");
    }
    Object keysValue = body.getValue("keys");
    if (keysValue == null) throw ApiException.validation("keys", "is required");
    if (!(keysValue instanceof JsonObject keys)) {
      throw ApiException.validation("keys", "must be an object");
    }
    String p256dh = Fields.requiredString(keys, "p256dh", "keys.p256dh", 1, 200);
    if (!isP256Point(decode(p256dh))) {
      throw ApiException.validation(
          "keys.p256dh", "must be the base64url of an uncompressed P-256 public key (65 bytes)");
    }
    String auth = Fields.requiredString(keys, "auth", "keys.auth", 1, 100);
    byte[] authBytes = decode(auth);
    if (authBytes == null || authBytes.length != 16) {
      throw ApiException.validation("keys.auth", "must be the base64url of 16 bytes");
    }
    List<String> refs = rooms(body);
    Future<List<String>> roomIds =
        refs == null ? Future.succeededFuture(null) : roomIds(human, refs);
    return roomIds
        .compose(ids -> guard(target, allowPrivate).map(v -> ids))
        .compose(
            ids ->
                Tx.run(
                    deps.vertx(),
                    deps.pool(),
                    tx ->
                        insert(
                            tx,
                            human,
                            new Input(endpoint, canonical(p256dh), canonical(auth), ids))));
  }

  private static List<String> rooms(JsonObject body) {
    Object v = body.getValue("rooms");
    if (v == null) throw ApiException.validation("rooms", "is required (room ids or \"all\")");
    if ("all".equals(v)) return null;
    if (!(v instanceof JsonArray)) {
      throw ApiException.validation("rooms", "must be an array of room ids or the string \"all\"");
    }
    List<String> refs = Fields.optionalStringList(body, "rooms", MAX_ROOMS, 200);
    if (refs.isEmpty()) {
      throw ApiException.validation("rooms", "must name at least one room, or be \"all\"");
    }
    return refs;
  }

  private Future<List<String>> roomIds(Actor.Human human, List<String> refs) {
    return RoomRepository.idsByRefs(deps.pool(), human.orgId(), refs)
        .map(
            found -> {
              List<String> ids = new ArrayList<>();
              for (int i = 0; i < refs.size(); i++) {
                String id = found.get(refs.get(i));
                if (id == null) {
                  throw ApiException.validation("rooms[" + i + "]", "is not a room of this org");
                }
                if (!ids.contains(id)) ids.add(id);
              }
              return ids;
            });
  }

  /** The SSRF guard at subscription; every push checks again (DNS answers change). */
  private Future<Void> guard(WebhookTargets.Target target, boolean allowPrivate) {
    if (allowPrivate) return Future.succeededFuture();
    return WebhookTargets.resolveAllowed(dns, target.host())
        .<Void>mapEmpty()
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof WebhookTargets.Refused
                        ? ApiException.validation("endpoint", e.getMessage())
                        : e));
  }

  private static Future<Reply> insert(Tx tx, Actor.Human human, Input in) {
    String id = Ids.next(PREFIX);
    boolean all = in.rooms() == null;
    String[] rooms = all ? new String[0] : in.rooms().toArray(String[]::new);
    return tx.conn()
        .preparedQuery(PushSql.DELETE_BY_ENDPOINT)
        .execute(Tuple.of(in.endpoint()))
        .compose(
            replaced -> {
              Future<Void> audits = Future.succeededFuture();
              for (Row r : replaced) {
                // The old owner's row goes; it is audited in its own org.
                String oldId = r.getString("id");
                String oldOrg = r.getString("org_id");
                audits =
                    audits.compose(
                        v ->
                            tx.audit(
                                oldOrg,
                                null,
                                "human",
                                human.id(),
                                "push.unsubscribed",
                                "push_subscription",
                                oldId,
                                new JsonObject().put("replaced_by", id)));
              }
              return audits;
            })
        .compose(
            v ->
                tx.conn()
                    .preparedQuery(PushSql.INSERT)
                    .execute(
                        Tuple.from(
                            new Object[] {
                              id,
                              human.orgId(),
                              human.id(),
                              in.endpoint(),
                              in.p256dh(),
                              in.auth(),
                              all,
                              rooms
                            })))
        .map(rows -> toJson(rows.iterator().next()))
        .compose(
            sub ->
                tx.audit(human, null, "push.subscribed", "push_subscription", id, snapshot(sub))
                    .map(v -> Reply.created(sub)));
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return deps.pool()
        .preparedQuery(PushSql.LIST_OWN)
        .execute(Tuple.of(human.orgId(), human.id()))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              for (Row r : rows) {
                if (out.size() < 100) out.add(toJson(r));
              }
              return Reply.list(out, null, false);
            });
  }

  private Future<Reply> unsubscribe(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String id = ctx.pathParam("id");
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(PushSql.DELETE_OWN)
                .execute(Tuple.of(id, human.orgId(), human.id()))
                .compose(
                    rows -> {
                      if (rows.size() == 0) throw ApiException.notFound("push subscription");
                      JsonObject sub = toJson(rows.iterator().next());
                      return tx.audit(
                              human,
                              null,
                              "push.unsubscribed",
                              "push_subscription",
                              id,
                              snapshot(sub))
                          .map(v -> Reply.ok(sub));
                    }));
  }

  /** The subscription as answered: never its keys. */
  static JsonObject toJson(Row r) {
    String[] rooms = r.getArrayOfStrings("room_ids");
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("user_id", r.getString("user_id"))
        .put("endpoint", r.getString("endpoint"))
        .put(
            "rooms",
            r.getBoolean("all_rooms")
                ? "all"
                : new JsonArray(rooms == null ? List.of() : List.of(rooms)))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")));
  }

  /** Audit snapshots name the push service's origin, not the endpoint (a capability URL). */
  private static JsonObject snapshot(JsonObject sub) {
    WebhookTargets.Target t = WebhookTargets.parse(sub.getString("endpoint"), "endpoint");
    return new JsonObject()
        .put("push_service", (t.ssl() ? "https://" : "http://") + t.host())
        .put("rooms", sub.getValue("rooms"));
  }

  // ---- keys ----

  static byte[] decode(String b64url) {
    try {
      return Base64.getUrlDecoder().decode(stripPadding(b64url));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Browsers send base64url without padding; store that form whatever was sent. */
  static String canonical(String b64url) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(decode(b64url));
  }

  private static String stripPadding(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') end--;
    return s.substring(0, end);
  }

  private static final BigInteger P =
      new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
  private static final BigInteger B =
      new BigInteger("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);

  /** An uncompressed point (0x04 || X || Y) on P-256: y^2 = x^3 - 3x + b (mod p). */
  static boolean isP256Point(byte[] b) {
    if (b == null || b.length != 65 || b[0] != 4) return false;
    BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(b, 1, 33));
    BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(b, 33, 65));
    if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) return false;
    BigInteger left = y.multiply(y).mod(P);
    BigInteger right = x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(B).mod(P);
    return left.equals(right);
  }
}
