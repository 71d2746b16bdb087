package io.waitroom.mcp;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One tool call's SSE stream over Streamable HTTP, resumable (MCP 2025-11-25, SEP-1699): every
 * message it carries is kept with its event id ({@code <stream>-<n>}; the priming event is {@code
 * <stream>-0}), so a client whose connection dropped reconnects with {@code GET /mcp} and {@code
 * Last-Event-ID} and gets what it missed, the response included, on its new connection. The call
 * runs on whatever happens to the connection: only {@code notifications/cancelled} stops it.
 * Touched from the call's event loop and the reconnecting request's, hence synchronized.
 */
final class ResumableStream {
  /** Messages kept per stream: progress every 5 s for 600 s and the response fit many times. */
  static final int MAX_KEPT = 500;

  final String id;
  private final List<String> sent = new ArrayList<>();
  private SseWriter writer;
  private boolean done;
  private volatile long finishedAtNanos;

  ResumableStream(String id) {
    this.id = id;
  }

  String primingId() {
    return id + "-0";
  }

  /** Starts writing to {@code w}, after replaying what followed event {@code after}. */
  synchronized void attach(SseWriter w, int after) {
    if (writer != null && writer != w) writer.end();
    for (int i = Math.max(0, after); i < sent.size(); i++) {
      w.event(eventId(i + 1), "message", sent.get(i));
    }
    if (done) {
      w.end();
      writer = null;
      return;
    }
    writer = w;
    w.onClose(() -> detach(w));
  }

  /** A message of the call (progress, then the response): kept, and written if connected. */
  synchronized void send(JsonObject message) {
    if (done) return;
    String encoded = message.encode();
    boolean response = !message.containsKey("method");
    if (sent.size() >= MAX_KEPT && !response) {
      if (writer != null) writer.event(null, "message", encoded); // live only, not replayable
      return;
    }
    sent.add(encoded);
    if (writer != null) writer.event(eventId(sent.size()), "message", encoded);
  }

  /** The call is over: the stream ends (a later reconnect replays and ends at once). */
  synchronized void finish() {
    if (done) return;
    done = true;
    finishedAtNanos = System.nanoTime();
    if (writer != null) writer.end();
    writer = null;
  }

  /** Finished before {@code nanos} (for eviction); an open call is never evicted. */
  boolean finishedBefore(long nanos) {
    long at = finishedAtNanos;
    return at != 0 && at < nanos;
  }

  boolean finished() {
    return finishedAtNanos != 0;
  }

  private synchronized void detach(SseWriter w) {
    if (writer == w) writer = null;
  }

  private String eventId(int n) {
    return id + "-" + n;
  }

  /**
   * The position an event id names: its stream's name and the number of the last event seen, or
   * {@code null} for an id this server did not make.
   */
  record Position(String stream, int after) {
    static Position parse(String lastEventId) {
      if (lastEventId == null) return null;
      int dash = lastEventId.lastIndexOf('-');
      if (dash <= 0) return null;
      try {
        int n = Integer.parseInt(lastEventId.substring(dash + 1).trim());
        return n < 0 ? null : new Position(lastEventId.substring(0, dash).trim(), n);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
