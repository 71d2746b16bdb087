package io.waitroom.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.waitroom.support.Api;
import io.waitroom.support.Api.Res;
import io.waitroom.support.Jwts;
import io.waitroom.support.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded default across hard crashes: the server runs in a child JVM (as {@code java -jar}
 * would) and is killed with SIGKILL, then started again at once on the same data dir.
 */
class CrashSafetyTest {
  private final List<Process> children = new java.util.ArrayList<>();

  @AfterEach
  void killChildren() {
    children.forEach(p -> p.destroyForcibly());
  }

  /** A server in a child JVM on the embedded database of {@code dataDir}. */
  private record Child(Process process, int port, Path log) {
    Api api() {
      return new Api(port);
    }
  }

  private Child start(Path dataDir) throws IOException {
    int port = TestServer.freePort();
    Path log = Files.createTempFile(dataDir.getParent(), "server", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.waitroom.Main")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("WAITROOM_"));
    env.putAll(RestartTest.embeddedEnv(dataDir));
    env.put("WAITROOM_PORT", String.valueOf(port));
    Process p = pb.start();
    children.add(p);
    return new Child(p, port, log);
  }

  private static void awaitReady(Child c) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(c.process().isAlive())
          .as("server exited early:\n" + Files.readString(c.log()))
          .isTrue();
      try {
        if (c.api().get("/readyz", null).status() == 200) return;
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server not ready in 90 s:\n" + Files.readString(c.log()));
  }

  private static long postmasterPid(Path dataDir) throws IOException {
    return Long.parseLong(
        Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"), StandardCharsets.UTF_8)
            .get(0)
            .trim());
  }

  private static int postmasterPort(Path dataDir) throws IOException {
    return Integer.parseInt(
        Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"), StandardCharsets.UTF_8)
            .get(3)
            .trim());
  }

  private static String human(Path dataDir) throws Exception {
    return Jwts.hmac("HS256", RestartTest.secretOf(dataDir), Jwts.claims("crash-org", "cora"));
  }

  private static void killHard(Child c) throws InterruptedException {
    c.process().destroyForcibly();
    assertThat(c.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aStartRightAfterKillNineSucceedsAndKeepsEveryAcknowledgedWrite() throws Exception {
    Path dataDir = TestServer.tempDir().resolve("data");
    Child first = start(dataDir);
    awaitReady(first);
    String h = human(dataDir);
    Res room = first.api().post("/v1/rooms", h, new JsonObject().put("name", "Crash"));
    assertThat(room.status()).as(room.toString()).isEqualTo(201);
    long oldPostmaster = postmasterPid(dataDir);

    killHard(first);
    // The watchdog stops the orphaned postmaster; no process of ours holds the data dir.
    assertThat(ProcessHandle.of(oldPostmaster).map(p -> waitGone(p, 30)).orElse(true)).isTrue();

    Child second = start(dataDir);
    awaitReady(second);
    Res again = second.api().get("/v1/rooms/" + room.data().getString("id"), h);
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.data().getString("name")).isEqualTo("Crash");
  }

  @Test
  void aPostmasterLeftRunningByADeadServerIsStoppedAndTheStartSucceeds() throws Exception {
    Path dataDir = TestServer.tempDir().resolve("data");
    Child first = start(dataDir);
    awaitReady(first);
    long oldPostmaster = postmasterPid(dataDir);
    // Kill the watchdog first, then the JVM: the postmaster is left running, as after a crash of
    // a server without the watchdog or a kill of the whole process group but the daemon.
    first.process().descendants().forEach(ProcessHandle::destroyForcibly);
    killHard(first);
    assertThat(ProcessHandle.of(oldPostmaster).map(ProcessHandle::isAlive).orElse(false))
        .as("the orphaned postmaster is still running")
        .isTrue();

    Child second = start(dataDir);
    awaitReady(second);
    assertThat(ProcessHandle.of(oldPostmaster).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Files.readString(second.log())).contains("left running by a previous server");
  }

  @Test
  void aSecondServerOnTheSameDataDirRefusesAtOnceWithAClearMessage() throws Exception {
    Path dataDir = TestServer.tempDir().resolve("data");
    Child first = start(dataDir);
    awaitReady(first);
    long t0 = System.nanoTime();
    Child second = start(dataDir);
    assertThat(second.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    assertThat(second.process().exitValue()).isEqualTo(1);
    String log = Files.readString(second.log());
    assertThat(log).contains("another Waitroom server is running on the data dir");
    assertThat(log).doesNotContain("\tat ");
    assertThat(seconds).as("refused without waiting for a start-up timeout").isLessThan(20);
    // The first one is untouched.
    assertThat(first.api().get("/readyz", null).status()).isEqualTo(200);
  }

  @Test
  void theEmbeddedDatabaseIsDurableByDefault() throws Exception {
    Path dataDir = TestServer.tempDir().resolve("data");
    Child c = start(dataDir);
    awaitReady(c);
    assertThat(settings(dataDir))
        .containsEntry("fsync", "on")
        .containsEntry("synchronous_commit", "on")
        .containsEntry("full_page_writes", "on");
  }

  @Test
  void relaxedDurabilityIsAnExplicitSetting() throws Exception {
    Path dataDir = TestServer.tempDir().resolve("data");
    Map<String, String> env = RestartTest.embeddedEnv(dataDir);
    env.put("WAITROOM_EMBEDDED_DURABILITY", "relaxed");
    try (TestServer s = TestServer.boot(env)) {
      assertThat(settings(dataDir))
          .containsEntry("fsync", "off")
          .containsEntry("synchronous_commit", "off")
          .containsEntry("full_page_writes", "off");
    }
    env.put("WAITROOM_EMBEDDED_DURABILITY", "fast");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.boot(env))
        .hasStackTraceContaining("WAITROOM_EMBEDDED_DURABILITY must be 'durable' or 'relaxed'");
  }

  private static Map<String, String> settings(Path dataDir) throws Exception {
    Map<String, String> out = new java.util.HashMap<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + postmasterPort(dataDir) + "/postgres",
                "postgres",
                "");
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT name, setting FROM pg_settings"
                    + " WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")) {
      while (r.next()) out.put(r.getString(1), r.getString(2));
    }
    return out;
  }

  private static boolean waitGone(ProcessHandle p, int seconds) {
    try {
      p.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return !p.isAlive();
    }
  }
}
