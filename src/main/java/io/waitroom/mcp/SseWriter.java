package io.waitroom.mcp;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.waitroom.Deps;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code text/event-stream} response carrying MCP messages ({@code event: message}), with a
 * {@code : ping} comment every ping interval so idle timeouts and proxies keep it open. Safe to
 * call from any thread: writes run on the response's own event loop. A client that stops reading
 * until the bounded write queue is full is cut off (it reconnects or re-initialises).
 */
final class SseWriter {
  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse response;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long pingTimer;
  private volatile Runnable onClose = () -> {};

  SseWriter(Vertx vertx, HttpServerResponse response, long pingMs, int queueBytes) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.response = response;
    response
        .setChunked(true)
        .setWriteQueueMaxSize(queueBytes)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        // Compression would hold events back in the compressor; nginx must not buffer either.
        .putHeader("Content-Encoding", "identity")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> closed());
    response.exceptionHandler(e -> closed());
    pingTimer = vertx.setPeriodic(pingMs, id -> write(": ping\n\n"));
  }

  /** A stream with the node's keep-alive interval and write-queue bound. */
  static SseWriter of(Deps deps, HttpServerResponse response) {
    return new SseWriter(
        deps.vertx(), response, deps.config().streamPingMs(), deps.config().streamQueueBytes());
  }

  /** Sends the headers now, so the client sees the stream open before the first event. */
  SseWriter open() {
    onContext(
        () -> {
          if (!response.headWritten()) response.writeHead();
        });
    return this;
  }

  void onClose(Runnable r) {
    onClose = r;
    if (closed.get()) r.run();
  }

  boolean isOpen() {
    return !closed.get();
  }

  void send(JsonObject message) {
    event("message", message.encode());
  }

  void event(String name, String data) {
    write("event: " + name + "\ndata: " + data + "\n\n");
  }

  /** An event with an id (none when {@code id} is null), for a client to resume after. */
  void event(String id, String name, String data) {
    write((id == null ? "" : "id: " + id + "\n") + "event: " + name + "\ndata: " + data + "\n\n");
  }

  /**
   * The priming event of a resumable stream: an id and empty data, so the client holds a {@code
   * Last-Event-ID} before any message, and {@code retry}, how long to wait before reconnecting.
   */
  void prime(String id, long retryMs) {
    write("id: " + id + "\nretry: " + retryMs + "\ndata: \n\n");
  }

  /** Ends the stream normally (a Streamable HTTP response after its last message). */
  void end() {
    onContext(
        () -> {
          if (closed.get()) return;
          vertx.cancelTimer(pingTimer);
          if (!response.ended()) response.end();
          closed();
        });
  }

  private void write(String text) {
    onContext(
        () -> {
          if (closed.get() || response.ended()) return;
          if (response.writeQueueFull()) {
            response.reset(); // a slow consumer: bounded memory beats a stalled stream
            closed();
            return;
          }
          response.write(text);
        });
  }

  private void onContext(Runnable r) {
    if (Vertx.currentContext() == context) r.run();
    else context.runOnContext(v -> r.run());
  }

  private void closed() {
    if (!closed.compareAndSet(false, true)) return;
    vertx.cancelTimer(pingTimer);
    onClose.run();
  }
}
