package io.waitroom.events;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import java.util.Set;

/** A WebSocket: one text frame per event envelope, ping frames as keep-alive. */
final class WsSubscriber extends Subscriber {
  /** 1013 Try Again Later: the client was too slow; it should reconnect with its last id. */
  static final short SLOW_CONSUMER = 1013;

  /** 1001 Going Away: the node is shutting down. */
  static final short GOING_AWAY = 1001;

  /** How long a cut-off client gets to read up to the close frame before the socket is reset. */
  static final long CUT_OFF_GRACE_MS = 2_000;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final HttpConnection connection;

  /** {@code connection}: the one the socket was upgraded from (reset if the client stalls). */
  WsSubscriber(
      Vertx vertx,
      ServerWebSocket ws,
      HttpConnection connection,
      StreamScope scope,
      Set<String> types,
      int queueBytes) {
    super(scope, types, true);
    this.vertx = vertx;
    this.ws = ws;
    this.connection = connection;
    ws.setWriteQueueMaxSize(queueBytes);
  }

  @Override
  boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  void onDrain(Runnable r) {
    ws.drainHandler(v -> r.run());
  }

  @Override
  void write(RoomEvent e) {
    ws.writeTextMessage(Frames.json(e));
  }

  @Override
  void ping() {
    if (!closed) ws.writePing(Buffer.buffer("ping"));
  }

  @Override
  void cutOff() {
    if (closed) return;
    closed = true;
    // The close frame queues behind what the client does not read, and Vert.x closes the socket
    // only once that is flushed, which a client that reads nothing never lets happen. A client
    // that is merely slow gets the 1013 within the grace period; otherwise the socket is reset.
    ws.close(SLOW_CONSUMER, "slow consumer: reconnect with last_event_id");
    vertx.setTimer(CUT_OFF_GRACE_MS, t -> Abort.connection(connection));
  }

  @Override
  void shutdown() {
    if (closed) return;
    closed = true;
    ws.close(GOING_AWAY, "server shutting down");
  }
}
