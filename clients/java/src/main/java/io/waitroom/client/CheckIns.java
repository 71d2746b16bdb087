package io.waitroom.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waitroom.client.Inputs.CheckInInput;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Transport.Call;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Agent check-ins: ask a human before a risky action, and wait for the decision. */
public final class CheckIns extends CheckInOps {
  private final Receipts receipts;

  CheckIns(Transport t, Receipts receipts) {
    super(t);
    this.receipts = receipts;
  }

  /**
   * Creates a check-in ({@code pending}, or {@code approved} by policy or trust); a forbidding rule
   * fails with {@code POLICY_FORBIDS}. Sent with an {@code Idempotency-Key}, so retries are safe.
   */
  public CompletableFuture<CheckIn> createAsync(
      String room, CheckInInput input, RequestOptions options) {
    return one(
        Call.of("POST", "/v1/rooms/" + seg(room) + "/check-in", input).idempotently(),
        options,
        CheckIn.class);
  }

  public CheckIn create(String room, CheckInInput input) {
    return join(createAsync(room, input, null));
  }

  public CheckIn create(String room, CheckInInput input, RequestOptions options) {
    return join(createAsync(room, input, options));
  }

  public CompletableFuture<CheckIn> withdrawAsync(String id) {
    return one(Call.of("DELETE", "/v1/check-ins/" + seg(id), null), null, CheckIn.class);
  }

  public CheckIn withdraw(String id) {
    return join(withdrawAsync(id));
  }

  /**
   * A room's agent check-ins ({@code status} defaults to pending); query: status, limit, cursor.
   */
  public CompletableFuture<Page<CheckIn>> pendingAsync(String room, Map<String, ?> query) {
    return page("/v1/rooms/" + seg(room) + "/pending", query, CheckIn.class);
  }

  public Page<CheckIn> pending(String room, Map<String, ?> query) {
    return join(pendingAsync(room, query));
  }

  /**
   * Creates a check-in and completes once it is decided, with {@code status}, {@code
   * decisionReason} and {@code modifications}. Waits with the server's long-poll, and against a
   * server without it polls with backoff (1 s, x1.5, capped at 30 s). A check-in the policy forbids
   * completes as {@code rejected}. After {@code maxWait} (null: no bound) it fails with {@link
   * WaitroomTimeoutException} carrying the pending check-in.
   */
  public CompletableFuture<CheckIn> checkInAndWaitAsync(
      String room, CheckInInput input, Duration maxWait) {
    long end = deadline(maxWait);
    return createAsync(room, input, null)
        .handle(
            (created, ex) -> {
              if (ex == null) return waitUntil(withFlatDecision(created), end, maxWait, true, 1000);
              Throwable c = Transport.unwrap(ex);
              if (c instanceof WaitroomException w
                  && "POLICY_FORBIDS".equals(w.code())
                  && w.details().get("check_in_id") instanceof String id) {
                return statusAsync(id, null, null);
              }
              return CompletableFuture.<CheckIn>failedFuture(c);
            })
        .thenCompose(f -> f);
  }

  public CheckIn checkInAndWait(String room, CheckInInput input, Duration maxWait) {
    return join(checkInAndWaitAsync(room, input, maxWait));
  }

  /**
   * {@link #checkInAndWaitAsync(String, CheckInInput, Duration)}, and with {@code verifyReceipt}
   * the decision's signed receipt is verified before completing ({@link Receipts#verifyAsync}): a
   * mismatch fails with {@link ReceiptVerificationException} carrying the decided check-in.
   */
  public CompletableFuture<CheckIn> checkInAndWaitAsync(
      String room, CheckInInput input, Duration maxWait, boolean verifyReceipt) {
    CompletableFuture<CheckIn> decided = checkInAndWaitAsync(room, input, maxWait);
    if (!verifyReceipt) return decided;
    return decided.thenCompose(
        ci ->
            "withdrawn".equals(ci.status())
                ? CompletableFuture.completedFuture(ci)
                : receipts.verifyAsync(ci).thenApply(claims -> ci));
  }

  public CheckIn checkInAndWait(
      String room, CheckInInput input, Duration maxWait, boolean verifyReceipt) {
    return join(checkInAndWaitAsync(room, input, maxWait, verifyReceipt));
  }

  /** Waits for an existing check-in's decision, as {@link #checkInAndWaitAsync} does. */
  public CompletableFuture<CheckIn> waitForDecisionAsync(String id, Duration maxWait) {
    long end = deadline(maxWait);
    return statusAsync(id, null, null).thenCompose(c -> waitUntil(c, end, maxWait, true, 1000));
  }

  public CheckIn waitForDecision(String id, Duration maxWait) {
    return join(waitForDecisionAsync(id, maxWait));
  }

  private static long deadline(Duration maxWait) {
    return maxWait == null ? Long.MAX_VALUE : System.nanoTime() + maxWait.toNanos();
  }

  private CompletableFuture<CheckIn> waitUntil(
      CheckIn current, long end, Duration maxWait, boolean longPoll, long intervalMs) {
    if (!current.isOpen()) return CompletableFuture.completedFuture(current);
    long remainingMs =
        end == Long.MAX_VALUE ? Long.MAX_VALUE : (end - System.nanoTime()) / 1_000_000;
    if (remainingMs <= 0) return CompletableFuture.failedFuture(timeout(current, maxWait));
    if (!longPoll) {
      return Transport.later(
          Math.min(intervalMs, remainingMs),
          () -> {
            if (System.nanoTime() - end >= 0 && end != Long.MAX_VALUE) {
              return CompletableFuture.failedFuture(timeout(current, maxWait));
            }
            return statusAsync(current.id(), null, null)
                .thenCompose(
                    next ->
                        waitUntil(next, end, maxWait, false, Math.min(intervalMs * 3 / 2, 30_000)));
          });
    }
    int wait = (int) Math.max(1, Math.min(30, (remainingMs + 999) / 1000));
    long slack = wait * 1000L + 15_000;
    boolean boundedByMax = remainingMs < slack;
    long started = System.nanoTime();
    return statusAsync(
            current.id(),
            wait,
            RequestOptions.timeout(Duration.ofMillis(Math.min(slack, remainingMs))))
        .handle(
            (next, ex) -> {
              if (ex == null) {
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                boolean answeredAtOnce = next.isOpen() && tookMs < wait * 500L;
                return waitUntil(next, end, maxWait, !answeredAtOnce, intervalMs);
              }
              Throwable c = Transport.unwrap(ex);
              if (c instanceof WaitroomException w) {
                if ("TIMEOUT".equals(w.code()) && boundedByMax) {
                  return CompletableFuture.<CheckIn>failedFuture(timeout(current, maxWait));
                }
                if ("VALIDATION_ERROR".equals(w.code())
                    && "wait".equals(w.details().get("field"))) {
                  return waitUntil(current, end, maxWait, false, intervalMs);
                }
              }
              return CompletableFuture.<CheckIn>failedFuture(c);
            })
        .thenCompose(f -> f);
  }

  private static WaitroomTimeoutException timeout(CheckIn c, Duration maxWait) {
    return new WaitroomTimeoutException(
        "check-in " + c.id() + " still " + c.status() + " after " + maxWait, c);
  }

  /** The status view's flat fields, from the check-in's decision. */
  static CheckIn withFlatDecision(CheckIn c) {
    if (c.decision() == null || c.decisionReason() != null) return c;
    ObjectNode node = Transport.JSON.valueToTree(c);
    node.set("decision_reason", node.path("decision").path("reason"));
    node.set("modifications", node.path("decision").path("modifications"));
    return Transport.JSON.convertValue(node, CheckIn.class);
  }
}
