package io.waitroom.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.waitroom.Server;
import io.waitroom.auth.JwtVerifier;
import io.waitroom.config.ServerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real server on a free port, against a fresh database of the shared embedded PostgreSQL. */
public final class TestServer implements AutoCloseable {
  public static final String SECRET = "test-secret-0123456789-0123456789-abcdef";

  private final Server server;
  private final Map<String, String> env;
  public final Api api;
  public final String databaseUrl;

  private TestServer(Server server, Map<String, String> env, String databaseUrl) {
    this.server = server;
    this.env = env;
    this.databaseUrl = databaseUrl;
    this.api = new Api(server.port());
  }

  public static TestServer start() {
    return start(Map.of());
  }

  /** Starts with the test defaults, overridden by {@code overrides} (WAITROOM_* keys). */
  public static TestServer start(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("WAITROOM_PORT", String.valueOf(freePort()));
    env.put("WAITROOM_HOST", "127.0.0.1");
    env.put("WAITROOM_JWT_SECRET", SECRET);
    env.put("WAITROOM_HTTP_INSTANCES", "2");
    env.put("WAITROOM_DB_POOL_SIZE", "8");
    env.put("WAITROOM_WEBHOOK_ALLOW_PRIVATE", "true");
    env.put("WAITROOM_SWEEP_INTERVAL_MS", "200");
    // One timeout "minute" lasts a second in tests.
    env.put("WAITROOM_TIMEOUT_UNIT_SECONDS", "1");
    // Tests fire requests far faster than any client should; rate-limit tests set their own limit.
    env.put("WAITROOM_RATE_LIMIT_PER_MINUTE", "1000000");
    try {
      env.put("WAITROOM_DATA_DIR", Files.createTempDirectory("waitroom-test-data").toString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // An empty WAITROOM_DATABASE_URL override means: the embedded database under the data dir.
    if (!overrides.containsKey("WAITROOM_DATABASE_URL")) {
      env.put("WAITROOM_DATABASE_URL", TestDb.freshDatabaseUrl());
    }
    env.putAll(overrides);
    return boot(env);
  }

  public static TestServer boot(Map<String, String> env) {
    ServerConfig config = ServerConfig.from(env);
    try {
      Server s =
          Server.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      return new TestServer(s, Map.copyOf(env), env.get("WAITROOM_DATABASE_URL"));
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
  }

  /** A second node on the same database (and Redis, if configured). */
  public TestServer secondNode() {
    Map<String, String> e = new HashMap<>(env);
    e.put("WAITROOM_PORT", String.valueOf(freePort()));
    return boot(e);
  }

  public Map<String, String> env() {
    return env;
  }

  public Server server() {
    return server;
  }

  public Vertx vertx() {
    return server.vertx();
  }

  @Override
  public void close() {
    try {
      server.close().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server did not stop", e);
    }
  }

  /** A human JWT signed with the test secret. */
  public static String token(String org, String sub) {
    return token(new JsonObject().put("org_id", org).put("sub", sub), 3600);
  }

  private static final Vertx MINTER = Vertx.vertx();

  public static String token(JsonObject claims, int ttlSeconds) {
    return JwtVerifier.mint(MINTER, SECRET, claims, ttlSeconds);
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path tempDir() {
    try {
      return Files.createTempDirectory("waitroom-test");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
