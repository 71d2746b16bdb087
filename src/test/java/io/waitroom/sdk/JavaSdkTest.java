package io.waitroom.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.waitroom.client.EventSubscription;
import io.waitroom.client.EventTypes;
import io.waitroom.client.Events.SubscribeOptions;
import io.waitroom.client.Inputs.AgentInput;
import io.waitroom.client.Inputs.CheckInInput;
import io.waitroom.client.Inputs.GrantInput;
import io.waitroom.client.Inputs.MessageInput;
import io.waitroom.client.Inputs.RoomInput;
import io.waitroom.client.Inputs.WatcherInput;
import io.waitroom.client.Model.Agent;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.Model.Grant;
import io.waitroom.client.Model.Page;
import io.waitroom.client.Model.Quorum;
import io.waitroom.client.Model.Room;
import io.waitroom.client.Model.RoomEvent;
import io.waitroom.client.Model.Watcher;
import io.waitroom.client.Pages;
import io.waitroom.client.RequestOptions;
import io.waitroom.client.WaitroomClient;
import io.waitroom.client.WaitroomException;
import io.waitroom.client.WaitroomTimeoutException;
import io.waitroom.client.WebhookVerifier;
import io.waitroom.client.WebhookVerifier.WebhookVerificationException;
import io.waitroom.support.BlackholeProxy;
import io.waitroom.support.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java SDK ({@code clients/java}) against a real server, through its public API only. */
class JavaSdkTest {
  private static TestServer server;
  private static String humanToken;
  private static WaitroomClient human;
  private static WaitroomClient stranger;
  // A second human of the same org as `human`, for quorums.
  private static WaitroomClient colleague;

  @BeforeAll
  static void start() {
    // 300 requests per minute per key/human: a 429 is quick to reach; pings every 300 ms.
    server =
        TestServer.start(
            Map.of("WAITROOM_RATE_LIMIT_PER_MINUTE", "300", "WAITROOM_STREAM_PING_MS", "300"));
    String org = "org-" + UUID.randomUUID();
    humanToken = TestServer.token(org, "alice");
    human = client(humanToken, server.api.base());
    stranger = client(TestServer.token("other-" + org, "mallory"), server.api.base());
    colleague = client(TestServer.token(org, "bob"), server.api.base());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static WaitroomClient client(String key, String base) {
    return WaitroomClient.builder().apiKey(key).baseUrl(base).build();
  }

  private static Room room() {
    return human.rooms().create(RoomInput.of("Room " + UUID.randomUUID()));
  }

  private record TestAgent(String id, String key, WaitroomClient client) {}

  private static TestAgent agent() {
    Agent a = human.agents().register(AgentInput.of("agent-" + UUID.randomUUID()));
    return new TestAgent(a.id(), a.apiKey(), client(a.apiKey(), server.api.base()));
  }

  private static WaitroomException error(Runnable call) {
    return catchThrowableOfType(WaitroomException.class, call::run);
  }

  private static <T> T eventually(String what, Supplier<T> probe) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      T v = probe.get();
      if (v != null) return v;
      sleep(25);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static CheckIn firstPending(String room) {
    return eventually(
        "a pending check-in",
        () -> {
          List<CheckIn> l = human.checkIns().pending(room, Map.of()).data();
          return l.isEmpty() ? null : l.get(0);
        });
  }

  @Test
  void theSdkDependsOnlyOnTheJdkJacksonAndTheReceiptLibraries() throws IOException {
    Pattern imp = Pattern.compile("^import (static )?([\\w.]+)", Pattern.MULTILINE);
    List<String> foreign = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("clients/java/src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = imp.matcher(Files.readString(f));
        while (m.find()) {
          String name = m.group(2);
          if (!name.matches(
              "(java|javax)\\..*|com\\.fasterxml\\.jackson\\..*|io\\.waitroom\\.client\\..*"
                  + "|com\\.nimbusds\\.jose\\..*|org\\.erdtman\\.jcs\\..*")) {
            foreign.add(f.getFileName() + ": " + name);
          }
        }
      }
    }
    assertThat(foreign).isEmpty();
    assertThat(Files.readString(Path.of("clients/java/pom.xml")))
        .contains("<artifactId>waitroom-client</artifactId>")
        .doesNotContain("vertx");
  }

  @Test
  void roomsPoliciesAndPagination() {
    Room r = human.rooms().create(RoomInput.of("Deploys " + UUID.randomUUID()).description("prod"));
    assertThat(r.id()).startsWith("rm_");
    assertThat(human.rooms().get(r.slug()).id()).isEqualTo(r.id());
    room();
    Page<Room> page = human.rooms().list(Map.of("limit", 1));
    assertThat(page.data()).hasSize(1);
    assertThat(page.hasMore()).isTrue();
    List<String> all =
        Pages.all(
                c -> {
                  Map<String, Object> q = new HashMap<>(Map.of("limit", 1));
                  if (c != null) q.put("cursor", c);
                  return human.rooms().list(q);
                })
            .map(Room::id)
            .toList();
    assertThat(all).contains(r.id()).doesNotHaveDuplicates();

    Room updated =
        human
            .rooms()
            .putPolicies(
                r.slug(),
                Map.of(
                    "default_action",
                    "require_approval",
                    "timeout_minutes",
                    30,
                    "timeout_action",
                    "hold",
                    "rules",
                    List.of(
                        Map.of(
                            "id", "reads-ok",
                            "effect", "auto_approve",
                            "conditions", Map.of("action_matches", "^read ")))));
    assertThat(updated.policies().timeoutAction()).isEqualTo("hold");
    assertThat(updated.policies().rules().get(0).id()).isEqualTo("reads-ok");
    var ev = human.rooms().evaluate(r.slug(), Map.of("action", "read logs", "risk_level", "low"));
    assertThat(ev.status()).isEqualTo("approved");
    assertThat(ev.dryRun()).isTrue();
  }

  @Test
  void agentsRegisterSelfRegisterClaimAndTrust() {
    TestAgent a = agent();
    assertThat(a.client().agents().me().id()).isEqualTo(a.id());
    assertThat(human.agents().get(a.id()).status()).isEqualTo("active");
    assertThat(human.agents().list(Map.of("limit", 100)).data())
        .extracting(Agent::id)
        .contains(a.id());
    assertThat(human.agents().trust(a.id()).initialScore()).isEqualTo(15.0);
    WaitroomClient anonymous = WaitroomClient.builder().baseUrl(server.api.base()).build();
    Agent self = anonymous.agents().selfRegister(AgentInput.of("self-" + UUID.randomUUID()));
    assertThat(self.status()).isEqualTo("pending_claim");
    assertThat(human.agents().claim(self.claimToken()).status()).isEqualTo("active");
    WaitroomException again = error(() -> human.agents().claim(self.claimToken()));
    assertThat(again.code()).isEqualTo("CONFLICT");
    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void checkInsCreateReadDecideWithdrawAndThread() throws Exception {
    Room r = room();
    TestAgent a = agent();
    CheckIn ci =
        a.client()
            .checkIns()
            .create(
                r.slug(),
                CheckInInput.of("Deploy v2").riskLevel("high").context(Map.of("env", "prod")));
    assertThat(ci.status()).isEqualTo("pending");
    assertThat(ci.context()).containsEntry("env", "prod");
    assertThat(a.client().checkIns().get(ci.id()).messages()).isNotNull();
    assertThat(human.checkIns().pending(r.slug(), Map.of()).data())
        .extracting(CheckIn::id)
        .containsExactly(ci.id());
    var msg =
        a.client().checkIns().postMessage(ci.id(), MessageInput.of("ready?").type("question"));
    assertThat(human.checkIns().messages(ci.id(), Map.of()).data())
        .extracting(m -> m.id())
        .contains(msg.id());
    // The async form, composed.
    CheckIn approved = human.checkIns().approveAsync(ci.id(), "go").get(10, TimeUnit.SECONDS);
    assertThat(approved.status()).isEqualTo("approved");
    CheckIn two = a.client().checkIns().create(r.slug(), CheckInInput.of("Drop cache"));
    assertThat(human.checkIns().reject(two.id(), "no").status()).isEqualTo("rejected");
    CheckIn three = a.client().checkIns().create(r.slug(), CheckInInput.of("Scale"));
    assertThat(
            human
                .checkIns()
                .modify(three.id(), "less", Map.of("replicas", 2))
                .decision()
                .modifications())
        .containsEntry("replicas", 2);
    CheckIn four = a.client().checkIns().create(r.slug(), CheckInInput.of("Rotate"));
    assertThat(a.client().checkIns().withdraw(four.id()).status()).isEqualTo("withdrawn");
    WaitroomException twice = error(() -> a.client().checkIns().withdraw(four.id()));
    assertThat(twice.code()).isEqualTo("CONFLICT");
    assertThat(twice.details()).containsEntry("status", "withdrawn");
    String key = "k-" + UUID.randomUUID();
    CheckIn once =
        a.client()
            .checkIns()
            .create(r.slug(), CheckInInput.of("Once"), RequestOptions.idempotencyKey(key));
    assertThat(
            a.client()
                .checkIns()
                .create(r.slug(), CheckInInput.of("Once"), RequestOptions.idempotencyKey(key))
                .id())
        .isEqualTo(once.id());
  }

  @Test
  void checkInAndWaitIsAnsweredByAnApprovalWhileItWaits() throws Exception {
    Room r = room();
    TestAgent a = agent();
    CompletableFuture<CheckIn> waiting =
        a.client()
            .checkIns()
            .checkInAndWaitAsync(r.slug(), CheckInInput.of("Send invoice"), Duration.ofSeconds(60));
    CheckIn pending = firstPending(r.slug());
    sleep(300);
    assertThat(waiting).isNotDone();
    human.checkIns().approve(pending.id(), null);
    CheckIn decided = waiting.get(15, TimeUnit.SECONDS);
    assertThat(decided.id()).isEqualTo(pending.id());
    assertThat(decided.status()).isEqualTo("approved");
  }

  @Test
  void checkInAndWaitReturnsTheModificationsMadeWhileItWaits() throws Exception {
    Room r = room();
    TestAgent a = agent();
    CompletableFuture<CheckIn> waiting =
        CompletableFuture.supplyAsync(
            () ->
                a.client()
                    .checkIns()
                    .checkInAndWait(r.slug(), CheckInInput.of("Deploy").riskLevel("high"), null));
    CheckIn pending = firstPending(r.slug());
    sleep(1200);
    human.checkIns().modify(pending.id(), "staging first", Map.of("env", "staging"));
    CheckIn decided = waiting.get(15, TimeUnit.SECONDS);
    assertThat(decided.status()).isEqualTo("modified");
    assertThat(decided.modifications()).isEqualTo(Map.of("env", "staging"));
    assertThat(decided.decisionReason()).isEqualTo("staging first");
  }

  @Test
  void checkInAndWaitHonoursMaxWaitAndCarriesThePendingCheckIn() throws Exception {
    Room r = room();
    TestAgent a = agent();
    long t0 = System.nanoTime();
    WaitroomTimeoutException e =
        catchThrowableOfType(
            WaitroomTimeoutException.class,
            () ->
                a.client()
                    .checkIns()
                    .checkInAndWait(r.slug(), CheckInInput.of("Nobody"), Duration.ofMillis(1200)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(e.code()).isEqualTo("TIMEOUT");
    assertThat(ms).isBetween(1150L, 6000L);
    assertThat(e.checkIn().status()).isEqualTo("pending");
    assertThat(a.client().checkIns().status(e.checkIn().id()).status()).isEqualTo("pending");
    // The pending check-in's id resumes the wait.
    CompletableFuture<CheckIn> resumed =
        a.client().checkIns().waitForDecisionAsync(e.checkIn().id(), Duration.ofSeconds(30));
    sleep(300);
    human.checkIns().reject(e.checkIn().id(), "too late");
    CheckIn decided = resumed.join();
    assertThat(decided.status()).isEqualTo("rejected");
    assertThat(decided.decisionReason()).isEqualTo("too late");
  }

  @Test
  void typedErrors() {
    Room r =
        human
            .rooms()
            .create(
                RoomInput.of("Guarded " + UUID.randomUUID())
                    .policies(
                        Map.of(
                            "rules",
                            List.of(
                                Map.of(
                                    "id", "no-drops",
                                    "effect", "forbid",
                                    "conditions",
                                        Map.of("action_contains", List.of("drop table")))))));
    TestAgent a = agent();
    WaitroomException forbids =
        error(() -> a.client().checkIns().create(r.slug(), CheckInInput.of("drop table users")));
    assertThat(forbids.code()).isEqualTo("POLICY_FORBIDS");
    assertThat(forbids.statusCode()).isEqualTo(403);
    assertThat(forbids.details()).containsEntry("rule_id", "no-drops").containsKey("check_in_id");
    assertThat(forbids.requestId()).isNotBlank();
    // checkInAndWait answers a forbidden check-in as rejected by the policy.
    CheckIn rejected =
        a.client()
            .checkIns()
            .checkInAndWait(r.slug(), CheckInInput.of("DROP TABLE x"), Duration.ofSeconds(5));
    assertThat(rejected.status()).isEqualTo("rejected");
    assertThat(rejected.decision().decidedBy()).isEqualTo("system:policy");
    assertThat(rejected.decision().via()).isNull();

    CheckIn ci = a.client().checkIns().create(r.slug(), CheckInInput.of("fine"));
    WaitroomException notFound = error(() -> stranger.checkIns().get(ci.id()));
    assertThat(notFound.code()).isEqualTo("NOT_FOUND");
    assertThat(notFound.statusCode()).isEqualTo(404);
    WaitroomException invalid =
        error(() -> a.client().checkIns().create(r.slug(), CheckInInput.of("")));
    assertThat(invalid.code()).isEqualTo("VALIDATION_ERROR");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.details()).containsEntry("field", "action");
    assertThat(invalid.getMessage()).contains("action");
    WaitroomException unauthorized =
        error(() -> client("wr_" + "x".repeat(40), server.api.base()).rooms().list());
    assertThat(unauthorized.code()).isEqualTo("UNAUTHORIZED");
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(error(() -> a.client().rooms().create(RoomInput.of("no"))).code())
        .isEqualTo("FORBIDDEN");
  }

  @Test
  void rateLimitedIsRetriedAfterRetryAfter() throws Exception {
    Room r = room();
    TestAgent a = agent();
    WaitroomClient hasty =
        WaitroomClient.builder().apiKey(a.key()).baseUrl(server.api.base()).maxRetries(0).build();
    WaitroomException limited = null;
    for (int round = 0; round < 40 && limited == null; round++) {
      List<CompletableFuture<Room>> burst =
          IntStream.range(0, 20).mapToObj(i -> hasty.rooms().getAsync(r.slug())).toList();
      for (CompletableFuture<Room> f : burst) {
        try {
          f.join();
        } catch (Exception e) {
          if (e.getCause() instanceof WaitroomException w) limited = w;
        }
      }
    }
    assertThat(limited).isNotNull();
    assertThat(limited.code()).isEqualTo("RATE_LIMITED");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.retryAfter()).isGreaterThanOrEqualTo(1);
    // The bucket is empty (it refills 5 tokens a second): most of ten calls at once get a 429
    // and must wait for Retry-After before they succeed.
    WaitroomClient patient =
        WaitroomClient.builder().apiKey(a.key()).baseUrl(server.api.base()).maxRetries(8).build();
    long t0 = System.nanoTime();
    List<CompletableFuture<Long>> calls =
        IntStream.range(0, 10)
            .mapToObj(
                i ->
                    patient
                        .rooms()
                        .getAsync(r.slug())
                        .thenApply(room -> (System.nanoTime() - t0) / 1_000_000))
            .toList();
    List<Long> took = new ArrayList<>();
    for (CompletableFuture<Long> c : calls) took.add(c.get(30, TimeUnit.SECONDS));
    assertThat(took.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isGreaterThanOrEqualTo(900);
  }

  /**
   * A stand-in server whose answers the test scripts, for client behaviour no real server shows.
   */
  private static HttpServer fake(com.sun.net.httpserver.HttpHandler handler) throws IOException {
    HttpServer f = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    f.createContext("/", handler);
    f.start();
    return f;
  }

  private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String json)
      throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @Test
  void serverErrorsAreRetriedOnlyForPostsWithAnIdempotencyKey() throws Exception {
    List<String> keys = new CopyOnWriteArrayList<>();
    List<String> paths = new CopyOnWriteArrayList<>();
    String unavailable =
        "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"down\",\"statusCode\":503}}";
    HttpServer f =
        fake(
            ex -> {
              ex.getRequestBody().readAllBytes();
              paths.add(ex.getRequestURI().getPath());
              String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
              if (key != null) keys.add(key);
              if (paths.size() == 1 || ex.getRequestURI().getPath().endsWith("/approve")) {
                answer(ex, 503, unavailable);
              } else {
                answer(ex, 201, "{\"data\":{\"id\":\"ci_1\",\"status\":\"pending\"}}");
              }
            });
    try {
      WaitroomClient c = client("wr_fake", "http://127.0.0.1:" + f.getAddress().getPort());
      assertThat(c.checkIns().create("r", CheckInInput.of("x")).id()).isEqualTo("ci_1");
      assertThat(keys).hasSize(2);
      assertThat(keys.get(0)).isEqualTo(keys.get(1)).isNotBlank();
      paths.clear();
      WaitroomException e = error(() -> c.checkIns().approve("ci_1", null));
      assertThat(e.statusCode()).isEqualTo(503);
      assertThat(e.code()).isEqualTo("INTERNAL");
      assertThat(paths).hasSize(1);
    } finally {
      f.stop(0);
    }
  }

  @Test
  void unavailableIsRetriedWithItsKeyForOverTenSecondsByDefaultButNeverForApprove()
      throws Exception {
    List<String> keys = new CopyOnWriteArrayList<>();
    List<Long> at = new CopyOnWriteArrayList<>();
    List<String> paths = new CopyOnWriteArrayList<>();
    long started = System.nanoTime();
    String unavailable =
        "{\"error\":{\"code\":\"SERVICE_UNAVAILABLE\",\"message\":\"the database is"
            + " unavailable\",\"statusCode\":503,\"retryAfter\":1}}";
    HttpServer f =
        fake(
            ex -> {
              ex.getRequestBody().readAllBytes();
              long ms = (System.nanoTime() - started) / 1_000_000;
              at.add(ms);
              paths.add(ex.getRequestURI().getPath());
              String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
              if (key != null) keys.add(key);
              // Unavailable for the first 11 s (a database restart), then the create goes through.
              if (ex.getRequestMethod().equals("GET")
                  || ex.getRequestURI().getPath().endsWith("/approve")
                  || ms < 11_000) {
                ex.getResponseHeaders().add("Retry-After", "1");
                answer(ex, 503, unavailable);
              } else {
                answer(ex, 201, "{\"data\":{\"id\":\"ci_1\",\"status\":\"pending\"}}");
              }
            });
    try {
      WaitroomClient c = client("wr_fake", "http://127.0.0.1:" + f.getAddress().getPort());
      assertThat(c.checkIns().create("r", CheckInInput.of("x")).id()).isEqualTo("ci_1");
      assertThat(at.size()).isGreaterThanOrEqualTo(6);
      assertThat(new java.util.HashSet<>(keys)).hasSize(1);
      for (int i = 1; i < at.size(); i++) {
        assertThat(at.get(i) - at.get(i - 1)).as("waits Retry-After").isGreaterThanOrEqualTo(950);
      }
      paths.clear();
      WaitroomException e = error(() -> c.checkIns().approve("ci_1", null));
      assertThat(e.code()).isEqualTo("SERVICE_UNAVAILABLE");
      assertThat(e.retryAfter()).isEqualTo(1);
      assertThat(paths).hasSize(1);
      // A budget of zero surfaces the first 503.
      WaitroomClient quick =
          WaitroomClient.builder()
              .apiKey("wr_fake")
              .baseUrl("http://127.0.0.1:" + f.getAddress().getPort())
              .unavailableRetry(Duration.ZERO)
              .build();
      paths.clear();
      assertThat(error(() -> quick.checkIns().get("ci_1")).statusCode()).isEqualTo(503);
      assertThat(paths).hasSize(1);
    } finally {
      f.stop(0);
    }
  }

  @Test
  void waitingFallsBackToBackoffPollingAgainstAServerWithoutLongPoll() throws Exception {
    List<Long> polls = new CopyOnWriteArrayList<>();
    HttpServer f =
        fake(
            ex -> {
              ex.getRequestBody().readAllBytes();
              if (ex.getRequestMethod().equals("POST")) {
                answer(ex, 201, "{\"data\":{\"id\":\"ci_1\",\"status\":\"pending\"}}");
                return;
              }
              polls.add(System.nanoTime() / 1_000_000);
              String status = polls.size() >= 4 ? "approved" : "pending";
              answer(ex, 200, "{\"data\":{\"id\":\"ci_1\",\"status\":\"" + status + "\"}}");
            });
    try {
      WaitroomClient c = client("wr_fake", "http://127.0.0.1:" + f.getAddress().getPort());
      CheckIn decided =
          c.checkIns().checkInAndWait("r", CheckInInput.of("x"), Duration.ofSeconds(20));
      assertThat(decided.status()).isEqualTo("approved");
      assertThat(polls).hasSize(4);
      // The first poll is the long-poll answered at once; then sleeps of 1 s, 1.5 s, 2.25 s.
      assertThat(polls.get(1) - polls.get(0)).isBetween(950L, 1400L);
      assertThat(polls.get(2) - polls.get(1)).isBetween(1450L, 2000L);
      assertThat(polls.get(3) - polls.get(2)).isBetween(2200L, 2800L);
    } finally {
      f.stop(0);
    }
  }

  @Test
  void tasksFromCreationToApproval() {
    Room r = room();
    TestAgent primary = agent();
    TestAgent helper = agent();
    CheckIn task = human.tasks().create(r.slug(), CheckInInput.of("Write the report"));
    assertThat(task.direction()).isEqualTo("human_to_agent");
    assertThat(primary.client().tasks().list(r.slug(), Map.of("claimed", false)).data())
        .extracting(CheckIn::id)
        .containsExactly(task.id());
    assertThat(primary.client().tasks().claim(task.id()).status()).isEqualTo("in_progress");
    assertThat(error(() -> helper.client().tasks().claim(task.id())).code()).isEqualTo("CONFLICT");
    assertThat(primary.client().tasks().help(task.id(), "a hand please").helpRequested()).isTrue();
    assertThat(helper.client().tasks().join(task.id()).participants()).hasSize(2);
    primary.client().tasks().submit(task.id(), "done");
    assertThat(primary.client().tasks().status(task.id()).status()).isEqualTo("submitted");
    assertThat(human.tasks().approve(task.id(), null).status()).isEqualTo("approved");
    assertThat(primary.client().tasks().claimed(Map.of()).data())
        .extracting(CheckIn::id)
        .contains(task.id());
    CheckIn other = human.tasks().create(r.slug(), CheckInInput.of("Second"));
    primary.client().tasks().claim(other.id());
    CheckIn released = primary.client().tasks().release(other.id());
    assertThat(released.status()).isEqualTo("pending");
    assertThat(released.claimedBy()).isNull();
  }

  @Test
  void signalsWatchersAndAudit() {
    Room r = room();
    TestAgent a = agent();
    var sig = a.client().signals().broadcast(r.slug(), "config_update", Map.of("enabled", true));
    assertThat(sig.id()).startsWith("sig_");
    assertThat(sig.payload()).containsEntry("enabled", true);
    Watcher w = a.client().watchers().create(r.slug(), WatcherInput.of("signal.broadcast"));
    assertThat(w.secret()).startsWith("whsec_");
    Watcher w2 = a.client().watchers().create(r.slug(), null);
    assertThat(human.watchers().list(r.slug(), Map.of()).data())
        .extracting(Watcher::id)
        .containsExactlyInAnyOrder(w.id(), w2.id());
    assertThat(a.client().watchers().remove(w.id()).isActive()).isFalse();
    assertThat(human.watchers().removeFromRoom(r.slug(), w2.id()).isActive()).isFalse();
    assertThat(a.client().watchers().deliveries(w.id(), Map.of()).data()).isEmpty();

    CheckIn ci = a.client().checkIns().create(r.slug(), CheckInInput.of("Audited"));
    human.checkIns().approve(ci.id(), null);
    assertThat(human.audit().room(r.slug(), Map.of()).data().get(0).eventType())
        .isEqualTo("checkin.approved");
    assertThat(human.audit().list(Map.of("event_type", "checkin.created")).data())
        .allMatch(e -> e.eventType().equals("checkin.created"));
    assertThat(human.audit().agent(a.id(), Map.of()).data())
        .anyMatch(e -> ci.id().equals(e.targetId()));
  }

  @Test
  void webhookVerifierAcceptsARealDeliveryAndRefusesTamperedOnes() throws Exception {
    record Hit(Map<String, List<String>> headers, byte[] body) {}
    List<Hit> hits = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          hits.add(new Hit(Map.copyOf(ex.getRequestHeaders()), ex.getRequestBody().readAllBytes()));
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    receiver.start();
    try {
      Room r = room();
      TestAgent a = agent();
      Watcher w =
          a.client()
              .watchers()
              .create(
                  r.slug(),
                  WatcherInput.of("signal.broadcast")
                      .webhookUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
      a.client().signals().broadcast(r.slug(), "ping", Map.of("n", 1));
      Hit hit = eventually("a delivery", () -> hits.isEmpty() ? null : hits.get(0));
      RoomEvent event = WebhookVerifier.verify(w.secret(), hit.headers(), hit.body());
      assertThat(event.event()).isEqualTo("signal.broadcast");
      assertThat(event.watcherId()).isEqualTo(w.id());
      assertThat(event.data()).containsEntry("type", "ping");

      byte[] tampered =
          new String(hit.body(), StandardCharsets.UTF_8)
              .replace("\"n\":1", "\"n\":2")
              .getBytes(StandardCharsets.UTF_8);
      assertThat(tampered).isNotEqualTo(hit.body());
      assertThatThrownBy(() -> WebhookVerifier.verify(w.secret(), hit.headers(), tampered))
          .isInstanceOf(WebhookVerificationException.class);
      String otherSecret = a.client().watchers().create(r.slug(), null).secret();
      assertThatThrownBy(() -> WebhookVerifier.verify(otherSecret, hit.headers(), hit.body()))
          .isInstanceOf(WebhookVerificationException.class);
      Instant late =
          Instant.ofEpochSecond(
              Long.parseLong(
                      hit.headers().entrySet().stream()
                          .filter(e -> e.getKey().equalsIgnoreCase("webhook-timestamp"))
                          .findFirst()
                          .orElseThrow()
                          .getValue()
                          .get(0))
                  + 301);
      assertThatThrownBy(
              () ->
                  WebhookVerifier.verify(
                      w.secret(),
                      hit.headers(),
                      hit.body(),
                      WebhookVerifier.DEFAULT_TOLERANCE,
                      late))
          .hasMessageContaining("tolerance");
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void eventStreamReplaysAndResumesAfterACutAndASilentConnection() throws Exception {
    Room r = room();
    TestAgent a = agent();
    try (BlackholeProxy proxy = new BlackholeProxy(server.server().port());
        EventSubscription sub =
            client(humanToken, "http://127.0.0.1:" + proxy.port())
                .events()
                .subscribe(
                    r.slug(),
                    SubscribeOptions.types("signal.broadcast")
                        .reconnectDelay(Duration.ofMillis(100))
                        .idleTimeout(Duration.ofMillis(1000)))) {
      sleep(300);
      a.client().signals().broadcast(r.slug(), "s1", Map.of());
      assertThat(sub.next(Duration.ofSeconds(10)).data()).containsEntry("type", "s1");
      // A healthy stream (pings every 300 ms) outlives the 1 s idle timeout on one connection.
      sleep(2500);
      assertThat(proxy.accepted()).isEqualTo(1);

      proxy.cut();
      a.client().signals().broadcast(r.slug(), "s2", Map.of());
      a.client().signals().broadcast(r.slug(), "s3", Map.of());
      assertThat(sub.next(Duration.ofSeconds(10)).data()).containsEntry("type", "s2");
      assertThat(sub.next(Duration.ofSeconds(10)).data()).containsEntry("type", "s3");

      // Silence (no byte, not even pings): only the idle watchdog can notice and reconnect.
      proxy.blackhole();
      a.client().signals().broadcast(r.slug(), "s4", Map.of());
      sleep(1500);
      proxy.restore();
      RoomEvent s4 = sub.next(Duration.ofSeconds(10));
      assertThat(s4.data()).containsEntry("type", "s4");
      assertThat(sub.lastEventId()).isEqualTo(String.valueOf(s4.id()));
      assertThat(sub.next(Duration.ofMillis(500))).isNull();
    }
    try (EventSubscription replay =
        human
            .events()
            .subscribe(r.slug(), SubscribeOptions.types("signal.broadcast").lastEventId("0"))) {
      List<Object> types = new ArrayList<>();
      for (int i = 0; i < 4; i++) types.add(replay.next(Duration.ofSeconds(10)).data().get("type"));
      assertThat(types).containsExactly("s1", "s2", "s3", "s4");
    }
    try (EventSubscription refused = stranger.events().subscribe(r.slug(), null)) {
      WaitroomException e = error(() -> refused.next(Duration.ofSeconds(10)));
      assertThat(e.code()).isEqualTo("NOT_FOUND");
    }
  }

  private static Room roomWith(Map<String, Object> extraPolicy) {
    Map<String, Object> policies =
        new HashMap<>(
            Map.of(
                "default_action",
                "require_approval",
                "timeout_minutes",
                30,
                "timeout_action",
                "cancel",
                "rules",
                List.of()));
    policies.putAll(extraPolicy);
    return human.rooms().create(RoomInput.of("Flows " + UUID.randomUUID()).policies(policies));
  }

  @Test
  void grantsApproveMatchingCheckInsAsSystemGrantCountUsesAndRevokeOnce() {
    Room r = room();
    TestAgent a = agent();
    Grant g =
        human
            .grants()
            .create(
                r.slug(),
                GrantInput.of(
                        Map.of("action_contains", "migration"),
                        Instant.now().plus(Duration.ofDays(7)))
                    .maxUses(3)
                    .reason("read-only migrations this week"));
    assertThat(g.id()).startsWith("gr_");
    assertThat(g.roomId()).isEqualTo(r.id());
    assertThat(g.uses()).isZero();
    assertThat(g.remainingUses()).isEqualTo(3);
    assertThat(g.maxUses()).isEqualTo(3);
    assertThat(g.reason()).isEqualTo("read-only migrations this week");
    assertThat(g.revokedAt()).isNull();
    assertThat(human.rooms().evaluate(r.slug(), Map.of("action", "run migration 7")).grantId())
        .isEqualTo(g.id());

    CheckIn ci = a.client().checkIns().create(r.slug(), CheckInInput.of("run migration 42"));
    assertThat(ci.status()).isEqualTo("approved");
    assertThat(ci.policy().result()).isEqualTo("auto_approve");
    assertThat(ci.policy().grantId()).isEqualTo(g.id());
    assertThat(ci.decision().decidedBy()).isEqualTo("system:grant");
    CheckIn other = a.client().checkIns().create(r.slug(), CheckInInput.of("drop the cache"));
    assertThat(other.status()).isEqualTo("pending");
    assertThat(other.policy().grantId()).isNull();

    Grant unlimited =
        human
            .grants()
            .create(
                r.slug(),
                GrantInput.of(
                    Map.of("risk_level", "low"),
                    Instant.now().plus(Duration.ofDays(1)).toString()));
    assertThat(unlimited.maxUses()).isNull();
    assertThat(unlimited.remainingUses()).isNull();
    Page<Grant> first = human.grants().list(r.slug(), Map.of("limit", 1));
    assertThat(first.data()).hasSize(1);
    assertThat(first.hasMore()).isTrue();
    List<Grant> all = human.grants().list(r.slug()).data();
    assertThat(all).extracting(Grant::id).containsExactlyInAnyOrder(g.id(), unlimited.id());
    Grant listed = all.stream().filter(x -> x.id().equals(g.id())).findFirst().orElseThrow();
    assertThat(listed.uses()).isEqualTo(1);
    assertThat(listed.remainingUses()).isEqualTo(2);

    Grant revoked = human.grants().revoke(r.slug(), g.id());
    assertThat(revoked.revokedAt()).isNotNull();
    assertThat(revoked.revokedBy()).isNotBlank();
    WaitroomException twice = error(() -> human.grants().revoke(r.slug(), g.id()));
    assertThat(twice.code()).isEqualTo("CONFLICT");
    assertThat(twice.statusCode()).isEqualTo(409);
    assertThat(twice.getMessage()).contains("already revoked");
    assertThat(a.client().checkIns().create(r.slug(), CheckInInput.of("run migration 43")).status())
        .isEqualTo("pending");
  }

  @Test
  void grantErrorsAreWaitroomExceptionsWithTheApisMessageAndStatus() throws Exception {
    Room r = room();
    TestAgent a = agent();
    WaitroomException tooLong =
        error(
            () ->
                human
                    .grants()
                    .create(
                        r.slug(),
                        GrantInput.of(Map.of(), Instant.now().plus(Duration.ofDays(31)))));
    assertThat(tooLong.code()).isEqualTo("VALIDATION_ERROR");
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.getMessage()).contains("expires_at");
    assertThat(tooLong.details()).containsEntry("field", "expires_at");
    WaitroomException noUses =
        error(
            () ->
                human
                    .grants()
                    .create(
                        r.slug(),
                        GrantInput.of(Map.of(), Instant.now().plus(Duration.ofDays(1)))
                            .maxUses(0)));
    assertThat(noUses.details()).containsEntry("field", "max_uses");
    WaitroomException missing =
        error(() -> human.grants().revoke(r.slug(), "gr_" + "0".repeat(26)));
    assertThat(missing.code()).isEqualTo("NOT_FOUND");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(error(() -> a.client().grants().list(r.slug())).statusCode()).isEqualTo(403);
    assertThat(error(() -> stranger.grants().list(r.slug())).code()).isEqualTo("NOT_FOUND");
    // The async form, on an empty room.
    assertThat(human.grants().listAsync(r.slug(), Map.of()).get(10, TimeUnit.SECONDS).data())
        .isEmpty();
  }

  @Test
  void aQuorumCheckInShowsItsVotesAndApprovalsNeededUntilTheSecondApprovalDecides() {
    Room r = roomWith(Map.of("quorum", Map.of("required", 2, "reject", "any")));
    assertThat(r.policies().quorum().required()).isEqualTo(2);
    TestAgent a = agent();
    try (EventSubscription votes =
        human
            .events()
            .subscribe(
                r.slug(), SubscribeOptions.types(EventTypes.CHECKIN_VOTE).lastEventId("0"))) {
      CheckIn ci = a.client().checkIns().create(r.slug(), CheckInInput.of("refund 500 EUR"));
      assertThat(ci.status()).isEqualTo("pending");
      assertThat(ci.quorum()).isEqualTo(new Quorum(2, null, "any"));
      assertThat(ci.votes()).isEmpty();
      assertThat(ci.approvalsNeeded()).isEqualTo(2);
      assertThat(ci.escalationLevel()).isZero();

      CheckIn first = human.checkIns().approve(ci.id(), "ok");
      assertThat(first.status()).isEqualTo("pending");
      assertThat(first.approvalsNeeded()).isEqualTo(1);
      CheckIn status = a.client().checkIns().status(ci.id());
      assertThat(status.approvalsNeeded()).isEqualTo(1);
      assertThat(status.votes()).hasSize(1);
      assertThat(status.votes().get(0).verdict()).isEqualTo("approved");
      assertThat(status.votes().get(0).reason()).isEqualTo("ok");
      assertThat(status.votes().get(0).voter()).startsWith("usr_");
      assertThat(status.votes().get(0).at()).isNotBlank();
      WaitroomException again = error(() -> human.checkIns().approve(ci.id(), null));
      assertThat(again.code()).isEqualTo("CONFLICT");
      assertThat(again.getMessage()).contains("already voted");

      CheckIn second = colleague.checkIns().approve(ci.id(), null);
      assertThat(second.status()).isEqualTo("approved");
      assertThat(second.approvalsNeeded()).isZero();
      assertThat(second.decision().votes()).hasSize(2);
      assertThat(second.decision().decidedBy()).isEqualTo(second.votes().get(1).voter());
      assertThat(second.decision().via()).isEqualTo("api");
      assertThat(second.votes().get(1).via()).isEqualTo("api");
      assertThat(second.votes().get(0).voter()).isNotEqualTo(second.votes().get(1).voter());
      RoomEvent vote = votes.next(Duration.ofSeconds(10));
      assertThat(vote).isNotNull();
      assertThat(vote.event()).isEqualTo(EventTypes.CHECKIN_VOTE);
    }
  }

  @Test
  void anEscalatedCheckInShowsItsLevelAndRaisedUrgencyWithAnEscalatedEvent() {
    // One policy minute lasts a second on the test server.
    Room r =
        roomWith(
            Map.of(
                "escalation",
                List.of(Map.of("after_minutes", 1, "urgency", "urgent", "notify", "all"))));
    assertThat(r.policies().escalation()).hasSize(1);
    assertThat(r.policies().escalation().get(0).notifies()).isEqualTo("all");
    TestAgent a = agent();
    try (EventSubscription escalated =
        human
            .events()
            .subscribe(
                r.slug(), SubscribeOptions.types(EventTypes.CHECKIN_ESCALATED).lastEventId("0"))) {
      CheckIn ci = a.client().checkIns().create(r.slug(), CheckInInput.of("deploy to prod"));
      assertThat(ci.escalationLevel()).isZero();
      assertThat(ci.quorum()).isNull();
      assertThat(ci.approvalsNeeded()).isNull();
      RoomEvent e = escalated.next(Duration.ofSeconds(15));
      assertThat(e).isNotNull();
      assertThat(e.event()).isEqualTo(EventTypes.CHECKIN_ESCALATED);
      CheckIn after = a.client().checkIns().get(ci.id());
      assertThat(after.escalationLevel()).isEqualTo(1);
      assertThat(after.urgency()).isEqualTo("urgent");
      assertThat(after.status()).isEqualTo("pending");
    }
  }

  // ---- receipts (issue 29) ----

  private static final com.fasterxml.jackson.databind.ObjectMapper SNAKE =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .setPropertyNamingStrategy(
              com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

  /** {@code ci} with one field of its JSON replaced, as a tampered answer would carry it. */
  private static CheckIn altered(CheckIn ci, String field, Object value) {
    com.fasterxml.jackson.databind.node.ObjectNode node = SNAKE.valueToTree(ci);
    node.set(field, SNAKE.valueToTree(value));
    return SNAKE.convertValue(node, CheckIn.class);
  }

  private static com.nimbusds.jose.jwk.JWKSet publishedKeys() throws Exception {
    return com.nimbusds.jose.jwk.JWKSet.parse(server.api.get("/.well-known/jwks.json", null).raw());
  }

  @Test
  void checkInAndWaitVerifiesTheReceiptAndTheOfflineVerifierNamesWhatWasAltered() throws Exception {
    Room r = room();
    TestAgent a = agent();
    Map<String, Object> context = new HashMap<>();
    context.put("env", "prod");
    context.put("big", 1e21);
    context.put("caf\u00e9", "\ud83d\ude00");
    CompletableFuture<CheckIn> waiting =
        a.client()
            .checkIns()
            .checkInAndWaitAsync(
                r.slug(), CheckInInput.of("deploy").context(context), Duration.ofSeconds(30), true);
    CheckIn pending = firstPending(r.slug());
    assertThat(io.waitroom.client.Receipts.payloadHash(pending)).isEqualTo(pending.payloadHash());
    human.checkIns().modify(pending.id(), "smaller", Map.of("replicas", 2, "note", "na\u00efve"));
    CheckIn decided = waiting.get(30, TimeUnit.SECONDS);
    assertThat(decided.status()).isEqualTo("modified");

    io.waitroom.client.Model.ReceiptClaims claims = a.client().receipts().verify(decided);
    assertThat(claims.decision()).isEqualTo("modified");
    assertThat(claims.checkInId()).isEqualTo(decided.id());
    assertThat(claims.agentId()).isEqualTo(a.id());
    assertThat(claims.decidedBy()).startsWith("usr_");
    assertThat(a.client().receipts().get(decided.id()).receipt()).isEqualTo(decided.receipt());

    com.nimbusds.jose.jwk.JWKSet keys = publishedKeys();
    assertThat(io.waitroom.client.Receipts.verify(decided, keys, claims.iss())).isEqualTo(claims);
    for (var tampered :
        List.of(
            Map.entry("payload_hash", altered(decided, "action", "deploy everything")),
            Map.entry("payload_hash", altered(decided, "context", Map.of("env", "dev"))),
            Map.entry(
                "modifications_hash",
                altered(
                    decided,
                    "decision",
                    Map.of(
                        "type", "modified",
                        "decided_by", decided.decision().decidedBy(),
                        "modifications", Map.of("replicas", 20)))),
            Map.entry(
                "decision",
                altered(
                    decided,
                    "decision",
                    Map.of("type", "approved", "decided_by", decided.decision().decidedBy()))))) {
      io.waitroom.client.ReceiptVerificationException e =
          catchThrowableOfType(
              io.waitroom.client.ReceiptVerificationException.class,
              () -> io.waitroom.client.Receipts.verify(tampered.getValue(), keys, null));
      assertThat(e).as(tampered.getKey()).isNotNull();
      assertThat(e.reason()).isEqualTo("mismatch");
      assertThat(e.field()).isEqualTo(tampered.getKey());
    }
    String[] parts = decided.receipt().split("\\.");
    String forged =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    SNAKE.writeValueAsBytes(
                        Map.of("check_in_id", decided.id(), "decision", "approved")))
            + "."
            + parts[2];
    assertThat(
            catchThrowableOfType(
                    io.waitroom.client.ReceiptVerificationException.class,
                    () ->
                        io.waitroom.client.Receipts.verify(
                            altered(decided, "receipt", forged), keys, null))
                .reason())
        .isEqualTo("bad_signature");
    assertThat(
            catchThrowableOfType(
                    io.waitroom.client.ReceiptVerificationException.class,
                    () ->
                        io.waitroom.client.Receipts.verify(
                            decided, new com.nimbusds.jose.jwk.JWKSet(), null))
                .reason())
        .isEqualTo("unknown_key");
  }

  @Test
  void checkInAndWaitWithVerificationFailsTypedWhenTheAnswerWasTamperedWith() throws Exception {
    Room r = room();
    TestAgent a = agent();
    java.net.http.HttpClient upstream = java.net.http.HttpClient.newHttpClient();
    // A man in the middle that forwards to the server and changes the context in status answers.
    HttpServer mitm =
        fake(
            ex -> {
              byte[] body = ex.getRequestBody().readAllBytes();
              var req =
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(server.api.base() + ex.getRequestURI()))
                      .method(
                          ex.getRequestMethod(),
                          body.length == 0
                              ? java.net.http.HttpRequest.BodyPublishers.noBody()
                              : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
              ex.getRequestHeaders()
                  .forEach(
                      (k, v) -> {
                        if (k.equalsIgnoreCase("Authorization")
                            || k.equalsIgnoreCase("Content-Type")
                            || k.equalsIgnoreCase("Idempotency-Key")) req.header(k, v.get(0));
                      });
              try {
                var res =
                    upstream.send(req.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                String text = res.body();
                if (ex.getRequestURI().getPath().endsWith("/status")) {
                  text = text.replace("\"env\":\"prod\"", "\"env\":\"dev\"");
                }
                answer(ex, res.statusCode(), text);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    try {
      WaitroomClient tapped = client(a.key(), "http://127.0.0.1:" + mitm.getAddress().getPort());
      CompletableFuture<CheckIn> waiting =
          tapped
              .checkIns()
              .checkInAndWaitAsync(
                  r.slug(),
                  CheckInInput.of("wipe disk").context(Map.of("env", "prod")),
                  Duration.ofSeconds(30),
                  true);
      CheckIn pending = firstPending(r.slug());
      human.checkIns().approve(pending.id(), null);
      Throwable failure =
          catchThrowableOfType(
              java.util.concurrent.ExecutionException.class,
              () -> waiting.get(30, TimeUnit.SECONDS));
      assertThat(failure.getCause())
          .isInstanceOf(io.waitroom.client.ReceiptVerificationException.class);
      io.waitroom.client.ReceiptVerificationException rve =
          (io.waitroom.client.ReceiptVerificationException) failure.getCause();
      assertThat(rve.field()).isEqualTo("payload_hash");
      assertThat(rve.checkIn().status()).isEqualTo("approved");
    } finally {
      mitm.stop(0);
    }
  }
}
