package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Http;
import io.waitroom.rooms.RoomRepository;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/rooms/:room/events} (SSE) and {@code GET /v1/rooms/:room/ws} (WebSocket), both
 * Any, and {@code GET /v1/events} (SSE of every room the caller can see). Everything that can be
 * refused (types, resume id, room, scope) is checked before the stream opens, so a bad request gets
 * the usual JSON error instead of an empty stream.
 */
public final class EventRoutes {
  private static final Logger log = LoggerFactory.getLogger(EventRoutes.class);
  static final String LAST_EVENT_ID = "last_event_id";

  private final Deps deps;
  private final RoomStreams streams;

  private EventRoutes(Deps deps, RoomStreams streams) {
    this.deps = deps;
    this.streams = streams;
  }

  /**
   * Mounted first, before any asynchronous handler: holds a WebSocket upgrade request's end until
   * the upgrade, which Vert.x refuses once the request has been fully read (auth and the room
   * lookup run in between).
   */
  public static void mountUpgradeHold(Router router) {
    router
        .get("/v1/rooms/:room/ws")
        .handler(
            ctx -> {
              if (ctx.request().canUpgradeToWebSocket()) ctx.request().pause();
              ctx.next();
            });
  }

  /**
   * Mounts both routes on the streams of this verticle instance. Unlike other features this needs
   * the per-verticle {@link RoomStreams}, which the verticle also closes on shutdown.
   */
  public static void mount(Router router, Deps deps, RoomStreams streams) {
    EventRoutes r = new EventRoutes(deps, streams);
    router.get("/v1/events").handler(r::orgSse);
    router.get("/v1/rooms/:room/events").handler(r::sse);
    router.get("/v1/rooms/:room/ws").handler(r::webSocket);
  }

  /** What a stream request asked for, once checked against the room (or org). */
  private record Open(StreamScope scope, Set<String> types, Long resumeAfter, long roomMax) {}

  private Future<Open> prepare(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    Set<String> types = EventTypes.parseQuery(ctx.request().getParam("types"), "types");
    Long resumeAfter = lastEventId(ctx);
    return RoomRepository.visible(deps.pool(), actor, ctx.pathParam("room"))
        .compose(
            room ->
                EventLog.positions(deps.pool(), room.id())
                    .map(pos -> open(StreamScope.room(room.id()), types, resumeAfter, pos)));
  }

  /**
   * The org stream: every room of the caller's org (a human, or an agent without scopes, also sees
   * rooms created after it opened), or an agent's scoped rooms only.
   */
  private Future<Open> prepareOrg(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    Set<String> types = EventTypes.parseQuery(ctx.request().getParam("types"), "types");
    Long resumeAfter = lastEventId(ctx);
    Set<String> rooms =
        actor instanceof Actor.Agent a && !a.roomScopes().isEmpty()
            ? Set.copyOf(a.roomScopes())
            : null;
    StreamScope scope = StreamScope.org(actor.orgId(), rooms);
    return EventLog.orgPositions(deps.pool(), actor.orgId())
        .map(pos -> open(scope, types, resumeAfter, pos));
  }

  private static Open open(
      StreamScope scope, Set<String> types, Long resumeAfter, EventLog.Positions pos) {
    if (resumeAfter != null && resumeAfter > pos.newest()) {
      throw ApiException.validation(
          LAST_EVENT_ID,
          "is ahead of the newest event id ("
              + pos.newest()
              + "); resume from an id this server sent");
    }
    return new Open(scope, types, resumeAfter, pos.roomMax());
  }

  /**
   * The resume point: the {@code Last-Event-ID} header (what EventSource sends on reconnect) wins
   * over {@code ?last_event_id=} (what the first URL may carry). Null when neither is present.
   */
  static Long lastEventId(RoutingContext ctx) {
    String v = ctx.request().getHeader("Last-Event-ID");
    if (v == null) v = ctx.request().getParam(LAST_EVENT_ID);
    if (v == null) return null;
    String s = v.trim();
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ApiException.validation(LAST_EVENT_ID, "must be a non-negative integer event id");
    }
    return Long.parseLong(s);
  }

  private void sse(RoutingContext ctx) {
    sse(ctx, () -> prepare(ctx));
  }

  private void orgSse(RoutingContext ctx) {
    sse(ctx, () -> prepareOrg(ctx));
  }

  private void sse(RoutingContext ctx, java.util.function.Supplier<Future<Open>> prepare) {
    Future<Open> open;
    try {
      open = prepare.get();
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    open.onComplete(
        ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          Open o = ar.result();
          if (ctx.response().closed()) return;
          SseSubscriber s =
              new SseSubscriber(ctx, o.scope(), o.types(), deps.config().streamQueueBytes());
          ctx.response().closeHandler(v -> streams.unsubscribe(s));
          ctx.response().exceptionHandler(e -> streams.unsubscribe(s));
          s.open();
          streams.subscribe(s, o.roomMax(), o.resumeAfter());
          log.debug(
              "request_id={} sse opened {} resume_after={}",
              Http.requestId(ctx),
              o.scope(),
              o.resumeAfter());
        });
  }

  private void webSocket(RoutingContext ctx) {
    Future<Open> open;
    try {
      if (!ctx.request().canUpgradeToWebSocket()) {
        throw new ApiException(
            400, "VALIDATION_ERROR", "this route needs a WebSocket upgrade request", null);
      }
      open = prepare(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    HttpConnection connection = ctx.request().connection();
    open.compose(o -> ctx.request().toWebSocket().map(ws -> accept(ws, connection, o)))
        .onFailure(
            e -> {
              if (!ctx.response().headWritten()) ctx.fail(e);
              else
                log.warn(
                    "request_id={} ws upgrade failed: {}", Http.requestId(ctx), e.getMessage());
            });
  }

  private ServerWebSocket accept(ServerWebSocket ws, HttpConnection connection, Open o) {
    WsSubscriber s =
        new WsSubscriber(
            deps.vertx(), ws, connection, o.scope(), o.types(), deps.config().streamQueueBytes());
    ws.closeHandler(v -> streams.unsubscribe(s));
    ws.exceptionHandler(e -> streams.unsubscribe(s));
    // Clients have nothing to say on this socket; incoming frames are read and dropped.
    ws.handler(b -> {});
    streams.subscribe(s, o.roomMax(), o.resumeAfter());
    return ws;
  }
}
