package io.waitroom.client;

import io.waitroom.client.Inputs.MessageInput;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.Model.Message;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Transport.Call;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What check-ins and tasks share under {@code /v1/check-ins/:id}: reading, deciding, the thread.
 */
public abstract class CheckInOps extends Resource {
  CheckInOps(Transport t) {
    super(t);
  }

  /** With {@code messages} and {@code participants}. */
  public CompletableFuture<CheckIn> getAsync(String id) {
    return one(Call.get("/v1/check-ins/" + seg(id), null), null, CheckIn.class);
  }

  public CheckIn get(String id) {
    return join(getAsync(id));
  }

  /** With flat {@code decisionReason} and {@code modifications}; {@code waitSeconds} long-polls. */
  public CompletableFuture<CheckIn> statusAsync(
      String id, Integer waitSeconds, RequestOptions options) {
    Map<String, Object> q = new HashMap<>();
    if (waitSeconds != null) q.put("wait", waitSeconds);
    return one(Call.get("/v1/check-ins/" + seg(id) + "/status", q), options, CheckIn.class);
  }

  public CheckIn status(String id) {
    return join(statusAsync(id, null, null));
  }

  public CheckIn status(String id, int waitSeconds) {
    return join(statusAsync(id, waitSeconds, null));
  }

  public CompletableFuture<CheckIn> approveAsync(String id, String reason) {
    return one(
        Call.of("POST", "/v1/check-ins/" + seg(id) + "/approve", body("reason", reason)),
        null,
        CheckIn.class);
  }

  public CheckIn approve(String id, String reason) {
    return join(approveAsync(id, reason));
  }

  public CompletableFuture<CheckIn> rejectAsync(String id, String reason) {
    return one(
        Call.of("POST", "/v1/check-ins/" + seg(id) + "/reject", body("reason", reason)),
        null,
        CheckIn.class);
  }

  public CheckIn reject(String id, String reason) {
    return join(rejectAsync(id, reason));
  }

  public CompletableFuture<CheckIn> modifyAsync(
      String id, String reason, Map<String, ?> modifications) {
    return one(
        Call.of(
            "POST",
            "/v1/check-ins/" + seg(id) + "/modify",
            body("reason", reason, "modifications", modifications)),
        null,
        CheckIn.class);
  }

  public CheckIn modify(String id, String reason, Map<String, ?> modifications) {
    return join(modifyAsync(id, reason, modifications));
  }

  public CompletableFuture<Page<Message>> messagesAsync(String id, Map<String, ?> query) {
    return page("/v1/check-ins/" + seg(id) + "/messages", query, Message.class);
  }

  public Page<Message> messages(String id, Map<String, ?> query) {
    return join(messagesAsync(id, query));
  }

  public CompletableFuture<Message> postMessageAsync(String id, MessageInput input) {
    return one(
        Call.of("POST", "/v1/check-ins/" + seg(id) + "/messages", input).idempotently(),
        null,
        Message.class);
  }

  public Message postMessage(String id, MessageInput input) {
    return join(postMessageAsync(id, input));
  }
}
