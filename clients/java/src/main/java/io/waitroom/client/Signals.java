package io.waitroom.client;

import io.waitroom.client.Model.Signal;
import io.waitroom.client.Transport.Call;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Signals broadcast into a room (humans and agents). */
public final class Signals extends Resource {
  Signals(Transport t) {
    super(t);
  }

  public CompletableFuture<Signal> broadcastAsync(
      String room, String type, Map<String, ?> payload) {
    return one(
        Call.of(
                "POST",
                "/v1/rooms/" + seg(room) + "/signal",
                body("type", type, "payload", payload))
            .idempotently(),
        null,
        Signal.class);
  }

  public Signal broadcast(String room, String type, Map<String, ?> payload) {
    return join(broadcastAsync(room, type, payload));
  }
}
