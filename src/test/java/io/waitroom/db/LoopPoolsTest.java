package io.waitroom.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Tuple;
import io.waitroom.support.Api.Res;
import io.waitroom.support.BlackholeProxy;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One connection pool per event loop (issue 15): a statement made on a loop runs on a connection of
 * that loop and is answered on that loop's thread; the node never opens more connections than
 * {@code WAITROOM_DB_POOL_SIZE}, however many requests wait.
 */
class LoopPoolsTest {

  @Test
  void eachLoopRunsItsStatementsOnItsOwnConnectionsAndIsAnsweredOnItsOwnThread() throws Exception {
    String url = TestDb.freshDatabaseUrl();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    LoopPools pools = LoopPools.create(vertx, PgConnectOptions.fromUri(url), 4);
    try {
      // Two instances of a verticle: Vert.x puts them on its two loops.
      Map<String, Set<Integer>> pidsByThread = new ConcurrentHashMap<>();
      Set<String> wrongThread = ConcurrentHashMap.newKeySet();
      vertx
          .deployVerticle(
              () ->
                  new VerticleBase() {
                    @Override
                    public Future<?> start() {
                      Thread caller = Thread.currentThread();
                      List<Future<?>> queries = new ArrayList<>();
                      // More at once than the loop's two connections: some wait for a free one.
                      for (int i = 0; i < 40; i++) {
                        queries.add(
                            pools
                                .preparedQuery("SELECT pg_backend_pid() AS pid, pg_sleep(0.002)")
                                .execute()
                                .onSuccess(
                                    rows -> {
                                      if (Thread.currentThread() != caller) {
                                        wrongThread.add(Thread.currentThread().getName());
                                      }
                                      pidsByThread
                                          .computeIfAbsent(
                                              caller.getName(), k -> ConcurrentHashMap.newKeySet())
                                          .add(rows.iterator().next().getInteger("pid"));
                                    }));
                      }
                      // The deployment completes once every query has answered.
                      return Future.all(queries);
                    }
                  },
              new DeploymentOptions().setInstances(2))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      assertThat(wrongThread).as("answers handed to another thread").isEmpty();
      assertThat(pidsByThread).as("the two loops").hasSize(2);
      List<Set<Integer>> byLoop = new ArrayList<>(pidsByThread.values());
      Set<Integer> first = byLoop.get(0);
      Set<Integer> second = byLoop.get(1);
      assertThat(first).hasSizeBetween(1, 2);
      assertThat(second).hasSizeBetween(1, 2);
      Set<Integer> shared = new HashSet<>(first);
      shared.retainAll(second);
      assertThat(shared).as("connections used by both loops").isEmpty();
    } finally {
      pools.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sharesOfThePoolSizeAddUpToItAndEveryLoopHasOne() {
    assertThat(LoopPools.share(16, 2, 0) + LoopPools.share(16, 2, 1)).isEqualTo(16);
    assertThat(LoopPools.share(5, 2, 0)).isEqualTo(3);
    assertThat(LoopPools.share(5, 2, 1)).isEqualTo(2);
    assertThat(LoopPools.share(1, 4, 3)).isEqualTo(1);
  }

  @Test
  void manyConcurrentRequestsNeverOpenMoreConnectionsThanThePoolSize() throws Exception {
    try (TestServer server = TestServer.start(Map.of("WAITROOM_DB_POOL_SIZE", "4"))) {
      Fixtures f = Fixtures.create(server.api);
      String key = f.agentKey("many");
      ExecutorService callers = Executors.newFixedThreadPool(32);
      try {
        List<java.util.concurrent.Future<Res>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          int n = i;
          answers.add(
              callers.submit(
                  () ->
                      f.checkIn(
                          key, new JsonObject().put("action", "a" + n).put("risk_level", "high"))));
        }
        for (var a : answers) assertThat(a.get().status()).as(a.get().toString()).isEqualTo(201);
      } finally {
        callers.shutdownNow();
      }
      String db = server.databaseUrl.substring(server.databaseUrl.lastIndexOf('/') + 1);
      long open =
          TestDb.queryLong(
              server.databaseUrl,
              "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                  + db
                  + "' AND application_name = 'vertx-pg-client'");
      assertThat(open).isBetween(1L, 4L);
      assertThat(
              TestDb.queryLong(
                  server.databaseUrl,
                  "SELECT count(*) FROM check_ins WHERE room_id = '"
                      + f.room.getString("id")
                      + "'"))
          .isEqualTo(200);
    }
  }

  /**
   * What a loop sends in one turn leaves as one write (Netty's flush consolidation): a create's
   * statements went out as one {@code send} each, every one a wake-up of the backend. A proxy
   * between the pool and PostgreSQL counts the reads the statements of one turn take to arrive.
   */
  @Test
  void statementsSentInOneTurnLeaveInOneWrite() throws Exception {
    String url = TestDb.freshDatabaseUrl();
    PgConnectOptions direct = PgConnectOptions.fromUri(url);
    try (BlackholeProxy proxy = new BlackholeProxy(direct.getPort())) {
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
      LoopPools pools =
          LoopPools.create(vertx, new PgConnectOptions(direct).setPort(proxy.port()), 1);
      try {
        Context loop = vertx.getOrCreateContext();
        // The first turn prepares the statements (each prepare waits for its answer).
        oneTurn(loop, pools);
        for (int i = 0; i < 20; i++) {
          int before = proxy.clientReads();
          oneTurn(loop, pools);
          assertThat(proxy.clientReads() - before)
              .as("reads for one turn's statements")
              .isEqualTo(1);
        }
      } finally {
        pools.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** BEGIN, four statements and COMMIT, sent in one turn of the loop, as a create does. */
  private static void oneTurn(Context loop, LoopPools pools) throws Exception {
    Promise<Void> done = Promise.promise();
    loop.runOnContext(
        v ->
            pools
                .withConnection(
                    conn -> {
                      List<Future<?>> sent = new ArrayList<>();
                      sent.add(conn.query("BEGIN").execute());
                      for (int i = 0; i < 4; i++) {
                        sent.add(conn.preparedQuery("SELECT $1::int AS n").execute(Tuple.of(i)));
                      }
                      sent.add(conn.query("COMMIT").execute());
                      return Future.all(sent).<Void>mapEmpty();
                    })
                .onComplete(done));
    done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
