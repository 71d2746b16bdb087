package io.waitroom.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code waitroom mcp}: an MCP server on stdio (newline-delimited JSON-RPC) that forwards every
 * message to the server's Streamable HTTP endpoint ({@code <url>/mcp}) with the agent key, and
 * writes back every message the server answers (plain JSON or an SSE stream: progress, then the
 * result). So the stdio mode serves exactly the HTTP tools. Only JSON-RPC goes to stdout; problems
 * go to stderr. When the server has forgotten the session (restart, another node) the bridge
 * replays the client's {@code initialize} once and retries, so the client never notices.
 */
final class McpStdioBridge {
  private final URI endpoint;
  private final String key;
  private final PrintStream out;
  private final PrintStream err;
  private final HttpClient http;
  private final ExecutorService readers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "waitroom-mcp-reader");
            t.setDaemon(true);
            return t;
          });
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicInteger reinits = new AtomicInteger();
  private volatile String session;
  private volatile String version;
  private volatile JsonObject initialize;

  McpStdioBridge(String baseUrl, String key, PrintStream out, PrintStream err) {
    this.endpoint = URI.create(mcpUrl(baseUrl));
    this.key = key;
    this.out = out;
    this.err = err;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** {@code https://host} or {@code https://host/v1} (the SDK's base URL) to {@code .../mcp}. */
  static String mcpUrl(String base) {
    String b = base.trim();
    while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
    if (b.endsWith("/mcp")) return b;
    if (b.endsWith("/v1")) b = b.substring(0, b.length() - 3);
    return b + "/mcp";
  }

  /** Runs until stdin ends; then lets answers in flight finish briefly and ends the session. */
  int run(InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) continue;
      Object value;
      try {
        value = Json.decodeValue(line);
      } catch (DecodeException e) {
        emit(error(null, -32700, "Parse error: not JSON"));
        continue;
      }
      if (!(value instanceof JsonObject m)) {
        forward(value, false); // a batch: the server answers it as a whole
        continue;
      }
      if ("initialize".equals(m.getString("method"))) initialize = m.copy();
      forward(m, false);
    }
    CompletableFuture<?>[] pending = inFlight.toArray(new CompletableFuture<?>[0]);
    try {
      CompletableFuture.allOf(pending).get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the client is gone; what is still running has nobody to answer
    }
    endSession();
    readers.shutdownNow();
    return 0;
  }

  private void forward(Object message, boolean retry) {
    CompletableFuture<Void> f =
        http.sendAsync(request(message), HttpResponse.BodyHandlers.ofInputStream())
            .thenAcceptAsync(resp -> answer(message, resp, retry), readers)
            .exceptionally(
                e -> {
                  fail(
                      message,
                      -32000,
                      "cannot reach Waitroom at " + endpoint + ": " + e.getCause());
                  return null;
                });
    inFlight.add(f);
    f.whenComplete((v, e) -> inFlight.remove(f));
  }

  private HttpRequest request(Object message) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .POST(HttpRequest.BodyPublishers.ofString(Json.encode(message)))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + key);
    String s = session;
    boolean init = message instanceof JsonObject m && "initialize".equals(m.getString("method"));
    if (s != null && !init) b.header("Mcp-Session-Id", s);
    if (version != null && !init) b.header("MCP-Protocol-Version", version);
    return b.build();
  }

  private void answer(Object message, HttpResponse<InputStream> resp, boolean retry) {
    try (InputStream body = resp.body()) {
      resp.headers().firstValue("Mcp-Session-Id").ifPresent(s -> session = s);
      int status = resp.statusCode();
      if (status == 404 && !retry && session != null && initialize != null) {
        body.readAllBytes();
        if (reinitialise()) forward(message, true);
        else fail(message, -32001, "the Waitroom session ended and could not be renewed");
        return;
      }
      String type = resp.headers().firstValue("Content-Type").orElse("");
      if (status == 202) return;
      if (type.startsWith("text/event-stream")) {
        stream(body);
        return;
      }
      String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      Object json = text.isBlank() ? null : Json.decodeValue(text);
      if (json instanceof JsonObject o && o.containsKey("jsonrpc")) {
        if (o.getValue("id") == null
            && message instanceof JsonObject m
            && m.getValue("id") != null) {
          o.put("id", m.getValue("id"));
        }
        emit(o);
      } else if (json instanceof JsonArray a) {
        for (Object o : a) emit((JsonObject) o);
      } else {
        // The API's error envelope (401, 403, 413, 429, ...): a JSON-RPC error for the request.
        JsonObject e = json instanceof JsonObject o ? o.getJsonObject("error") : null;
        String why =
            e == null
                ? "Waitroom answered HTTP " + status
                : e.getString("code") + " (" + status + "): " + e.getString("message");
        fail(message, -32000, why);
      }
    } catch (IOException | RuntimeException e) {
      fail(message, -32000, "bad answer from Waitroom: " + e);
    }
  }

  /** Copies each {@code data:} message of an SSE answer to stdout as one line. */
  private void stream(InputStream body) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = r.readLine()) != null) {
      if (line.isEmpty()) {
        if (data.length() > 0) emit((JsonObject) Json.decodeValue(data.toString()));
        data.setLength(0);
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) data.append('\n');
        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      }
    }
    if (data.length() > 0) emit((JsonObject) Json.decodeValue(data.toString()));
  }

  /** Replays the client's initialize (and initialized) for a new session; blocking, once. */
  private synchronized boolean reinitialise() {
    try {
      JsonObject init = initialize.copy().put("id", "waitroom-reinit-" + reinits.incrementAndGet());
      session = null;
      HttpResponse<String> r = http.send(request(init), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return false;
      r.headers().firstValue("Mcp-Session-Id").ifPresent(s -> session = s);
      JsonObject note =
          new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized");
      http.send(request(note), HttpResponse.BodyHandlers.discarding());
      err.println("waitroom mcp: session renewed");
      return session != null;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void endSession() {
    String s = session;
    if (s == null) return;
    try {
      http.send(
          HttpRequest.newBuilder(endpoint)
              .DELETE()
              .header("Authorization", "Bearer " + key)
              .header("Mcp-Session-Id", s)
              .timeout(Duration.ofSeconds(2))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the server forgets idle sessions on its own
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void fail(Object message, int code, String why) {
    if (message instanceof JsonObject m && m.getValue("id") != null && m.containsKey("method")) {
      emit(error(m.getValue("id"), code, why));
    } else {
      err.println("waitroom mcp: " + why);
    }
  }

  private void emit(JsonObject message) {
    if (message.getValue("id") instanceof String id && id.startsWith("waitroom-reinit-")) return;
    JsonObject result = message.getJsonObject("result");
    if (result != null && result.getValue("protocolVersion") instanceof String v) version = v;
    String line = message.encode();
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static JsonObject error(Object id, int code, String message) {
    return new JsonObject()
        .put("jsonrpc", "2.0")
        .put("id", id)
        .put("error", new JsonObject().put("code", code).put("message", message));
  }
}
