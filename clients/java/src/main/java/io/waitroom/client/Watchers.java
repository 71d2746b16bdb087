package io.waitroom.client;

import io.waitroom.client.Inputs.WatcherInput;
import io.waitroom.client.Model.Delivery;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Model.Watcher;
import io.waitroom.client.Transport.Call;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Watchers: room events delivered to webhooks (signed; see {@link WebhookVerifier}). */
public final class Watchers extends Resource {
  Watchers(Transport t) {
    super(t);
  }

  /** Watches a room (Agent); the answer's {@code secret} is shown only here. */
  public CompletableFuture<Watcher> createAsync(String room, WatcherInput input) {
    return one(
        Call.of("POST", "/v1/rooms/" + seg(room) + "/watch", input == null ? Map.of() : input),
        null,
        Watcher.class);
  }

  public Watcher create(String room, WatcherInput input) {
    return join(createAsync(room, input));
  }

  /** A room's watchers (Human). */
  public CompletableFuture<Page<Watcher>> listAsync(String room, Map<String, ?> query) {
    return page("/v1/rooms/" + seg(room) + "/watchers", query, Watcher.class);
  }

  public Page<Watcher> list(String room, Map<String, ?> query) {
    return join(listAsync(room, query));
  }

  /** Removes your own watcher (Agent). */
  public CompletableFuture<Watcher> removeAsync(String id) {
    return one(Call.of("DELETE", "/v1/watchers/" + seg(id), null), null, Watcher.class);
  }

  public Watcher remove(String id) {
    return join(removeAsync(id));
  }

  /** Removes any watcher of a room (Human). */
  public CompletableFuture<Watcher> removeFromRoomAsync(String room, String id) {
    return one(
        Call.of("DELETE", "/v1/rooms/" + seg(room) + "/watchers/" + seg(id), null),
        null,
        Watcher.class);
  }

  public Watcher removeFromRoom(String room, String id) {
    return join(removeFromRoomAsync(room, id));
  }

  /** Every delivery attempt; query: {@code status}, {@code limit}, {@code cursor}. */
  public CompletableFuture<Page<Delivery>> deliveriesAsync(String id, Map<String, ?> query) {
    return page("/v1/watchers/" + seg(id) + "/deliveries", query, Delivery.class);
  }

  public Page<Delivery> deliveries(String id, Map<String, ?> query) {
    return join(deliveriesAsync(id, query));
  }
}
