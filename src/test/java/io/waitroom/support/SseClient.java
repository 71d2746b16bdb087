package io.waitroom.support;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal {@code text/event-stream} client for tests: parses the stream the way EventSource does
 * (events on blank lines, comments on {@code :} lines) on a reader thread.
 */
public final class SseClient implements AutoCloseable {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  /**
   * One thing read from the stream: an event (id, event, data, and the {@code retry} field if it
   * came with one) or a comment; or the end.
   */
  public record Frame(
      String id, String event, String data, String retry, String comment, boolean end) {
    public JsonObject json() {
      return new JsonObject(data);
    }

    public long longId() {
      return Long.parseLong(id);
    }

    public boolean isEvent() {
      return data != null;
    }
  }

  public final int status;
  public final Map<String, List<String>> headers;

  /** The body when the server answered with an error instead of a stream. */
  public final String errorBody;

  private final InputStream body;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread reader;

  private SseClient(HttpResponse<InputStream> res) throws IOException {
    this.status = res.statusCode();
    this.headers = res.headers().map();
    this.body = res.body();
    if (status != 200) {
      this.errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      this.reader = null;
      return;
    }
    this.errorBody = null;
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  public static SseClient open(String url, String credential, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (credential != null) b.header("Authorization", "Bearer " + credential);
    b.header("Accept", "text/event-stream");
    headers.forEach(b::header);
    try {
      return new SseClient(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    }
  }

  /** A stream answering a POST (an MCP tool call over Streamable HTTP). */
  public static SseClient post(
      String url, String credential, Map<String, String> headers, JsonObject body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .header("Content-Type", "application/json");
    if (credential != null) b.header("Authorization", "Bearer " + credential);
    headers.forEach(b::header);
    try {
      return new SseClient(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("POST " + url + " failed", e);
    }
  }

  /** Whether the stream ends (the server closed it) within {@code timeoutMs}, events skipped. */
  public boolean endsWithin(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return false;
      Frame f = nextFrame(left);
      if (f == null) return false;
      if (f.end()) return true;
    }
  }

  public JsonObject error() {
    return new JsonObject(errorBody).getJsonObject("error");
  }

  public String header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0))
        .findFirst()
        .orElse(null);
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = null;
      String retry = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) frames.add(new Frame(id, event, data.toString(), retry, null, false));
          id = null;
          event = null;
          data = null;
          retry = null;
        } else if (line.startsWith(":")) {
          frames.add(new Frame(null, null, null, null, line.substring(1).trim(), false));
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) value = value.substring(1);
          switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "retry" -> retry = value;
            case "data" ->
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {}
          }
        }
      }
    } catch (IOException e) {
      // closed by the test or the server
    }
    frames.add(new Frame(null, null, null, null, null, true));
  }

  /** The next frame (event, comment or end), or null after the timeout. */
  public Frame nextFrame(long timeoutMs) {
    try {
      return frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The next event, skipping comments; null on timeout or end of stream. */
  public Frame nextEvent(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return null;
      Frame f = nextFrame(left);
      if (f == null || f.end()) return null;
      if (f.isEvent()) return f;
    }
  }

  /** Exactly {@code n} events, or fails listing what came. */
  public List<Frame> events(int n, long timeoutMs) {
    List<Frame> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (out.size() < n) {
      Frame f = nextEvent(Math.max(1, deadline - System.currentTimeMillis()));
      if (f == null) {
        throw new AssertionError("expected " + n + " events, got " + out.size() + ": " + out);
      }
      out.add(f);
    }
    return out;
  }

  /** Events that arrive within {@code quietMs}, until a quiet period passes. */
  public List<Frame> drainEvents(long quietMs) {
    List<Frame> out = new ArrayList<>();
    Frame f;
    while ((f = nextEvent(quietMs)) != null) out.add(f);
    return out;
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
