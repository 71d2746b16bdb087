package io.waitroom.client;

import io.waitroom.client.Inputs.GrantInput;
import io.waitroom.client.Model.Grant;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Transport.Call;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Standing grants of a room (Human): matching check-ins are approved by {@code system:grant}
 * without asking, until the grant expires, runs out of uses or is revoked.
 */
public final class Grants extends Resource {
  Grants(Transport t) {
    super(t);
  }

  public CompletableFuture<Grant> createAsync(String room, GrantInput input) {
    return one(Call.of("POST", "/v1/rooms/" + seg(room) + "/grants", input), null, Grant.class);
  }

  public Grant create(String room, GrantInput input) {
    return join(createAsync(room, input));
  }

  /** Every grant of the room, revoked ones too, with {@code uses} and {@code remainingUses}. */
  public CompletableFuture<Page<Grant>> listAsync(String room, Map<String, ?> query) {
    return page("/v1/rooms/" + seg(room) + "/grants", query, Grant.class);
  }

  public Page<Grant> list(String room, Map<String, ?> query) {
    return join(listAsync(room, query));
  }

  public Page<Grant> list(String room) {
    return list(room, Map.of());
  }

  /** Revokes a grant; one already revoked fails with {@code CONFLICT} (409). */
  public CompletableFuture<Grant> revokeAsync(String room, String id) {
    return one(
        Call.of("DELETE", "/v1/rooms/" + seg(room) + "/grants/" + seg(id), null),
        null,
        Grant.class);
  }

  public Grant revoke(String room, String id) {
    return join(revokeAsync(room, id));
  }
}
