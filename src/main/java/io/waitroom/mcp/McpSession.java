package io.waitroom.mcp;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One MCP session on this node: whose it is, which protocol revision it speaks, its requests in
 * flight (so {@code notifications/cancelled} can stop them), the resumable streams of its tool
 * calls over Streamable HTTP, and, for the HTTP+SSE transport or a Streamable HTTP {@code GET}, the
 * stream that carries server messages. Touched from several event loops (a client's connections
 * land on different HTTP verticles), hence the concurrent fields.
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

  /** How long a finished tool call's stream can still be resumed, and how many are kept. */
  static final long KEEP_FINISHED_MS = TimeUnit.MINUTES.toMillis(5);

  static final int MAX_FINISHED = 32;

  final String id;
  final String agentId;
  final Transport transport;
  final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  volatile String protocolVersion = McpProtocol.LATEST;
  volatile long lastSeenNanos = System.nanoTime();
  volatile SseWriter stream;
  private final Map<String, ResumableStream> streams = new ConcurrentHashMap<>();
  private final AtomicInteger streamCount = new AtomicInteger();

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

  /** A new resumable stream for a tool call answered over SSE. */
  ResumableStream openStream() {
    evictStreams();
    ResumableStream r = new ResumableStream("s" + streamCount.incrementAndGet());
    streams.put(r.id, r);
    return r;
  }

  /** The stream a {@code Last-Event-ID} names in this session, or {@code null}. */
  ResumableStream stream(String name) {
    return name == null ? null : streams.get(name);
  }

  /**
   * Forgets finished streams once a reconnect is unlikely: after {@link #KEEP_FINISHED_MS}, and
   * beyond the newest {@link #MAX_FINISHED}. Streams of running calls stay.
   */
  void evictStreams() {
    long horizon = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(KEEP_FINISHED_MS);
    streams.values().removeIf(r -> r.finishedBefore(horizon));
    List<ResumableStream> finished =
        streams.values().stream().filter(ResumableStream::finished).toList();
    if (finished.size() > MAX_FINISHED) {
      finished.stream()
          .sorted(Comparator.comparingInt(r -> Integer.parseInt(r.id.substring(1))))
          .limit(finished.size() - MAX_FINISHED)
          .forEach(r -> streams.remove(r.id, r));
    }
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
