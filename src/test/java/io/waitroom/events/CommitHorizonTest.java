package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.SseClient;
import io.waitroom.support.SseClient.Frame;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import io.waitroom.support.TwoNodes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The commit horizon (V010, {@link EventLog}): a room's transactions commit in parallel, so ids
 * commit out of order, yet a reader resuming from any id it was sent sees every event exactly once,
 * in id order, on either node.
 */
class CommitHorizonTest extends TwoNodes {
  /** A reader that reconnects after every few events, resuming from the last id it got. */
  static List<Long> resumingReader(TestServer node, Fixtures f, AtomicBoolean writing, long seed) {
    Random random = new Random(seed);
    List<Long> got = new ArrayList<>();
    long last = 0;
    String url = node.api.base() + "/v1/rooms/" + f.roomSlug + "/events";
    int quietReads = 0;
    while (quietReads < 3) {
      boolean stillWriting = writing.get();
      int take = 1 + random.nextInt(12);
      int before = got.size();
      try (SseClient c = SseClient.open(url, f.human, Map.of("Last-Event-ID", "" + last))) {
        assertThat(c.status).isEqualTo(200);
        for (int i = 0; i < take; i++) {
          Frame e = c.nextEvent(stillWriting ? 5_000 : 1_500);
          if (e == null) break;
          assertThat(e.longId()).as("after %s on %s", last, node).isGreaterThan(last);
          last = e.longId();
          got.add(last);
        }
      }
      quietReads = !stillWriting && got.size() == before ? quietReads + 1 : 0;
    }
    return got;
  }

  @Test
  void concurrentWritersOnTwoNodesAndResumingReadersOnBothNeverSkipOrRepeatAnEvent()
      throws Exception {
    Fixtures f = Fixtures.create(a.api);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      Future<List<Long>> onA = pool.submit(() -> resumingReader(a, f, writing, 1));
      Future<List<Long>> onB = pool.submit(() -> resumingReader(b, f, writing, 2));
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        TestServer node = w % 2 == 0 ? a : b;
        int writer = w;
        writers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 30; i++) {
                    Res r =
                        node.api.post(
                            "/v1/rooms/" + f.roomSlug + "/signal",
                            f.human,
                            new JsonObject().put("type", "w" + writer + "-" + i));
                    assertThat(r.status()).as(r.toString()).isEqualTo(201);
                  }
                }));
      }
      for (Future<?> w : writers) w.get(120, TimeUnit.SECONDS);
      writing.set(false);
      List<Long> stored = storedIds(f.room.getString("id"));
      assertThat(stored).hasSizeGreaterThanOrEqualTo(240);
      assertThat(onA.get(120, TimeUnit.SECONDS)).containsExactlyElementsOf(stored);
      assertThat(onB.get(120, TimeUnit.SECONDS)).containsExactlyElementsOf(stored);
    } finally {
      pool.shutdownNow();
    }
  }

  static List<Long> storedIds(String roomId) throws Exception {
    List<Long> ids = new ArrayList<>();
    String db = a.databaseUrl.substring(a.databaseUrl.lastIndexOf('/') + 1);
    try (Connection c = TestDb.instance().getDatabase("postgres", db).getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT id FROM room_events WHERE room_id = '" + roomId + "' ORDER BY id")) {
      while (rs.next()) ids.add(rs.getLong(1));
    }
    return ids;
  }
}
