package io.waitroom.support;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A WebSocket client for tests (java.net.http): collects text frames, pings and the close. */
public final class WsClient implements AutoCloseable {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  public final AtomicInteger pings = new AtomicInteger();
  public volatile Integer closeCode;
  private WebSocket ws;

  /** The handshake's HTTP status when the upgrade was refused, else 101. */
  public int status = 101;

  public static WsClient open(String url, String credential, Map<String, String> headers) {
    WsClient c = new WsClient();
    WebSocket.Builder b = CLIENT.newWebSocketBuilder();
    if (credential != null) b.header("Authorization", "Bearer " + credential);
    headers.forEach(b::header);
    try {
      c.ws = b.buildAsync(URI.create(url), c.listener()).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        c.status = h.getResponse().statusCode();
        return c;
      }
      throw e;
    }
    return c;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          messages.add(partial.toString());
          partial.setLength(0);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet();
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        return null;
      }
    };
  }

  public JsonObject next(long timeoutMs) {
    try {
      String m = messages.poll(timeoutMs, TimeUnit.MILLISECONDS);
      return m == null ? null : new JsonObject(m);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public List<JsonObject> next(int n, long timeoutMs) {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (out.size() < n) {
      JsonObject m = next(Math.max(1, deadline - System.currentTimeMillis()));
      if (m == null) throw new AssertionError("expected " + n + " messages, got " + out);
      out.add(m);
    }
    return out;
  }

  @Override
  public void close() {
    if (ws != null && !ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    if (ws != null) ws.abort();
  }
}
