package io.waitroom.client;

import io.waitroom.client.Inputs.CheckInInput;
import io.waitroom.client.Inputs.MessageInput;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.Model.Message;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Transport.Call;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Human-to-agent tasks: humans create them; agents claim, ask for help, join and submit. Getting,
 * deciding and the thread are inherited from {@link CheckInOps}.
 */
public final class Tasks extends CheckInOps {
  Tasks(Transport t) {
    super(t);
  }

  /** Creates a task (Human); the input's timeout fields are ignored by the server. */
  public CompletableFuture<CheckIn> createAsync(String room, CheckInInput input) {
    return one(
        Call.of("POST", "/v1/rooms/" + seg(room) + "/tasks", input).idempotently(),
        null,
        CheckIn.class);
  }

  public CheckIn create(String room, CheckInInput input) {
    return join(createAsync(room, input));
  }

  /** Query: {@code claimed}, {@code status}, {@code limit}, {@code cursor}. */
  public CompletableFuture<Page<CheckIn>> listAsync(String room, Map<String, ?> query) {
    return page("/v1/rooms/" + seg(room) + "/tasks", query, CheckIn.class);
  }

  public Page<CheckIn> list(String room, Map<String, ?> query) {
    return join(listAsync(room, query));
  }

  /** The caller's tasks as primary, decided ones included. */
  public CompletableFuture<Page<CheckIn>> claimedAsync(Map<String, ?> query) {
    return page("/v1/check-ins/claimed", query, CheckIn.class);
  }

  public Page<CheckIn> claimed(Map<String, ?> query) {
    return join(claimedAsync(query));
  }

  private CompletableFuture<CheckIn> step(String id, String step, Object body) {
    return one(Call.of("POST", "/v1/check-ins/" + seg(id) + "/" + step, body), null, CheckIn.class);
  }

  public CompletableFuture<CheckIn> claimAsync(String id) {
    return step(id, "claim", null);
  }

  public CheckIn claim(String id) {
    return join(claimAsync(id));
  }

  public CompletableFuture<CheckIn> releaseAsync(String id) {
    return step(id, "release", null);
  }

  public CheckIn release(String id) {
    return join(releaseAsync(id));
  }

  /** Asks for help; a non-null {@code body} is posted as an {@code escalation} message. */
  public CompletableFuture<CheckIn> helpAsync(String id, String body) {
    return step(id, "help", body("body", body));
  }

  public CheckIn help(String id, String body) {
    return join(helpAsync(id, body));
  }

  public CompletableFuture<CheckIn> joinAsync(String id) {
    return step(id, "join", null);
  }

  public CheckIn join(String id) {
    return join(joinAsync(id));
  }

  /** A {@code result} message from the primary: the task becomes {@code submitted}. */
  public CompletableFuture<Message> submitAsync(String id, String result) {
    return postMessageAsync(id, MessageInput.of(result).type("result"));
  }

  public Message submit(String id, String result) {
    return join(submitAsync(id, result));
  }
}
