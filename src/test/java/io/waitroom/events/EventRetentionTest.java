package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventRetentionTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void eventsOlderThanTheRetentionAreDeletedByConcurrentPurgesExactlyOnce() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    String room = f.room.getString("id");
    String org = f.room.getString("org_id");
    // 1200 events from 8 days ago, 2 from 6 days ago (inside the default 7 days), 1 from now.
    TestDb.exec(
        server.databaseUrl,
        "INSERT INTO room_events (org_id, room_id, type, data, created_at) SELECT '"
            + org
            + "', '"
            + room
            + "', 'signal.broadcast', jsonb_build_object('id', 'sig_old' || g),"
            + " now() - interval '8 days' FROM generate_series(1, 1200) g");
    TestDb.exec(
        server.databaseUrl,
        "INSERT INTO room_events (org_id, room_id, type, data, created_at) SELECT '"
            + org
            + "', '"
            + room
            + "', 'signal.broadcast', jsonb_build_object('id', 'sig_kept' || g),"
            + " now() - interval '6 days' FROM generate_series(1, 2) g");
    server.api.post(
        "/v1/rooms/" + f.roomSlug + "/signal",
        f.human,
        new io.vertx.core.json.JsonObject().put("type", "fresh"));

    var deps = server.server().deps();
    // Two nodes' purges at once (small batches so they interleave).
    List<Future<Integer>> purges =
        List.of(EventLog.purge(deps.pool(), 7, 100), EventLog.purge(deps.pool(), 7, 100));
    int first =
        Future.all(purges)
            .map(c -> purges.get(0).result() + purges.get(1).result())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    // Then the job's loop; rows another transaction holds (the watcher dispatcher marks events)
    // are skipped, not waited for, and go on a later run.
    int rest = 0;
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      rest +=
          EventRetentionVerticle.purge(deps, 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      if (first + rest >= 1200 || System.currentTimeMillis() > deadline) break;
      Thread.sleep(100);
    }
    assertThat(first + rest).isEqualTo(1200);
    assertThat(
            TestDb.queryLong(
                server.databaseUrl,
                "SELECT count(*) FROM room_events WHERE room_id = '" + room + "'"))
        .isEqualTo(3);

    // Replay from 0 gives what is retained; ids handed out before the purge stay valid to resume.
    try (SseClient c =
        SseClient.open(
            server.api.base() + "/v1/rooms/" + f.roomSlug + "/events",
            f.human,
            Map.of("Last-Event-ID", "0"))) {
      assertThat(c.status).isEqualTo(200);
      assertThat(c.events(3, 10_000)).hasSize(3);
    }
  }
}
