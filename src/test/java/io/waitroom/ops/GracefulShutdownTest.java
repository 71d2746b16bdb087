package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Jwts;
import io.waitroom.support.TestDb;
import io.waitroom.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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

  /**
   * The real thing, as in a container: the jar's main in its own JVM on the embedded database,
   * stopped with SIGTERM while a request waits on a lock. The request must still be answered and
   * the process exit 0, so the database may only stop after the HTTP drain.
   */
  @Test
  void sigtermOnTheEmbeddedDatabaseLetsAnInFlightRequestFinish() throws Exception {
    Path dataDir = TestServer.tempDir();
    int port = TestServer.freePort();
    Path log = dataDir.resolve("server.log");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "io.waitroom.Main");
    pb.environment().keySet().removeIf(k -> k.startsWith("WAITROOM_"));
    pb.environment()
        .putAll(
            Map.of(
                "WAITROOM_PORT", String.valueOf(port),
                "WAITROOM_HOST", "127.0.0.1",
                "WAITROOM_DATA_DIR", dataDir.toString(),
                "WAITROOM_HTTP_INSTANCES", "1",
                "WAITROOM_DB_POOL_SIZE", "4"));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = pb.start();
    try {
      Api api = new Api(port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!healthy(api)) {
        assertThat(process.isAlive()).as("server process is running").isTrue();
        assertThat(System.nanoTime()).as("server came up").isLessThan(deadline);
        Thread.sleep(200);
      }
      String secret = Files.readString(dataDir.resolve("jwt-secret")).trim();
      String human = Jwts.hmac("HS256", secret, Jwts.claims("sigterm-org", "sig"));
      assertThat(api.get("/v1/rooms", human).status()).isEqualTo(200);

      int pgPort = Integer.parseInt(Files.readAllLines(postmasterPid(dataDir)).get(3).trim());
      try (Connection lock =
              DriverManager.getConnection(
                  "jdbc:postgresql://localhost:" + pgPort + "/postgres", "postgres", "");
          Statement s = lock.createStatement()) {
        lock.setAutoCommit(false);
        s.execute("LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE");
        CompletableFuture<Res> inFlight =
            api.sendAsync(
                "POST", "/v1/rooms", human, new JsonObject().put("name", "Mid-flight"), Map.of());
        awaitLockWaiter(s);

        process.destroy(); // SIGTERM
        Thread.sleep(1000);
        assertThat(process.isAlive()).as("the process waits for the request").isTrue();
        assertThat(inFlight).isNotDone();

        lock.commit();
        Res r = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r + "\n" + Files.readString(log)).isEqualTo(201);
      }
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits").isTrue();
      assertThat(process.exitValue()).as(Files.readString(log)).isZero();
      assertThat(postmasterPid(dataDir)).as("the embedded database stopped").doesNotExist();
    } finally {
      stop(process, dataDir);
    }
  }

  static boolean healthy(Api api) {
    try {
      return api.get("/healthz", null).status() == 200;
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  static Path postmasterPid(Path dataDir) {
    return dataDir.resolve("postgres").resolve("postmaster.pid");
  }

  static void awaitLockWaiter(Statement s) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      // Inside a transaction the statistics views are a snapshot: refresh it on every look.
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                  + " AND query LIKE 'INSERT INTO rooms%'")) {
        rs.next();
        if (rs.getLong(1) > 0) return;
      }
      assertThat(System.nanoTime()).as("the request reaches the lock").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Whatever happened, leave no server and no orphaned postmaster behind. */
  static void stop(Process process, Path dataDir) throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
    Path pid = postmasterPid(dataDir);
    if (Files.exists(pid)) {
      long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
      ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
    }
  }
}
