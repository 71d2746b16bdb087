package io.waitroom.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.waitroom.Server;
import io.waitroom.auth.JwtVerifier;
import io.waitroom.config.ServerConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code serve} (the default) and {@code token}. */
@Command(
    name = "waitroom",
    mixinStandardHelpOptions = true,
    description = "Waitroom server: agents check in, humans decide.",
    subcommands = {WaitroomCommand.Serve.class, WaitroomCommand.Token.class})
public final class WaitroomCommand implements java.util.concurrent.Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WaitroomCommand.class);

  public static int run(String[] args) {
    return new CommandLine(new WaitroomCommand()).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    return new Serve().call();
  }

  /** Runs the server until SIGTERM/SIGINT, then shuts down gracefully. */
  @Command(name = "serve", description = "Start the server (the default).")
  static final class Serve implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      ServerConfig config = ServerConfig.fromEnvironment();
      Server server;
      try {
        server = Server.start(config).toCompletionStage().toCompletableFuture().get();
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        log.error("start-up failed: {}", cause.toString(), cause);
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    log.info("shutting down");
                    try {
                      server.close().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      log.warn("shutdown did not complete cleanly: {}", e.toString());
                    }
                    stopped.countDown();
                  },
                  "waitroom-shutdown"));
      stopped.await();
      return 0;
    }
  }

  /** Mints an HS256 human JWT signed with the configured (or generated) secret. */
  @Command(name = "token", description = "Mint a human JWT for local use.")
  static final class Token implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--org", required = true, description = "Org id (the org_id claim).")
    String org;

    @Option(names = "--sub", required = true, description = "User id (the sub claim).")
    String sub;

    @Option(names = "--name", description = "Display name.")
    String name;

    @Option(names = "--ttl", defaultValue = "24h", description = "Lifetime, e.g. 30m, 24h, 7d.")
    String ttl;

    @Override
    public Integer call() throws Exception {
      ServerConfig config = ServerConfig.fromEnvironment();
      String secret = Server.jwtSecret(config);
      JsonObject claims = new JsonObject().put("sub", sub).put("org_id", org);
      if (name != null) claims.put("name", name);
      Vertx vertx = Vertx.vertx();
      AtomicReference<String> token = new AtomicReference<>();
      try {
        token.set(JwtVerifier.mint(vertx, secret, claims, (int) parseTtl(ttl).toSeconds()));
      } finally {
        vertx.close();
      }
      System.out.println(token.get());
      return 0;
    }
  }

  static Duration parseTtl(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.isEmpty()) throw new CommandLine.ParameterException(null, "--ttl is empty");
    char unit = t.charAt(t.length() - 1);
    long n;
    try {
      n = Long.parseLong(Character.isDigit(unit) ? t : t.substring(0, t.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--ttl must look like 30m, 24h or 7d");
    }
    return switch (unit) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
