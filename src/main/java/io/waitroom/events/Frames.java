package io.waitroom.events;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * An event's wire forms, encoded once per fan-out instead of once per stream. A feed hands the same
 * {@link RoomEvent} to every subscriber of its event loop one after another, so remembering the
 * last event encoded on this thread (by identity) turns N encodings of the envelope into one: at
 * 10,000 streams the fan-out was mostly JSON encoding.
 */
final class Frames {
  private Frames() {}

  private static final class Last {
    RoomEvent event;
    String json;
    byte[] sse;
  }

  private static final ThreadLocal<Last> LAST = ThreadLocal.withInitial(Last::new);

  private static Last of(RoomEvent e) {
    Last last = LAST.get();
    if (last.event != e) {
      last.event = e;
      last.json = e.envelope().encode();
      last.sse = null;
    }
    return last;
  }

  /** The envelope as JSON text (a WebSocket text message). */
  static String json(RoomEvent e) {
    return of(e).json;
  }

  /** The {@code id:}/{@code event:}/{@code data:} frame; a fresh buffer each call, same bytes. */
  static Buffer sse(RoomEvent e) {
    Last last = of(e);
    if (last.sse == null) {
      String frame = "id: " + e.id() + "\nevent: " + e.type() + "\ndata: " + last.json + "\n\n";
      last.sse = frame.getBytes(StandardCharsets.UTF_8);
    }
    return Buffer.buffer(last.sse);
  }
}
