package io.waitroom.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client for tests: speaks to the server the way a user's client would. */
public final class Api {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private final String base;

  public Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public String base() {
    return base;
  }

  /** A response: status, parsed JSON body (or null), headers. */
  public record Res(int status, String raw, Map<String, List<String>> headers) {
    public JsonObject json() {
      return raw == null || raw.isEmpty() ? null : new JsonObject(raw);
    }

    public JsonObject data() {
      return json().getJsonObject("data");
    }

    public JsonArray list() {
      return json().getJsonArray("data");
    }

    public JsonObject error() {
      return json().getJsonObject("error");
    }

    public String code() {
      return error().getString("code");
    }

    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + raw;
    }
  }

  public Res get(String path, String credential) {
    return send("GET", path, credential, null, Map.of());
  }

  public Res post(String path, String credential, Object body) {
    return send("POST", path, credential, body, Map.of());
  }

  public Res put(String path, String credential, Object body) {
    return send("PUT", path, credential, body, Map.of());
  }

  public Res delete(String path, String credential) {
    return send("DELETE", path, credential, null, Map.of());
  }

  public Res send(
      String method, String path, String credential, Object body, Map<String, String> headers) {
    try {
      return sendAsync(method, path, credential, body, headers).get();
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  public CompletableFuture<Res> sendAsync(
      String method, String path, String credential, Object body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
    if (credential != null) b.header("Authorization", "Bearer " + credential);
    headers.forEach(b::header);
    String text =
        body == null
            ? null
            : body instanceof String s
                ? s
                : body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode();
    if (text != null) b.header("Content-Type", "application/json");
    b.method(
        method,
        text == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(text));
    return CLIENT
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Res(r.statusCode(), r.body(), r.headers().map()));
  }

  /** Every page of a list endpoint, following cursors. */
  public List<JsonObject> all(String path, String credential, int limit) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    String sep = path.contains("?") ? "&" : "?";
    for (int guard = 0; guard < 1000; guard++) {
      Res r =
          get(
              path + sep + "limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor),
              credential);
      if (r.status() != 200) throw new IllegalStateException(r.toString());
      r.list().forEach(o -> out.add((JsonObject) o));
      if (!r.json().getBoolean("has_more")) return out;
      cursor = r.json().getString("cursor");
    }
    throw new IllegalStateException("too many pages");
  }
}
