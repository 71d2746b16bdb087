package io.waitroom.events;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** A {@code text/event-stream} response: {@code id:}, {@code event:}, {@code data:} per event. */
final class SseSubscriber extends Subscriber {
  private static final Buffer PING = Buffer.buffer(": ping\n\n");
  private static final Buffer SHUTDOWN = Buffer.buffer(": shutdown\n\n");

  private final RoutingContext ctx;
  private final HttpServerResponse response;

  SseSubscriber(RoutingContext ctx, StreamScope scope, Set<String> types, int queueBytes) {
    super(scope, types, false);
    this.ctx = ctx;
    this.response = ctx.response();
    response.setWriteQueueMaxSize(queueBytes);
  }

  /** Sends the head and a first comment, so the client knows at once the stream is open. */
  void open() {
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache, no-transform")
        // Never gzip a stream (a compressor may hold events back) and ask proxies not to buffer.
        .putHeader("Content-Encoding", "identity")
        .putHeader("X-Accel-Buffering", "no");
    response.write(": connected\n\n");
  }

  @Override
  boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  void onDrain(Runnable r) {
    response.drainHandler(v -> r.run());
  }

  @Override
  void write(RoomEvent e) {
    response.write(Frames.sse(e));
  }

  @Override
  void ping() {
    if (!closed) response.write(PING.copy());
  }

  @Override
  void cutOff() {
    if (closed) return;
    closed = true;
    if (ctx.request().version() == HttpVersion.HTTP_2) {
      // One stream of a shared connection: reset the stream only.
      response.reset();
      return;
    }
    // A plain close() would wait for the queue to flush, which a client that does not read never
    // lets happen; reset the connection, dropping the queue.
    Abort.connection(ctx.request().connection());
  }

  @Override
  void shutdown() {
    if (closed) return;
    closed = true;
    response.end(SHUTDOWN.copy());
  }
}
