package io.waitroom.events;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.Set;

/** A WebSocket: one text frame per event envelope, ping frames as keep-alive. */
final class WsSubscriber extends Subscriber {
  /** 1013 Try Again Later: the client was too slow; it should reconnect with its last id. */
  static final short SLOW_CONSUMER = 1013;

  /** 1001 Going Away: the node is shutting down. */
  static final short GOING_AWAY = 1001;

  private final ServerWebSocket ws;

  WsSubscriber(ServerWebSocket ws, String roomId, Set<String> types, int queueBytes) {
    super(roomId, types, true);
    this.ws = ws;
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
    ws.writeTextMessage(e.envelope().encode());
  }

  @Override
  void ping() {
    if (!closed) ws.writePing(Buffer.buffer("ping"));
  }

  @Override
  void cutOff() {
    if (closed) return;
    closed = true;
    // The close frame queues behind what the client does not read; the server's WebSocket
    // closing timeout then drops the TCP connection.
    ws.close(SLOW_CONSUMER, "slow consumer: reconnect with last_event_id");
  }

  @Override
  void shutdown() {
    if (closed) return;
    closed = true;
    ws.close(GOING_AWAY, "server shutting down");
  }
}
