package io.waitroom.db;

import io.vertx.pgclient.PgConnectOptions;
import io.waitroom.config.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system of record: an external PostgreSQL named by {@code WAITROOM_DATABASE_URL}, or an
 * embedded one whose data directory persists under the data dir. Blocking: called from a worker
 * thread before any verticle is deployed.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final EmbeddedDatabase embedded;
  private final PgConnectOptions connectOptions;
  private final String jdbcUrl;

  private Database(EmbeddedDatabase embedded, PgConnectOptions options, String jdbcUrl) {
    this.embedded = embedded;
    this.connectOptions = options;
    this.jdbcUrl = jdbcUrl;
  }

  public static Database open(ServerConfig config) throws IOException {
    Database db;
    if (config.embeddedDatabase()) {
      EmbeddedDatabase embedded =
          EmbeddedDatabase.start(config.dataDir(), config.embeddedRelaxedDurability());
      EmbeddedPostgres pg = embedded.postgres();
      PgConnectOptions options =
          new PgConnectOptions()
              .setHost("localhost")
              .setPort(pg.getPort())
              .setDatabase("postgres")
              .setUser("postgres");
      db = new Database(embedded, options, pg.getJdbcUrl("postgres", "postgres"));
    } else {
      PgConnectOptions options = PgConnectOptions.fromUri(normalise(config.databaseUrl()));
      String jdbc =
          "jdbc:postgresql://"
              + options.getHost()
              + ":"
              + options.getPort()
              + "/"
              + options.getDatabase();
      db = new Database(null, options, jdbc);
    }
    try {
      db.migrate();
    } catch (RuntimeException e) {
      db.close(); // or the embedded PostgreSQL outlives the failed start
      throw e;
    }
    return db;
  }

  /** Accepts {@code postgres://} as well as {@code postgresql://}. */
  private static String normalise(String url) {
    URI u = URI.create(url.trim());
    if ("postgres".equals(u.getScheme())) return "postgresql" + url.trim().substring(8);
    return url.trim();
  }

  private void migrate() {
    var result =
        Flyway.configure()
            .dataSource(jdbcUrl, connectOptions.getUser(), connectOptions.getPassword())
            .locations("classpath:db/migration")
            .load()
            .migrate();
    log.info(
        "migrations applied count={} schema_version={}",
        result.migrationsExecuted,
        result.targetSchemaVersion);
  }

  /** Where the database is and who connects; how the node's connections talk: {@link LoopPools}. */
  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  @Override
  public void close() {
    if (embedded != null) embedded.close();
  }
}
