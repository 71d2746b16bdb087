package io.waitroom.mcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One MCP session on this node: whose it is, which protocol revision it speaks, its requests in
 * flight (so {@code notifications/cancelled} can stop them) and, for the HTTP+SSE transport or a
 * Streamable HTTP {@code GET}, the stream that carries server messages. Touched from several event
 * loops (a client's connections land on different HTTP verticles), hence the concurrent fields.
 */
final class McpSession {
  /** The transports, as the sessions gauge tags them. */
  enum Transport {
    STREAMABLE_HTTP("streamable_http"),
    SSE("sse");

    final String tag;

    Transport(String tag) {
      this.tag = tag;
    }
  }

  final String id;
  final String agentId;
  final Transport transport;
  final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  volatile String protocolVersion = McpProtocol.LATEST;
  volatile long lastSeenNanos = System.nanoTime();
  volatile SseWriter stream;

  McpSession(String id, String agentId, Transport transport) {
    this.id = id;
    this.agentId = agentId;
    this.transport = transport;
  }

  void touch() {
    lastSeenNanos = System.nanoTime();
  }

  /** Nothing running and no stream open: safe to expire or evict. */
  boolean idle() {
    SseWriter s = stream;
    return inFlight.isEmpty() && (s == null || !s.isOpen());
  }

  boolean closed() {
    return closed.get();
  }

  /** Stops everything the session runs; {@code false} if it was already closed. */
  boolean close() {
    if (!closed.compareAndSet(false, true)) return false;
    for (InFlight f : inFlight.values()) f.cancel();
    inFlight.clear();
    SseWriter s = stream;
    if (s != null) s.end();
    return true;
  }

  /** One request being answered; cancelling it runs the hook its tool registered (a wait). */
  static final class InFlight {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Runnable onCancel = () -> {};

    boolean cancelled() {
      return cancelled.get();
    }

    void onCancel(Runnable r) {
      onCancel = r;
      if (cancelled.get()) r.run();
    }

    void cancel() {
      if (cancelled.compareAndSet(false, true)) onCancel.run();
    }
  }
}
