package io.waitroom.mcp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.waitroom.config.ServerConfig;
import io.waitroom.errors.ApiException;

/**
 * The tools' only way to act: this node's own REST API on loopback, with the caller's credential.
 * So every tool answers exactly what the API answers (validation, tenancy, room scopes, policy,
 * idempotency, rate limit: codes and messages) without a second implementation of any of it.
 */
final class LoopbackApi {
  /** The answer of one API call: its status and the envelope (or {@code null} data on 202/204). */
  record Answer(int status, JsonObject body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    JsonObject data() {
      return body.getJsonObject("data");
    }

    /** The error as the API raised it. */
    ApiException error() {
      JsonObject e = body.getJsonObject("error", new JsonObject());
      return new ApiException(
          e.getInteger("statusCode", status),
          e.getString("code", "INTERNAL"),
          e.getString("message", "the API answered " + status),
          e.getJsonObject("details"));
    }
  }

  /** How long a retry-safe call keeps retrying {@code 503} (the database restarting). */
  static final long UNAVAILABLE_RETRY_MS = 20_000;

  private final Vertx vertx;
  private final WebClient client;
  private final String host;
  private final int port;

  LoopbackApi(Vertx vertx, ServerConfig config) {
    this.vertx = vertx;
    // A wildcard bind answers on loopback too; a specific address is where the API listens.
    this.host = config.selfAddress();
    this.port = config.port();
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setUserAgent("waitroom-mcp")
                .setDefaultHost(host)
                .setDefaultPort(port),
            // Tool calls are short (waits hold no connection), but many agents call at once.
            new PoolOptions().setHttp1MaxSize(64));
  }

  /** One API call: what, with whose credential and request id, a body and a key (both optional). */
  record Request(
      HttpMethod method,
      String path,
      String credential,
      JsonObject body,
      String requestId,
      String idempotencyKey) {
    /** Safe to send again after a 503: a read, or a write the key makes idempotent. */
    boolean retrySafe() {
      return method == HttpMethod.GET || idempotencyKey != null;
    }
  }

  /** A call without an {@code Idempotency-Key}: only a GET is retried after a 503. */
  Future<Answer> call(
      HttpMethod method, String path, String credential, JsonObject body, String requestId) {
    return call(new Request(method, path, credential, body, requestId, null));
  }

  /**
   * One API call. GETs and calls sent with an {@code Idempotency-Key} ride through a database
   * restart as the SDKs do: a {@code 503} is retried after its {@code Retry-After}, for up to
   * {@link #UNAVAILABLE_RETRY_MS} in all.
   */
  Future<Answer> call(Request r) {
    return attempt(r, System.nanoTime() + UNAVAILABLE_RETRY_MS * 1_000_000);
  }

  private Future<Answer> attempt(Request r, long deadline) {
    return send(r)
        .compose(
            a -> {
              long waitMs = retryAfterMs(a);
              if (a.status() != 503
                  || !r.retrySafe()
                  || System.nanoTime() + waitMs * 1_000_000 > deadline) {
                return Future.succeededFuture(a);
              }
              return vertx.timer(waitMs).compose(t -> attempt(r, deadline));
            });
  }

  private static long retryAfterMs(Answer a) {
    JsonObject e = a.body().getJsonObject("error");
    Object s = e == null ? null : e.getValue("retryAfter");
    return s instanceof Number n ? Math.max(1, n.longValue()) * 1000 : 1000;
  }

  private Future<Answer> send(Request r) {
    HttpRequest<Buffer> req =
        client
            .request(r.method(), port, host, r.path())
            .putHeader("Authorization", "Bearer " + r.credential())
            .putHeader("Accept", "application/json");
    if (r.requestId() != null) req.putHeader("X-Request-Id", r.requestId());
    if (r.idempotencyKey() != null) req.putHeader("Idempotency-Key", r.idempotencyKey());
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent =
        r.body() == null
            ? req.send()
            : req.putHeader("Content-Type", "application/json").sendBuffer(r.body().toBuffer());
    return sent.map(
        resp -> {
          Buffer b = resp.body();
          JsonObject json;
          try {
            json = b == null || b.length() == 0 ? new JsonObject() : new JsonObject(b);
          } catch (DecodeException | ClassCastException e) {
            json = new JsonObject();
          }
          return new Answer(resp.statusCode(), json);
        });
  }
}
