package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import io.waitroom.events.EventTypes;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.InRoom;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Ids;
import io.waitroom.util.Time;
import io.waitroom.validation.Fields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Watchers: an agent subscribes ({@code POST /v1/rooms/:room/watch}) and removes its own; humans
 * list and remove any in their rooms; the owner and the org's humans read the delivery log.
 */
public final class WatcherRoutes {
  static final int MAX_EVENT_TYPES = 50;
  static final Set<String> DELIVERY_STATUSES =
      Set.of("pending", "succeeded", "failed", "cancelled");

  private final Deps deps;
  private final WorkerExecutor dns;

  private WatcherRoutes(Deps deps, WorkerExecutor dns) {
    this.deps = deps;
    this.dns = dns;
  }

  /** Call from a verticle's start: the DNS worker is closed with that verticle. */
  public static void mount(Router router, Deps deps) {
    WatcherRoutes r =
        new WatcherRoutes(
            deps,
            deps.vertx()
                .createSharedWorkerExecutor(WebhookSender.DNS_POOL, WebhookSender.DNS_THREADS));
    Routes.on(router)
        .post("/v1/rooms/:room/watch", r::create)
        .get("/v1/rooms/:room/watchers", r::list)
        .delete("/v1/rooms/:room/watchers/:id", r::removeInRoom)
        .delete("/v1/watchers/:id", r::removeOwn)
        .get("/v1/watchers/:id/deliveries", r::deliveries);
  }

  // ---- create ----

  private Future<Reply> create(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    JsonObject body = Requests.body(ctx);
    List<String> types = eventTypes(body);
    Set<String> matchTypes = WatcherMatcher.expand(types);
    JsonObject filter = Fields.optionalObject(body, "filter", new JsonObject());
    String url = Fields.optionalString(body, "webhook_url", WebhookTargets.MAX_URL_LENGTH);
    WebhookTargets.Target target = url == null ? null : WebhookTargets.parse(url, "webhook_url");
    String secret = WebhookSigner.newSecret();
    return RoomRepository.visible(deps.pool(), agent, ctx.pathParam("room"))
        .compose(room -> guard(target).map(room))
        .compose(
            room ->
                Tx.run(
                    deps.vertx(),
                    deps.pool(),
                    tx ->
                        tx.conn()
                            .preparedQuery(WatcherSql.INSERT)
                            .execute(
                                Tuple.from(
                                    new Object[] {
                                      Ids.next(Ids.WATCHER),
                                      agent.orgId(),
                                      room.id(),
                                      agent.id(),
                                      types.toArray(String[]::new),
                                      matchTypes.toArray(String[]::new),
                                      filter,
                                      url,
                                      secret
                                    }))
                            .map(rows -> Watcher.fromRow(rows.iterator().next()))
                            .compose(
                                w ->
                                    tx.audit(
                                            agent,
                                            room.id(),
                                            "watcher.created",
                                            "watcher",
                                            w.id(),
                                            w.toJson())
                                        .map(w))))
        .map(w -> Reply.created(w.toJson().put("secret", secret)));
  }

  /** {@code event_types}: optional, empty = all; aliases accepted and stored as given. */
  static List<String> eventTypes(JsonObject body) {
    Object v = body.getValue("event_types");
    if (v == null) return List.of();
    if (!(v instanceof JsonArray arr)) {
      throw ApiException.validation("event_types", "must be an array of event types");
    }
    if (arr.size() > MAX_EVENT_TYPES) {
      throw ApiException.validation(
          "event_types", "must have at most " + MAX_EVENT_TYPES + " items");
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      String field = "event_types[" + i + "]";
      if (!(arr.getValue(i) instanceof String s)) {
        throw ApiException.validation(field, "must be a string");
      }
      if (EventTypes.expand(s) == null) {
        throw ApiException.validation(
            field,
            "unknown event type '"
                + (s.length() > 100 ? s.substring(0, 100) + "..." : s)
                + "'; known: "
                + String.join(", ", EventTypes.CANONICAL)
                + " (check_in.* and checkin.decided aliases accepted)");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** The SSRF guard at subscription; delivery checks again (DNS answers change). */
  private Future<Void> guard(WebhookTargets.Target target) {
    if (target == null || deps.config().webhookAllowPrivate()) return Future.succeededFuture();
    return WebhookTargets.resolveAllowed(dns, target.host())
        .<Void>mapEmpty()
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof WebhookTargets.Refused
                        ? ApiException.validation(
                            "webhook_url",
                            e.getMessage()
                                + " (set WAITROOM_WEBHOOK_ALLOW_PRIVATE=true to allow private"
                                + " targets)")
                        : e));
  }

  // ---- list ----

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return InRoom.page(
        ctx, deps, human, "watchers", WatcherSql.LIST_ACTIVE, r -> Watcher.fromRow(r).toJson());
  }

  // ---- remove ----

  private Future<Reply> removeInRoom(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String id = ctx.pathParam("id");
    return RoomRepository.visible(deps.pool(), human, ctx.pathParam("room"))
        .compose(room -> remove(human, id, room));
  }

  private Future<Reply> removeOwn(RoutingContext ctx) {
    Actor.Agent agent = AuthHandler.agentOnly(ctx);
    return remove(agent, ctx.pathParam("id"), null);
  }

  /**
   * Marks the watcher inactive (never deleted: the audit trail keeps it), cancels its pending
   * deliveries, audits. A human removes any watcher of the room; an agent only its own (another
   * agent's: 403). Already removed: 409.
   */
  private Future<Reply> remove(Actor actor, String id, Room room) {
    return Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                tx.conn()
                    .preparedQuery(WatcherSql.BY_ID_FOR_UPDATE)
                    .execute(Tuple.of(id, actor.orgId()))
                    .compose(
                        rows -> {
                          Watcher w =
                              rows.size() == 0 ? null : Watcher.fromRow(rows.iterator().next());
                          if (w == null || (room != null && !room.id().equals(w.roomId()))) {
                            return Future.failedFuture(ApiException.notFound("watcher"));
                          }
                          if (actor instanceof Actor.Agent a && !a.id().equals(w.agentId())) {
                            return Future.failedFuture(
                                ApiException.forbidden(
                                    "only the agent that created a watcher can remove it"));
                          }
                          if (!w.active()) {
                            return Future.failedFuture(
                                ApiException.conflict("watcher is already removed"));
                          }
                          return tx.conn()
                              .preparedQuery(WatcherSql.REMOVE)
                              .execute(Tuple.of(id, actor.orgId(), actor.id()))
                              .map(r -> Watcher.fromRow(r.iterator().next()));
                        })
                    .compose(
                        w ->
                            tx.conn()
                                .preparedQuery(WatcherSql.CANCEL_PENDING)
                                .execute(Tuple.of(w.id()))
                                .compose(
                                    v ->
                                        tx.audit(
                                            actor,
                                            w.roomId(),
                                            "watcher.removed",
                                            "watcher",
                                            w.id(),
                                            w.toJson()))
                                .map(w)))
        .map(w -> Reply.ok(w.toJson()));
  }

  // ---- deliveries ----

  private Future<Reply> deliveries(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    String id = ctx.pathParam("id");
    String status = Requests.queryEnum(ctx, "status", DELIVERY_STATUSES);
    return deps.pool()
        .preparedQuery(WatcherSql.BY_ID)
        .execute(Tuple.of(id, actor.orgId()))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("watcher"));
              Watcher w = Watcher.fromRow(rows.iterator().next());
              if (actor instanceof Actor.Agent a && !a.id().equals(w.agentId())) {
                return Future.failedFuture(
                    ApiException.forbidden("only the owning agent and org humans see deliveries"));
              }
              String scope = "deliveries:" + w.id() + ":" + (status == null ? "" : status);
              Paging page = Paging.of(ctx, scope, 50);
              return deps.pool()
                  .preparedQuery(WatcherSql.DELIVERIES)
                  .execute(Tuple.of(w.id(), status, page.after(), page.fetch()))
                  .compose(
                      deliveries ->
                          attempts(deliveries)
                              .map(
                                  attempts ->
                                      page.reply(
                                          deliveries,
                                          scope,
                                          r -> deliveryJson(r, attempts),
                                          "id")));
            });
  }

  private Future<Map<String, JsonArray>> attempts(RowSet<Row> deliveries) {
    List<String> ids = new ArrayList<>();
    for (Row r : deliveries) ids.add(r.getString("id"));
    if (ids.isEmpty()) return Future.succeededFuture(Map.of());
    return deps.pool()
        .preparedQuery(WatcherSql.ATTEMPTS)
        .execute(Tuple.of(ids.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, JsonArray> out = new HashMap<>();
              for (Row r : rows) {
                out.computeIfAbsent(r.getString("delivery_id"), k -> new JsonArray())
                    .add(
                        new JsonObject()
                            .put("attempt", r.getInteger("attempt"))
                            .put("status_code", r.getInteger("status_code"))
                            .put("error", r.getString("error"))
                            .put("duration_ms", r.getInteger("duration_ms"))
                            .put("attempted_at", Time.iso(r.getOffsetDateTime("attempted_at")))
                            .put("next_retry_at", Time.iso(r.getOffsetDateTime("next_retry_at"))));
              }
              return out;
            });
  }

  private static JsonObject deliveryJson(Row r, Map<String, JsonArray> attempts) {
    String id = r.getString("id");
    return new JsonObject()
        .put("id", id)
        .put("watcher_id", r.getString("watcher_id"))
        .put("event_id", r.getLong("event_id"))
        .put("event_type", r.getString("event_type"))
        .put("status", r.getString("status"))
        .put("attempt_count", r.getInteger("attempts"))
        .put(
            "next_attempt_at",
            "pending".equals(r.getString("status"))
                ? Time.iso(r.getOffsetDateTime("next_attempt_at"))
                : null)
        .put("last_status_code", r.getInteger("last_status_code"))
        .put("last_error", r.getString("last_error"))
        .put("created_at", Time.iso(r.getOffsetDateTime("created_at")))
        .put("updated_at", Time.iso(r.getOffsetDateTime("updated_at")))
        .put("attempts", attempts.getOrDefault(id, new JsonArray()));
  }
}
