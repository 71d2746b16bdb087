package io.waitroom.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** One embedded PostgreSQL per test JVM; every test class gets a fresh database in it. */
public final class TestDb {
  private static EmbeddedPostgres pg;
  private static final AtomicInteger counter = new AtomicInteger();

  private TestDb() {}

  public static synchronized EmbeddedPostgres instance() {
    if (pg == null) {
      try {
        Path dir = Files.createTempDirectory("waitroom-test-pg");
        pg =
            EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "300")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start embedded PostgreSQL", e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      pg.close();
                    } catch (IOException ignored) {
                      // the JVM is going away anyway
                    }
                  }));
    }
    return pg;
  }

  /** A new empty database; returns its {@code postgresql://} URL. */
  public static String freshDatabaseUrl() {
    EmbeddedPostgres p = instance();
    String name = "t" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet();
    try (Connection c = p.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return "postgresql://postgres@localhost:" + p.getPort() + "/" + name;
  }

  /** Direct SQL for test set-up that the API cannot express (e.g. moving a clock back). */
  public static void exec(String databaseUrl, String sql) {
    String db = databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1);
    try (Connection c = instance().getDatabase("postgres", db).getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static long queryLong(String databaseUrl, String sql) {
    String db = databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1);
    return queryLong(instance().getDatabase("postgres", db), sql);
  }

  /** The first column of the first row of {@code sql}, as a number. */
  public static long queryLong(DataSource database, String sql) {
    try (Connection c = database.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
