package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections that say nothing are closed after the idle timeout (a vanished client or a slow
 * sender would otherwise hold a socket forever), while streams kept alive by pings stay open.
 */
class IdleConnectionsTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            Map.of(
                "WAITROOM_HTTP_IDLE_TIMEOUT_SECONDS", "2",
                "WAITROOM_STREAM_PING_MS", "300"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Reads until the server closes the connection; true when it did within the time given. */
  static boolean closedByServerWithin(Socket s, long ms) throws IOException {
    s.setSoTimeout((int) ms);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // whatever the server said before closing
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      assertThat(closedByServerWithin(s, 6_000)).isTrue();
    }
  }

  @Test
  void aRequestWhoseHeadersNeverFinishIsClosedToo() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      s.getOutputStream()
          .write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertThat(closedByServerWithin(s, 6_000)).isTrue();
    }
  }

  @Test
  void aStreamKeptAliveByPingsOutlivesTheIdleTimeout() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    try (SseClient c =
        SseClient.open(
            server.api.base() + "/v1/rooms/" + f.roomSlug + "/events", f.human, Map.of())) {
      assertThat(c.status).isEqualTo(200);
      long until = System.currentTimeMillis() + 4_000;
      while (System.currentTimeMillis() < until) {
        Frame fr = c.nextFrame(1_000);
        assertThat(fr).isNotNull();
        assertThat(fr.end()).isFalse();
      }
      server.api.post(
          "/v1/rooms/" + f.roomSlug + "/signal", f.human, new JsonObject().put("type", "still"));
      Frame ev = c.nextEvent(5_000);
      assertThat(ev).isNotNull();
      assertThat(ev.json().getJsonObject("data").getString("type")).isEqualTo("still");
    }
  }
}
