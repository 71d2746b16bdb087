package io.waitroom;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.sqlclient.Pool;
import io.waitroom.auth.AgentKeyCache;
import io.waitroom.auth.JwtVerifier;
import io.waitroom.bus.LocalCodec;
import io.waitroom.config.ServerConfig;
import io.waitroom.db.Database;
import io.waitroom.db.LoopPools;
import io.waitroom.events.ClusterBridgeVerticle;
import io.waitroom.events.EventRetentionVerticle;
import io.waitroom.events.EventWaiters;
import io.waitroom.events.RoomEvent;
import io.waitroom.events.StreamMetrics;
import io.waitroom.notify.MailVerticle;
import io.waitroom.policy.RoomPolicies;
import io.waitroom.push.PushKeys;
import io.waitroom.push.PushVerticle;
import io.waitroom.ratelimit.RateLimiter;
import io.waitroom.receipts.AuditSealerVerticle;
import io.waitroom.receipts.Receipts;
import io.waitroom.receipts.SigningKeyVerticle;
import io.waitroom.receipts.SigningKeys;
import io.waitroom.slack.SlackVerticle;
import io.waitroom.stats.DecisionMetricsVerticle;
import io.waitroom.sweeper.TimeoutSweeperVerticle;
import io.waitroom.util.Ids;
import io.waitroom.watchers.WatcherVerticle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Waitroom node: config, then the database (embedded or external) and Flyway on a
 * worker thread, then the verticles. Used by the CLI and by the tests alike.
 */
public final class Server {
  private static final Logger log = LoggerFactory.getLogger(Server.class);

  private final Vertx vertx;
  private final Database database;
  private final Pool pool;
  private final Deps deps;
  // In deployment order; undeployed in reverse on close, while the pool is still open.
  private final List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicReference<CompletableFuture<Void>> closing = new AtomicReference<>();

  private Server(Vertx vertx, Database database, Pool pool, Deps deps) {
    this.vertx = vertx;
    this.database = database;
    this.pool = pool;
    this.deps = deps;
  }

  public static Future<Server> start(ServerConfig config) {
    String registry = "waitroom-" + UUID.randomUUID();
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(registry)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE);
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    // epoll where its library is (Linux x86-64, in the jar), else NIO.
                    .setPreferNativeTransport(true)
                    .setMetricsOptions(metrics)
                    .setEventLoopPoolSize(config.eventLoops()))
            .withMetrics(new MicrometerMetricsFactory())
            .build();
    vertx.eventBus().registerDefaultCodec(RoomEvent.class, new LocalCodec<>(RoomEvent.class));

    AtomicReference<Database> opened = new AtomicReference<>();
    Future<Server> started =
        vertx
            .executeBlocking(
                () -> {
                  Database database = Database.open(config);
                  opened.set(database);
                  // Reading the PEM file is blocking I/O too: done here, off the event loop.
                  return new Boot(
                      database,
                      jwtSecret(config),
                      readPem(config.jwtPublicKey()),
                      PushKeys.load(config),
                      SigningKeys.load(config));
                })
            .compose(
                boot ->
                    loadJwks(vertx, config)
                        .compose(
                            jwks -> {
                              // One pool per event loop (LoopPools: no hand-over between
                              // threads for a statement or its answer).
                              Pool pool =
                                  LoopPools.create(
                                      vertx, boot.database().connectOptions(), config.dbPoolSize());
                              JwtVerifier jwt =
                                  JwtVerifier.create(
                                          vertx,
                                          boot.secret(),
                                          jwks,
                                          boot.publicKeyPem(),
                                          config.orgClaims())
                                      .withRoleClaim(config.access().jwtRoleClaim());
                              Deps deps =
                                  new Deps(
                                      vertx,
                                      pool,
                                      config,
                                      jwt,
                                      registry,
                                      new AtomicBoolean(),
                                      new EventWaiters(vertx, registry),
                                      new RateLimiter(
                                          vertx, config.rateLimitPerMinute(), config.redisUrl()),
                                      new StreamMetrics(registry),
                                      boot.pushKeys(),
                                      new AgentKeyCache(vertx),
                                      new RoomPolicies(config.timeoutUnitSeconds()),
                                      new Receipts(boot.signingKeys(), config.publicUrl()));
                              Server server = new Server(vertx, boot.database(), pool, deps);
                              return server.deploy().map(server);
                            }));
    // Not bound to any context: on failure it completes after this Vert.x instance is gone.
    Promise<Server> outcome = Promise.promise();
    started.onComplete(
        ar -> {
          if (ar.succeeded()) {
            outcome.complete(ar.result());
            return;
          }
          // Clean up from a plain thread: a future chained on vertx.close() from one of its own
          // event loops never completes (start-up then hung instead of failing), and stopping
          // the embedded database blocks.
          new Thread(
                  () -> {
                    vertx
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .handle((v, e) -> null)
                        .join();
                    Database database = opened.get();
                    if (database != null) database.close();
                    outcome.fail(ar.cause());
                  },
                  "waitroom-start-failed")
              .start();
        });
    return outcome.future();
  }

  private record Boot(
      Database database,
      String secret,
      String publicKeyPem,
      PushKeys pushKeys,
      SigningKeys signingKeys) {}

  /**
   * Deploys every verticle. Later concerns (sweeper, watcher dispatch, cluster bridge) are added
   * here, each as its own verticle.
   */
  private Future<Void> deploy() {
    ServerConfig config = deps.config();
    return deps.policies()
        .listen(vertx)
        // Its keys published before any receipt names them.
        .compose(v -> vertx.deployVerticle(new SigningKeyVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(id -> vertx.deployVerticle(new TimeoutSweeperVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(id -> vertx.deployVerticle(new AuditSealerVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(id -> vertx.deployVerticle(new EventRetentionVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(id -> vertx.deployVerticle(new DecisionMetricsVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(
            id ->
                config.redisUrl() == null
                    ? Future.<String>succeededFuture(null)
                    : vertx.deployVerticle(new ClusterBridgeVerticle(deps)))
        .onSuccess(
            id -> {
              if (id != null) deployments.add(id);
            })
        .compose(id -> vertx.deployVerticle(new WatcherVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(id -> vertx.deployVerticle(new PushVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(id -> vertx.deployVerticle(new SlackVerticle(deps)))
        .onSuccess(deployments::add)
        .compose(
            id ->
                config.mailEnabled()
                    ? vertx.deployVerticle(new MailVerticle(deps))
                    : Future.<String>succeededFuture(null))
        .onSuccess(
            id -> {
              if (id != null) deployments.add(id);
            })
        .compose(
            id ->
                vertx.deployVerticle(
                    () -> new HttpVerticle(deps),
                    new DeploymentOptions().setInstances(config.effectiveHttpInstances())))
        .onSuccess(deployments::add)
        .onSuccess(
            id ->
                log.info(
                    "waitroom listening host={} port={} http_instances={} transport={} database={}"
                        + " redis={}",
                    config.host(),
                    config.port(),
                    config.effectiveHttpInstances(),
                    vertx.isNativeTransportEnabled() ? "epoll" : "nio",
                    config.embeddedDatabase() ? "embedded" : "external",
                    config.redisUrl() == null ? "off" : "on"))
        .mapEmpty();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Deps deps() {
    return deps;
  }

  public int port() {
    return deps.config().port();
  }

  /**
   * Graceful: undeploy the verticles first (the HTTP servers stop accepting and finish in-flight
   * requests), then close the pool, then Vert.x, then stop the embedded database on a plain thread.
   * Closing Vert.x alone would close the pool while requests still need it.
   */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    // Idempotent: a signal handler and a shutdown hook may both ask.
    if (!closing.compareAndSet(null, done)) return closing.get();
    deps.draining().set(true);
    // Vert.x closes resources made outside verticles (the pool) before it undeploys them, so
    // undeploy first, newest first: HTTP stops accepting and finishes its requests, the watcher
    // verticle records its in-flight attempts, and only then does the pool go.
    Future<Void> undeployed = Future.succeededFuture();
    List<String> reversed = new java.util.ArrayList<>(deployments);
    java.util.Collections.reverse(reversed);
    for (String id : reversed) {
      undeployed = undeployed.transform(ar -> vertx.undeploy(id));
    }
    undeployed
        .transform(ar -> pool.close())
        .transform(ar -> vertx.close())
        .toCompletionStage()
        .toCompletableFuture()
        .handle((v, e) -> null)
        .thenRunAsync(database::close, r -> new Thread(r, "waitroom-db-stop").start())
        .whenComplete((v, e) -> done.complete(null));
    return done;
  }

  /** The HS256 secret: configured, or generated once into the data dir and reused. */
  public static String jwtSecret(ServerConfig config) throws IOException {
    if (config.jwtSecret() != null) return config.jwtSecret();
    Path file = config.dataDir().resolve("jwt-secret");
    if (Files.isRegularFile(file)) return Files.readString(file, StandardCharsets.UTF_8).trim();
    Files.createDirectories(config.dataDir());
    String secret = Ids.secret("", 64);
    Path tmp = config.dataDir().resolve("jwt-secret.tmp");
    Files.writeString(tmp, secret, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    log.info("generated a JWT secret file={}", file.toAbsolutePath());
    return secret;
  }

  private static String readPem(String value) {
    if (value == null) return null;
    if (value.contains("-----BEGIN")) return value;
    try {
      return Files.readString(Path.of(value), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("WAITROOM_JWT_PUBLIC_KEY: cannot read " + value, e);
    }
  }

  private static Future<List<JsonObject>> loadJwks(Vertx vertx, ServerConfig config) {
    if (config.jwksUrl() == null) return Future.succeededFuture(List.of());
    WebClient client = WebClient.create(vertx);
    return client
        .getAbs(config.jwksUrl())
        .timeout(10_000)
        .send()
        .map(
            resp -> {
              if (resp.statusCode() != 200) {
                throw new IllegalStateException(
                    "WAITROOM_JWT_JWKS_URL answered " + resp.statusCode());
              }
              List<JsonObject> keys = JwtVerifier.keysOf(resp.bodyAsJsonObject());
              if (keys.isEmpty()) {
                // Starting anyway would refuse every identity-provider token, silently.
                throw new IllegalStateException(
                    "WAITROOM_JWT_JWKS_URL holds no RSA or EC signature keys");
              }
              return keys;
            })
        .eventually(
            () -> {
              client.close();
              return Future.succeededFuture();
            });
  }
}
