package io.waitroom.signals;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.db.Tx;
import io.waitroom.events.EventLog;
import io.waitroom.events.EventTypes;
import io.waitroom.http.Idempotent;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Ids;
import io.waitroom.validation.Fields;

/**
 * {@code POST /v1/rooms/:room/signal} (Any): stores the signal, emits {@code signal.broadcast} and
 * an audit row in one transaction; honours {@code Idempotency-Key}.
 */
public final class SignalRoutes {
  private final Deps deps;

  private SignalRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    SignalRoutes r = new SignalRoutes(deps);
    Routes.on(router).post("/v1/rooms/:room/signal", r::broadcast);
  }

  private Future<Reply> broadcast(RoutingContext ctx) {
    Actor actor = AuthHandler.actor(ctx);
    JsonObject body = Requests.body(ctx);
    String type = Fields.requiredString(body, "type", 1, 200);
    JsonObject payload = Fields.optionalObject(body, "payload", new JsonObject());
    // With an Idempotency-Key the answer is stored after the signal, in the same transaction.
    boolean last = Idempotent.key(ctx) == null;
    return RoomRepository.visible(deps.pool(), actor, ctx.pathParam("room"))
        .compose(
            room ->
                Idempotent.run(
                    ctx,
                    deps.vertx(),
                    deps.pool(),
                    actor,
                    tx -> insert(tx, actor, room, type, payload, last)));
  }

  /**
   * The signal, then its audit row and event sent together; {@code last}: nothing follows in the
   * transaction, so its COMMIT goes right behind them.
   */
  private static Future<Reply> insert(
      Tx tx, Actor actor, Room room, String type, JsonObject payload, boolean last) {
    return tx.conn()
        .preparedQuery(SignalSql.INSERT)
        .execute(
            Tuple.from(
                new Object[] {
                  Ids.next(Ids.SIGNAL),
                  actor.orgId(),
                  room.id(),
                  type,
                  payload,
                  actor.id(),
                  actor.type()
                }))
        .map(rows -> Signal.fromRow(rows.iterator().next()))
        .compose(
            sig -> {
              Future<Void> audited =
                  tx.audit(actor, room.id(), "signal.broadcast", "signal", sig.id(), sig.toJson());
              Future<?> appended =
                  EventLog.append(
                      tx, actor.orgId(), room.id(), EventTypes.SIGNAL_BROADCAST, sig.eventData());
              if (last) tx.commitNow();
              return Future.all(audited, appended).map(v -> Reply.created(sig.toJson()));
            });
  }
}
