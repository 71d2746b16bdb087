package io.waitroom.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An embedded PostgreSQL of its own (not the JVM's shared {@link TestDb}), which a test can stop
 * and start again on the same data directory and port, the way an operator restarts a database
 * under a running server ({@code pg_ctl stop -m fast}, then start).
 */
public final class RestartablePostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres pg;

  private RestartablePostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  /** A new cluster on a free port, with a database named {@code waitroom}. */
  public static RestartablePostgres start() {
    try {
      RestartablePostgres p =
          new RestartablePostgres(
              Files.createTempDirectory("waitroom-restart-pg"), TestServer.freePort());
      p.up();
      try (Connection c = p.pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE waitroom");
      }
      return p;
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot start embedded PostgreSQL", e);
    }
  }

  /** The {@code postgresql://} URL of its {@code waitroom} database. */
  public String url() {
    return "postgresql://postgres@localhost:" + port + "/waitroom";
  }

  /** Stops the server process (a fast shutdown: open connections are terminated). */
  public synchronized void stop() {
    if (pg == null) return;
    try {
      pg.close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot stop embedded PostgreSQL", e);
    }
    pg = null;
  }

  /** Starts it again on the same data directory and port. */
  public synchronized void restart() {
    try {
      up();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart embedded PostgreSQL", e);
    }
  }

  /** One number from the {@code waitroom} database. */
  public long queryLong(String sql) {
    return TestDb.queryLong(pg.getDatabase("postgres", "waitroom"), sql);
  }

  private void up() throws IOException {
    if (pg != null) return;
    // The data directory is kept: a clean one would be wiped on every start and stop.
    pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setServerConfig("fsync", "off")
            .start();
  }

  @Override
  public void close() {
    stop();
  }
}
