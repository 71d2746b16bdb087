package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading is cut off instead of growing server memory; shutdown ends streams
 * with a final comment.
 */
class SlowConsumerAndShutdownTest {
  static TestServer server;
  static Api api;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("WAITROOM_STREAM_QUEUE_BYTES", "65536"));
    api = server.api;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Connects, sends the request head, and never reads a byte of the answer. */
  static Socket stalledClient(int port, String head) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    OutputStream out = s.getOutputStream();
    out.write(head.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return s;
  }

  static void waitFor(IntSupplier value, int expected, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (value.getAsInt() != expected && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertThat(value.getAsInt()).isEqualTo(expected);
  }

  /** HTTP connections the server holds open right now (its own metric). */
  static int activeConnections() {
    double n = 0;
    for (String line : api.get("/metrics", null).raw().split("\n")) {
      if (line.startsWith("vertx_http_server_active_connections")) {
        n += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (int) n;
  }

  /** Posts 9 KB signals until {@code open} drops back to {@code target}; returns how many. */
  static int floodUntil(Fixtures f, IntSupplier open, int target, int max) {
    JsonObject payload = new JsonObject().put("blob", "x".repeat(9_000));
    for (int i = 1; i <= max; i++) {
      Res r =
          api.post(
              "/v1/rooms/" + f.roomSlug + "/signal",
              f.human,
              new JsonObject().put("type", "big").put("payload", payload));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      if (i % 10 == 0 && open.getAsInt() == target) return i;
    }
    return -1;
  }

  @Test
  void anSseClientThatStopsReadingIsDisconnectedAndTheServerStaysHealthy() throws Exception {
    Fixtures f = Fixtures.create(api);
    StreamMetrics metrics = server.server().deps().streams();
    int before = metrics.openSse();
    String head =
        "GET /v1/rooms/"
            + f.roomSlug
            + "/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + f.human
            + "\r\nAccept: text/event-stream\r\n\r\n";
    int connections = activeConnections();
    try (Socket stalled = stalledClient(server.server().port(), head)) {
      waitFor(metrics::openSse, before + 1, 5_000);
      int posted = floodUntil(f, metrics::openSse, before, 2_000);
      assertThat(posted).as("the stalled stream was never cut off").isPositive();
      // Far less than was written: the server did not buffer the backlog for the stalled client.
      assertThat(posted).isLessThan(2_000);
      // And the connection itself is gone, not left waiting for a flush that never comes.
      waitFor(SlowConsumerAndShutdownTest::activeConnections, connections, 5_000);
    }
    assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    String metricsText = api.get("/metrics", null).raw();
    assertThat(metricsText)
        .containsPattern("waitroom_streams_slow_consumer_disconnects_total [1-9]");
    // A reading client is served as before.
    try (SseClient c =
        SseClient.open(api.base() + "/v1/rooms/" + f.roomSlug + "/events", f.human, Map.of())) {
      assertThat(c.status).isEqualTo(200);
      assertThat(c.nextFrame(5_000).comment()).isEqualTo("connected");
      String id =
          api.post(
                  "/v1/rooms/" + f.roomSlug + "/signal",
                  f.human,
                  new JsonObject().put("type", "after"))
              .data()
              .getString("id");
      assertThat(c.nextEvent(10_000).json().getJsonObject("data").getString("id")).isEqualTo(id);
    }
  }

  @Test
  void aWebSocketClientThatStopsReadingIsDisconnected() throws Exception {
    Fixtures f = Fixtures.create(api);
    StreamMetrics metrics = server.server().deps().streams();
    int before = metrics.openWebSockets();
    String key =
        Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    String head =
        "GET /v1/rooms/"
            + f.roomSlug
            + "/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer "
            + f.human
            + "\r\n\r\n";
    int connections = activeConnections();
    try (Socket stalled = stalledClient(server.server().port(), head)) {
      waitFor(metrics::openWebSockets, before + 1, 5_000);
      int posted = floodUntil(f, metrics::openWebSockets, before, 2_000);
      assertThat(posted).as("the stalled WebSocket was never cut off").isPositive();
      // The close frame cannot reach a client that does not read; the socket goes anyway.
      waitFor(SlowConsumerAndShutdownTest::activeConnections, connections, 10_000);
    }
    assertThat(api.get("/healthz", null).status()).isEqualTo(200);
  }

  @Test
  void shutdownEndsStreamsWithAFinalComment() throws Exception {
    TestServer node = TestServer.start();
    try {
      Fixtures f = Fixtures.create(node.api);
      SseClient c =
          SseClient.open(
              node.api.base() + "/v1/rooms/" + f.roomSlug + "/events", f.human, Map.of());
      assertThat(c.status).isEqualTo(200);
      assertThat(c.nextFrame(5_000).comment()).isEqualTo("connected");
      long t0 = System.currentTimeMillis();
      node.close();
      node = null;
      List<Frame> rest = new ArrayList<>();
      Frame fr;
      while ((fr = c.nextFrame(10_000)) != null && !fr.end()) rest.add(fr);
      assertThat(rest).extracting(Frame::comment).contains("shutdown");
      assertThat(fr).as("the stream ended").isNotNull();
      // Streams do not hold the shutdown for the in-flight grace period.
      assertThat(System.currentTimeMillis() - t0).isLessThan(8_000);
      c.close();
    } finally {
      if (node != null) node.close();
    }
  }
}
