package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

  @Test
  void closeLetsAnInFlightRequestFinish() throws Exception {
    TestServer server = TestServer.start();
    String human = TestServer.token("shutdown-org", "sid");
    // First sight of the human happens before the lock, so the request waits on the room only.
    assertThat(server.api.get("/v1/rooms", human).status()).isEqualTo(200);
    String db = server.databaseUrl.substring(server.databaseUrl.lastIndexOf('/') + 1);
    CompletableFuture<Void> closing = null;
    try (Connection lock = TestDb.instance().getDatabase("postgres", db).getConnection();
        Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<Res> inFlight =
          server.api.sendAsync(
              "POST", "/v1/rooms", human, new JsonObject().put("name", "Last One"), Map.of());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (TestDb.queryLong(
              server.databaseUrl,
              "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                  + " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO rooms%'")
          == 0) {
        assertThat(System.nanoTime()).as("the request reaches the lock").isLessThan(deadline);
        Thread.sleep(20);
      }

      closing = server.server().close();
      Thread.sleep(500);
      assertThat(closing).as("close waits for the in-flight request").isNotDone();
      assertThat(inFlight).isNotDone();
      // Draining: the port no longer accepts connections.
      assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", server.server().port()).close())
          .isInstanceOf(java.net.ConnectException.class);

      lock.commit();
      Res r = inFlight.get(30, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      closing.get(30, TimeUnit.SECONDS);
    } finally {
      if (closing == null) server.close();
    }
    assertThat(
            TestDb.queryLong(
                server.databaseUrl, "SELECT count(*) FROM rooms WHERE name = 'Last One'"))
        .isEqualTo(1);
  }
}
