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

  private final WebClient client;
  private final String host;
  private final int port;

  LoopbackApi(Vertx vertx, ServerConfig config) {
    String bind = config.host();
    // A wildcard bind answers on loopback too; a specific address is where the API listens.
    this.host =
        bind == null || bind.isEmpty() || "0.0.0.0".equals(bind) || "::".equals(bind)
            ? "127.0.0.1"
            : bind;
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

  Future<Answer> call(
      HttpMethod method, String path, String credential, JsonObject body, String requestId) {
    HttpRequest<Buffer> req =
        client
            .request(method, port, host, path)
            .putHeader("Authorization", "Bearer " + credential)
            .putHeader("Accept", "application/json");
    if (requestId != null) req.putHeader("X-Request-Id", requestId);
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent =
        body == null
            ? req.send()
            : req.putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer());
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
