package io.waitroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.waitroom.bus.Addresses;
import io.waitroom.bus.LocalCodec;
import io.waitroom.db.Tx;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Fixtures;
import io.waitroom.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The long-poll waiting machinery: alone on a Vert.x instance, then inside a real server. */
class EventWaitersTest {
  static Vertx vertx;
  static EventWaiters waiters;
  static TestServer server;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(RoomEvent.class, new LocalCodec<>(RoomEvent.class));
    waiters = new EventWaiters(vertx, null);
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static RoomEvent event(String dataId) {
    return new RoomEvent(
        1,
        "org_x",
        "rm_x",
        "checkin.approved",
        new JsonObject().put("id", dataId),
        "2026-01-01T00:00:00Z");
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void tenThousandWaitersTimeOutOnTimersNotThreads() throws Exception {
    int threadsBefore = Thread.activeCount();
    List<Future<Boolean>> all = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 10_000; i++) all.add(waiters.awaitCheckIn("ci_timeout_" + i, 300));
    assertThat(waiters.size()).isGreaterThanOrEqualTo(9_000);
    assertThat(Thread.activeCount() - threadsBefore).isLessThan(20);
    for (Future<Boolean> f : all) assertThat(await(f)).isFalse();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(ms).isGreaterThanOrEqualTo(300).isLessThan(10_000);
    assertThat(waiters.size()).isZero();
  }

  @Test
  void tenThousandWaitersAreEachWokenByTheirOwnEvent() throws Exception {
    List<Future<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) all.add(waiters.awaitCheckIn("ci_wake_" + i, 30_000));
    // Two waiters on one check-in both wake.
    Future<Boolean> twin = waiters.awaitCheckIn("ci_wake_7", 30_000);
    Future<Boolean> other = waiters.awaitCheckIn("ci_not_this_one", 1_000);
    long t0 = System.nanoTime();
    for (int i = 0; i < 10_000; i++) {
      String address = i % 2 == 0 ? Addresses.ROOM_EVENTS : Addresses.ROOM_EVENTS_REMOTE;
      vertx.eventBus().publish(address, event("ci_wake_" + i));
    }
    for (Future<Boolean> f : all) assertThat(await(f)).isTrue();
    assertThat(await(twin)).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
    assertThat(await(other)).as("an event about another id does not wake").isFalse();
    assertThat(waiters.size()).isZero();
  }

  @Test
  void eventsWithoutAStringDataIdAreIgnored() throws Exception {
    Future<Boolean> w = waiters.awaitCheckIn("ci_odd", 500);
    vertx
        .eventBus()
        .publish(
            Addresses.ROOM_EVENTS,
            new RoomEvent(2, "o", "r", "signal.broadcast", new JsonObject().put("id", 5), "t"));
    vertx.eventBus().publish(Addresses.ROOM_EVENTS, new RoomEvent(3, "o", "r", "x", null, "t"));
    assertThat(await(w)).isFalse();
  }

  @Test
  void aResyncWakesEveryWaiterSoTheyReRead() throws Exception {
    Future<Boolean> a = waiters.awaitCheckIn("ci_resync_a", 30_000);
    Future<Boolean> b = waiters.awaitCheckIn("ci_resync_b", 30_000);
    vertx.eventBus().publish(Addresses.ROOM_STREAMS_RESYNC, "");
    assertThat(await(a)).isTrue();
    assertThat(await(b)).isTrue();
  }

  @Test
  void cancelAndZeroTimeoutCompleteWithFalse() throws Exception {
    EventWaiters.Wait w = waiters.await("ci_cancel", 30_000);
    w.cancel();
    assertThat(await(w.future())).isFalse();
    assertThat(await(waiters.awaitCheckIn("ci_zero", 0))).isFalse();
    // A late event after cancel changes nothing.
    vertx.eventBus().publish(Addresses.ROOM_EVENTS, event("ci_cancel"));
    assertThat(waiters.size()).isZero();
  }

  @Test
  void theFutureCompletesOnTheContextThatRegistered() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<Boolean> sameContext = new CompletableFuture<>();
    ctx.runOnContext(
        v ->
            waiters
                .awaitCheckIn("ci_ctx", 30_000)
                .onComplete(ar -> sameContext.complete(Vertx.currentContext() == ctx)));
    Thread.sleep(100);
    vertx.eventBus().publish(Addresses.ROOM_EVENTS_REMOTE, event("ci_ctx"));
    assertThat(sameContext.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void pollRegistersBeforeReadingSoAnEventDuringTheReadIsNotLost() throws Exception {
    // The first read is slow, and the state changes while it runs: poll must still wake.
    AtomicInteger reads = new AtomicInteger();
    String[] state = {"pending"};
    Future<String> result =
        waiters.poll(
            "ci_poll",
            10_000,
            () -> {
              int n = reads.incrementAndGet();
              String seen = state[0];
              Promise<String> p = Promise.promise();
              if (n == 1) {
                state[0] = "approved";
                vertx.eventBus().publish(Addresses.ROOM_EVENTS, event("ci_poll"));
                vertx.setTimer(200, id -> p.complete(seen)); // answers with the stale "pending"
              } else {
                p.complete(seen);
              }
              return p.future();
            },
            "approved"::equals);
    long t0 = System.nanoTime();
    assertThat(await(result)).isEqualTo("approved");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
    assertThat(reads.get()).isEqualTo(2);
  }

  @Test
  void pollAnswersWithTheCurrentStateAfterTheTimeout() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    long t0 = System.nanoTime();
    String got =
        await(
            waiters.poll(
                "ci_poll_timeout",
                400,
                () -> Future.succeededFuture("pending#" + reads.incrementAndGet()),
                s -> false));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(400);
    assertThat(got).isEqualTo("pending#2");
    assertThat(await(waiters.poll("ci_done", 10_000, () -> Future.succeededFuture("x"), s -> true)))
        .isEqualTo("x");
    assertThat(waiters.size()).isZero();
  }

  @Test
  void closeEndsEveryWaitAtOnceAndLaterWaitsDoNotWait() throws Exception {
    EventWaiters own = new EventWaiters(vertx, null);
    Future<Boolean> pending = own.awaitCheckIn("ci_closing", 60_000);
    Future<String> polling =
        own.poll("ci_closing_poll", 60_000, () -> Future.succeededFuture("pending"), s -> false);
    long t0 = System.nanoTime();
    own.close();
    assertThat(await(pending)).isFalse();
    assertThat(await(polling)).isEqualTo("pending");
    assertThat(await(own.awaitCheckIn("ci_after_close", 60_000))).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
    assertThat(own.size()).isZero();
  }

  // ---- inside a server: real commits wake waiters ----

  @Test
  void aCommittedEventWakesTheWaiterOfItsCheckIn() throws Exception {
    var deps = server.server().deps();
    Future<Boolean> woken = deps.waiters().awaitCheckIn("ci_committed", 20_000);
    Future<Boolean> untouched = deps.waiters().awaitCheckIn("ci_other", 1_500);
    await(
        Tx.run(
            deps.vertx(),
            deps.pool(),
            tx ->
                EventLog.append(
                    tx,
                    "org_t",
                    "rm_t",
                    "checkin.approved",
                    new JsonObject().put("id", "ci_committed").put("status", "approved"))));
    assertThat(await(woken)).isTrue();
    assertThat(await(untouched)).isFalse();
  }

  @Test
  void aDecisionThroughTheApiWakesTheWaiter() throws Exception {
    Fixtures f = Fixtures.create(server.api);
    String key = f.agentKey("waiter");
    JsonObject ci = f.pendingCheckIn(key, "deploy");
    Future<Boolean> woken =
        server.server().deps().waiters().awaitCheckIn(ci.getString("id"), 20_000);
    Res r =
        server.api.post(
            "/v1/check-ins/" + ci.getString("id") + "/approve", f.human, new JsonObject());
    assertThat(r.status()).isEqualTo(200);
    assertThat(await(woken)).isTrue();
  }

  @Test
  void aRolledBackChangeWakesNobody() throws Exception {
    var deps = server.server().deps();
    Future<Boolean> w = deps.waiters().awaitCheckIn("ci_rolled_back", 1_000);
    Future<Object> tx =
        Tx.run(
            deps.vertx(),
            deps.pool(),
            t ->
                EventLog.append(
                        t,
                        "org_t",
                        "rm_t",
                        "checkin.approved",
                        new JsonObject().put("id", "ci_rolled_back"))
                    .compose(e -> Future.failedFuture(new IllegalStateException("rollback"))));
    assertThat(
            tx.toCompletionStage()
                .toCompletableFuture()
                .handle((v, e) -> e)
                .get(10, TimeUnit.SECONDS))
        .isNotNull();
    assertThat(await(w)).isFalse();
  }
}
