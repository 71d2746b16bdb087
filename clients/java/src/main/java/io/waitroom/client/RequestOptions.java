package io.waitroom.client;

import java.time.Duration;

/**
 * Per-call options: the deadline of one attempt, the {@code Idempotency-Key} (generated per call
 * when absent) and the number of retries. {@code null} fields take the client's defaults.
 */
public record RequestOptions(Duration timeout, String idempotencyKey, Integer maxRetries) {
  public static final RequestOptions DEFAULT = new RequestOptions(null, null, null);

  public static RequestOptions timeout(Duration timeout) {
    return new RequestOptions(timeout, null, null);
  }

  public static RequestOptions idempotencyKey(String key) {
    return new RequestOptions(null, key, null);
  }

  public static RequestOptions maxRetries(int n) {
    return new RequestOptions(null, null, n);
  }

  public RequestOptions withTimeout(Duration t) {
    return new RequestOptions(t, idempotencyKey, maxRetries);
  }

  public RequestOptions withIdempotencyKey(String k) {
    return new RequestOptions(timeout, k, maxRetries);
  }

  public RequestOptions withMaxRetries(int n) {
    return new RequestOptions(timeout, idempotencyKey, n);
  }
}
