package io.waitroom.events;

import java.util.Set;

/**
 * One open stream (SSE or WebSocket) of one room or one org ({@link StreamScope}). Lives on the
 * event loop of the HTTP verticle that accepted it, like the feed that fans out to it, so none of
 * its state needs locking.
 *
 * <p>The id rule: a subscriber never writes an event whose id is not above {@link #lastSeen}. The
 * feed, the resume replay and the safety re-reads may all offer the same event; only the first
 * offer gets through, which is what makes the replay-to-live seam duplicate-free.
 */
abstract class Subscriber {
  final StreamScope scope;
  final Set<String> types;
  final boolean webSocket;

  /** The highest event id written or filtered out; nothing at or below it is written again. */
  long lastSeen;

  /** False while the resume replay runs: the feed's offers are only noted, not written. */
  boolean live;

  /** The highest id the feed offered during the replay (the replay continues up to it). */
  long offeredDuringReplay;

  boolean closed;

  Subscriber(StreamScope scope, Set<String> types, boolean webSocket) {
    this.scope = scope;
    this.types = types;
    this.webSocket = webSocket;
  }

  /** An event from the live feed. Returns false when the subscriber had to be cut off. */
  final boolean offer(RoomEvent e) {
    if (closed) return false;
    if (!live) {
      offeredDuringReplay = Math.max(offeredDuringReplay, e.id());
      return true;
    }
    if (e.id() <= lastSeen) return true;
    if (wants(e) && writeQueueFull()) return false;
    return deliver(e);
  }

  /**
   * Writes the event if it is new and passes the type filter; always advances {@link #lastSeen}.
   */
  final boolean deliver(RoomEvent e) {
    if (closed) return false;
    if (e.id() <= lastSeen) return true;
    lastSeen = e.id();
    if (wants(e)) write(e);
    return true;
  }

  /** Passes the type filter and the scope's room filter. */
  private boolean wants(RoomEvent e) {
    return EventTypes.matches(types, e.type()) && scope.shows(e);
  }

  /** Past the bounded write queue: the client is not reading fast enough. */
  abstract boolean writeQueueFull();

  /** Called once the write queue has room again (used to pace the replay). */
  abstract void onDrain(Runnable r);

  abstract void write(RoomEvent e);

  /** A keep-alive: an SSE comment or a WebSocket ping frame. */
  abstract void ping();

  /** Drops the connection at once (slow consumer, failed replay); the client resumes. */
  abstract void cutOff();

  /** Server shutdown: a final word, then close, so the client reconnects to another node. */
  abstract void shutdown();
}
