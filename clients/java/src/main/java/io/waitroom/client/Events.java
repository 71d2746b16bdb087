package io.waitroom.client;

import java.time.Duration;
import java.util.List;

/** Live room events (Server-Sent Events) with resume. */
public final class Events extends Resource {
  Events(Transport t) {
    super(t);
  }

  /**
   * Options of a subscription: event {@code types} (aliases allowed; empty: all), the {@code
   * lastEventId} to resume after (null: start live; "0": everything retained), how long a silent
   * connection is trusted ({@code idleTimeout}, default 45 s; the server pings every 15 s) and the
   * first reconnect delay (default 1 s, doubling up to 30 s).
   */
  public record SubscribeOptions(
      List<String> types, String lastEventId, Duration idleTimeout, Duration reconnectDelay) {
    public static SubscribeOptions live() {
      return new SubscribeOptions(List.of(), null, null, null);
    }

    public static SubscribeOptions types(String... types) {
      return new SubscribeOptions(List.of(types), null, null, null);
    }

    public SubscribeOptions lastEventId(String id) {
      return new SubscribeOptions(types, id, idleTimeout, reconnectDelay);
    }

    public SubscribeOptions idleTimeout(Duration d) {
      return new SubscribeOptions(types, lastEventId, d, reconnectDelay);
    }

    public SubscribeOptions reconnectDelay(Duration d) {
      return new SubscribeOptions(types, lastEventId, idleTimeout, d);
    }
  }

  /** Opens the stream; read it with {@link EventSubscription#next(Duration)} or a for-each loop. */
  public EventSubscription subscribe(String room, SubscribeOptions options) {
    return new EventSubscription(t, room, options == null ? SubscribeOptions.live() : options);
  }
}
