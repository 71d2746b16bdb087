package io.waitroom.events;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Abortive close for a stream whose client stopped reading. Vert.x's {@code close()} first flushes
 * what is queued and closes only once that write completes, which for a client that reads nothing
 * is never: the socket, its queue and the kernel's send buffer stayed held for good. This resets
 * the TCP connection at once instead (the client resumes with its last event id).
 */
final class Abort {
  private Abort() {}

  /** The connection of an SSE response, or the one a WebSocket was upgraded from. */
  static void connection(HttpConnection conn) {
    if (!(conn instanceof ConnectionBase c)) {
      conn.close();
      return;
    }
    Channel ch = c.channel();
    if (!ch.isOpen()) return;
    // Linger 0: an RST, so the kernel drops the unsent backlog instead of retrying it.
    ch.config().setOption(ChannelOption.SO_LINGER, 0);
    // From the first handler's context the close goes straight to the socket, past Vert.x's
    // handler whose close() waits for the flush (Vert.x's idle timeout closes the same way).
    ChannelHandlerContext first = ch.pipeline().firstContext();
    if (first != null) first.close();
    else ch.close();
  }
}
