package io.waitroom.db;

import io.waitroom.config.StartupRefused;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of one data dir, safe across crashes of the server:
 *
 * <ul>
 *   <li>one server per data dir: an OS file lock ({@code <data dir>/embedded.lock}) that dies with
 *       the process, so a second server refuses at once and a crashed one leaves nothing behind;
 *   <li>a postmaster left running by a crashed server of this data dir (its {@code postmaster.pid})
 *       is shut down before the new one starts, instead of the start timing out against it;
 *   <li>a watchdog child process waits for end-of-file on a pipe from this JVM: the kernel closes
 *       the pipe however the JVM dies (even {@code kill -9}), and the watchdog then sends the
 *       postmaster a fast shutdown, so no orphan holds the port or the data dir;
 *   <li>durable by default ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes} on;
 *       the library's defaults are its test-suite ones, all off).
 * </ul>
 *
 * Blocking throughout: used from the start-up thread before any verticle is deployed.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

  private final FileChannel lockChannel;
  private final FileLock lock;
  private final EmbeddedPostgres postgres;
  private final Process watchdog;

  private EmbeddedDatabase(
      FileChannel lockChannel, FileLock lock, EmbeddedPostgres postgres, Process watchdog) {
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.postgres = postgres;
    this.watchdog = watchdog;
  }

  /** Starts (or restarts after a crash) the embedded PostgreSQL under {@code dataDir/postgres}. */
  static EmbeddedDatabase start(Path dataDir, boolean relaxed) throws IOException {
    Files.createDirectories(dataDir);
    Path pgDir = dataDir.resolve("postgres");
    Files.createDirectories(pgDir);
    FileChannel channel =
        FileChannel.open(
            dataDir.resolve("embedded.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new StartupRefused(
          "another Waitroom server is running on the data dir "
              + dataDir.toAbsolutePath()
              + " (its embedded database is in use); stop it or set WAITROOM_DATA_DIR");
    }
    try {
      stopOrphan(pgDir);
      log.info(
          "starting embedded PostgreSQL data_dir={} durability={}",
          pgDir.toAbsolutePath(),
          relaxed ? "relaxed" : "durable");
      String on = relaxed ? "off" : "on";
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(pgDir)
              .setCleanDataDirectory(false)
              .setServerConfig("max_connections", "200")
              // The library starts postgres with -F (fsync off); a later -c wins.
              .setServerConfig("fsync", on)
              .setServerConfig("synchronous_commit", on)
              .setServerConfig("full_page_writes", on)
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
      Process watchdog;
      try {
        watchdog = startWatchdog(postmasterPid(pgDir).orElseThrow());
      } catch (RuntimeException | IOException e) {
        pg.close();
        throw e;
      }
      return new EmbeddedDatabase(channel, lock, pg, watchdog);
    } catch (RuntimeException | IOException e) {
      lock.release();
      channel.close();
      throw e;
    }
  }

  EmbeddedPostgres postgres() {
    return postgres;
  }

  /**
   * A postmaster of this data dir that still runs although we hold the lock was left by a server
   * that died without stopping it: ask it for a fast shutdown, then an immediate one, and wait.
   */
  private static void stopOrphan(Path pgDir) throws IOException {
    Optional<Long> pid = postmasterPid(pgDir);
    if (pid.isEmpty()) return;
    Optional<ProcessHandle> orphan =
        ProcessHandle.of(pid.get()).filter(EmbeddedDatabase::isPostgres);
    if (orphan.isEmpty()) {
      // Stale: the process is gone (or the pid now belongs to something else). PostgreSQL would
      // refuse a pid file whose pid is alive, so remove it; the lock says nobody else uses it.
      Files.deleteIfExists(pgDir.resolve("postmaster.pid"));
      return;
    }
    log.warn(
        "stopping the embedded PostgreSQL left running by a previous server pid={}", pid.get());
    signal("INT", pid.get());
    if (!waitForExit(orphan.get(), ORPHAN_STOP_WAIT)) {
      signal("QUIT", pid.get());
      if (!waitForExit(orphan.get(), ORPHAN_STOP_WAIT)) {
        throw new StartupRefused(
            "the embedded PostgreSQL left by a previous server (pid "
                + pid.get()
                + ") does not stop; stop it by hand");
      }
    }
    log.info("previous embedded PostgreSQL stopped pid={}", pid.get());
  }

  private static boolean isPostgres(ProcessHandle p) {
    return p.isAlive()
        && p.info()
            .command()
            .map(c -> Path.of(c).getFileName().toString())
            .orElse("")
            .startsWith("postgres");
  }

  private static boolean waitForExit(ProcessHandle p, Duration max) {
    try {
      p.onExit().get(max.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  private static void signal(String name, long pid) throws IOException {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The postmaster's pid: the first line of {@code postmaster.pid}, if the file exists. */
  private static Optional<Long> postmasterPid(Path pgDir) throws IOException {
    Path file = pgDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(file)) return Optional.empty();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) return Optional.empty();
    try {
      return Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code sh} reads its stdin (a pipe from this JVM) until end-of-file, which comes when this
   * process exits however it exits, then asks the postmaster for a fast shutdown.
   */
  private static Process startWatchdog(long postmasterPid) throws IOException {
    return new ProcessBuilder(
            "sh",
            "-c",
            "cat >/dev/null; kill -INT \"$1\" 2>/dev/null",
            "waitroom-pg-watchdog",
            Long.toString(postmasterPid))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  @Override
  public void close() {
    // The watchdog goes first: once the postmaster has stopped, its pid may be reused.
    watchdog.destroy();
    try {
      postgres.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("could not release the data dir lock: {}", e.getMessage());
    }
  }
}
