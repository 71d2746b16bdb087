package io.waitroom.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Sends requests: auth, JSON, timeouts, retries and the error envelope. */
final class Transport {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The longest {@code Retry-After} waited for; a longer one surfaces as the error. */
  private static final long MAX_RETRY_AFTER_MS = 60_000;

  final HttpClient http;
  final String baseUrl;
  final String apiKey;
  final Duration timeout;
  final int maxRetries;
  final Duration unavailableRetry;

  Transport(
      HttpClient http,
      String baseUrl,
      String apiKey,
      Duration timeout,
      int maxRetries,
      Duration unavailableRetry) {
    this.http = http;
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.maxRetries = maxRetries;
    this.unavailableRetry = unavailableRetry;
  }

  /** One request: method, path, query, body, and whether the route honours Idempotency-Key. */
  record Call(
      String method,
      String path,
      Map<String, ?> query,
      Object body,
      boolean idempotent,
      boolean anonymous) {
    static Call get(String path, Map<String, ?> query) {
      return new Call("GET", path, query, null, false, false);
    }

    static Call of(String method, String path, Object body) {
      return new Call(method, path, null, body, false, false);
    }

    Call idempotently() {
      return new Call(method, path, query, body, true, anonymous);
    }

    Call withoutCredential() {
      return new Call(method, path, query, body, idempotent, true);
    }
  }

  static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  URI uri(String path, Map<String, ?> query) {
    StringBuilder sb = new StringBuilder(baseUrl).append(path);
    char sep = '?';
    if (query != null) {
      for (Map.Entry<String, ?> e : query.entrySet()) {
        if (e.getValue() == null) continue;
        sb.append(sep)
            .append(seg(e.getKey()))
            .append('=')
            .append(seg(String.valueOf(e.getValue())));
        sep = '&';
      }
    }
    return URI.create(sb.toString());
  }

  HttpRequest.Builder builder(URI uri, boolean anonymous) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "application/json");
    if (apiKey != null && !anonymous) b.header("Authorization", "Bearer " + apiKey);
    return b;
  }

  /** The {@code data} of the answer, as {@code type}. */
  <T> CompletableFuture<T> data(Call call, RequestOptions options, JavaType type) {
    return send(call, options).thenApply(node -> JSON.convertValue(node.get("data"), type));
  }

  /** The whole answer (lists: {@code data}, {@code cursor}, {@code has_more}). */
  <T> CompletableFuture<T> body(Call call, RequestOptions options, JavaType type) {
    return send(call, options).thenApply(node -> JSON.convertValue(node, type));
  }

  CompletableFuture<JsonNode> send(Call call, RequestOptions options) {
    RequestOptions o = options == null ? RequestOptions.DEFAULT : options;
    String key =
        call.idempotent()
            ? (o.idempotencyKey() != null ? o.idempotencyKey() : UUID.randomUUID().toString())
            : null;
    boolean retrySafe = call.method().equals("GET") || call.method().equals("PUT") || key != null;
    int retries = o.maxRetries() != null ? o.maxRetries() : maxRetries;
    Duration attemptTimeout = o.timeout() != null ? o.timeout() : timeout;
    HttpRequest.Builder b = builder(uri(call.path(), call.query()), call.anonymous());
    b.timeout(attemptTimeout);
    if (key != null) b.header("Idempotency-Key", key);
    if (call.body() != null) {
      b.header("Content-Type", "application/json");
      try {
        b.method(
            call.method(),
            HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call.body())));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("unserializable body", e));
      }
    } else {
      b.method(call.method(), HttpRequest.BodyPublishers.noBody());
    }
    return new Attempts(b.build(), call, retrySafe, retries).next();
  }

  /**
   * The attempts of one call. {@code 429} waits for {@code Retry-After}; network errors and {@code
   * 5xx} of retry-safe calls back off; both within {@code maxRetries}. A {@code 503} (the server's
   * database restarting) of a retry-safe call is retried on its own budget, a time: for up to
   * {@code unavailableRetry} in all, each wait the larger of {@code Retry-After} and the backoff
   * (capped at 4 s), so a restart of a few seconds surfaces no error.
   */
  private final class Attempts {
    private final HttpRequest request;
    private final Call call;
    private final boolean retrySafe;
    private final int retries;
    private final long started = System.nanoTime();
    private int n;
    private int unavailable;

    Attempts(HttpRequest request, Call call, boolean retrySafe, int retries) {
      this.request = request;
      this.call = call;
      this.retrySafe = retrySafe;
      this.retries = retries;
    }

    CompletableFuture<JsonNode> next() {
      return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .handle(this::settle)
          .thenCompose(f -> f);
    }

    private CompletableFuture<JsonNode> settle(HttpResponse<String> res, Throwable ex) {
      if (ex != null) {
        Throwable cause = unwrap(ex);
        if (cause instanceof HttpTimeoutException) {
          return CompletableFuture.failedFuture(
              new WaitroomException(
                  "TIMEOUT",
                  call.method() + " " + call.path() + " timed out",
                  0,
                  null,
                  null,
                  null,
                  cause));
        }
        if (retrySafe && n < retries) return later(backoff(n++), this::next);
        return CompletableFuture.failedFuture(
            new WaitroomException(
                "NETWORK_ERROR",
                call.method() + " " + call.path() + " failed: " + cause,
                0,
                null,
                null,
                null,
                cause));
      }
      JsonNode json = parse(res.body());
      if (res.statusCode() >= 200 && res.statusCode() < 300) {
        return CompletableFuture.completedFuture(json);
      }
      WaitroomException err = error(res, json);
      long retryAfterMs = (err.retryAfter() == null ? 1 : err.retryAfter()) * 1000L;
      if (res.statusCode() == 503 && retrySafe) {
        long wait = Math.max(retryAfterMs, Math.min(4000, backoff(unavailable)));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (elapsed + wait <= unavailableRetry.toMillis()) {
          unavailable++;
          return later(wait, this::next);
        }
        return CompletableFuture.failedFuture(err);
      }
      if (res.statusCode() == 429 && n < retries && retryAfterMs <= MAX_RETRY_AFTER_MS) {
        n++;
        return later(retryAfterMs, this::next);
      }
      if (res.statusCode() >= 500 && retrySafe && n < retries) {
        return later(backoff(n++), this::next);
      }
      return CompletableFuture.failedFuture(err);
    }
  }

  static <T> CompletableFuture<T> later(
      long ms, java.util.function.Supplier<CompletableFuture<T>> next) {
    return CompletableFuture.supplyAsync(
            () -> null, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS))
        .thenCompose(ignored -> next.get());
  }

  /** 0.5 s, 1 s, 2 s ... capped at 8 s, with jitter. */
  private static long backoff(int n) {
    long base = Math.min(8000, 500L << Math.min(n, 10));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  static JsonNode parse(String body) {
    if (body == null || body.isEmpty()) return JSON.nullNode();
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.nullNode();
    }
  }

  private static final Map<Integer, String> CODES =
      Map.of(
          400, "VALIDATION_ERROR",
          401, "UNAUTHORIZED",
          403, "FORBIDDEN",
          404, "NOT_FOUND",
          405, "METHOD_NOT_ALLOWED",
          409, "CONFLICT",
          413, "PAYLOAD_TOO_LARGE",
          429, "RATE_LIMITED");

  static WaitroomException error(HttpResponse<?> res, JsonNode json) {
    String requestId = res.headers().firstValue("x-request-id").orElse(null);
    Integer retryAfter =
        res.headers()
            .firstValue("retry-after")
            .map(
                v -> {
                  try {
                    return Integer.valueOf(v.trim());
                  } catch (NumberFormatException e) {
                    return null;
                  }
                })
            .orElse(null);
    JsonNode e = json.path("error");
    if (e.path("code").isTextual() && e.path("message").isTextual()) {
      if (e.path("retryAfter").isInt()) retryAfter = e.get("retryAfter").asInt();
      Map<String, Object> details =
          e.path("details").isObject()
              ? JSON.convertValue(
                  e.get("details"),
                  JSON.getTypeFactory()
                      .constructMapType(LinkedHashMap.class, String.class, Object.class))
              : null;
      return new WaitroomException(
          e.get("code").asText(),
          e.get("message").asText(),
          e.path("statusCode").asInt(res.statusCode()),
          details,
          requestId,
          retryAfter,
          null);
    }
    int s = res.statusCode();
    return new WaitroomException(
        CODES.getOrDefault(s, s >= 500 ? "INTERNAL" : "HTTP_" + s),
        "HTTP " + s + " without an error body",
        s,
        null,
        requestId,
        retryAfter,
        null);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Waits for an async call; its WaitroomException (or other runtime failure) is rethrown as is.
   */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      throw new WaitroomException("INTERRUPTED", "interrupted", 0, null, null, null, e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException r) throw r;
      if (cause instanceof Error err) throw err;
      throw new WaitroomException("NETWORK_ERROR", cause.toString(), 0, null, null, null, cause);
    }
  }
}
