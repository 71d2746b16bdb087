package io.waitroom.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.waitroom.Server;
import io.waitroom.auth.JwtVerifier;
import io.waitroom.config.ServerConfig;
import io.waitroom.config.StartupRefused;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * The command line: {@code serve} (the default), {@code token}, {@code mcp}, {@code keys rotate}
 * and {@code audit verify}.
 */
@Command(
    name = "waitroom",
    mixinStandardHelpOptions = true,
    description = "Waitroom server: agents check in, humans decide.",
    subcommands = {
      WaitroomCommand.Serve.class,
      WaitroomCommand.Token.class,
      WaitroomCommand.Mcp.class,
      KeysCommand.class,
      AuditCommand.class
    })
public final class WaitroomCommand implements java.util.concurrent.Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WaitroomCommand.class);

  private final Map<String, String> env;

  private WaitroomCommand(Map<String, String> env) {
    this.env = env;
  }

  public static int run(String[] args) {
    return run(args, System.getenv(), new PrintWriter(System.out, true));
  }

  /** Runs against the given environment and standard output (tests pass their own). */
  public static int run(String[] args, Map<String, String> env, PrintWriter out) {
    return new CommandLine(new WaitroomCommand(env)).setOut(out).execute(args);
  }

  ServerConfig config() {
    return ServerConfig.from(env);
  }

  @Override
  public Integer call() throws Exception {
    Serve serve = new Serve();
    serve.parent = this;
    return serve.call();
  }

  /** Runs the server until SIGTERM/SIGINT, then shuts down gracefully. */
  @Command(name = "serve", description = "Start the server (the default).")
  static final class Serve implements java.util.concurrent.Callable<Integer> {
    @ParentCommand WaitroomCommand parent;

    @Override
    public Integer call() throws Exception {
      ServerConfig config = parent.config();
      Server server;
      try {
        server = Server.start(config).toCompletionStage().toCompletableFuture().get();
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof StartupRefused || cause instanceof IllegalArgumentException) {
          // A refusal with its own explanation (configuration, a data dir in use): no trace.
          log.error("start-up failed: {}", cause.getMessage());
        } else {
          log.error("start-up failed: {}", cause.toString(), cause);
        }
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      AtomicBoolean stopping = new AtomicBoolean();
      Runnable shutdown =
          () -> {
            try {
              if (stopping.compareAndSet(false, true)) {
                log.info("shutting down");
                server.close().get(30, TimeUnit.SECONDS);
              } else {
                stopped.await(30, TimeUnit.SECONDS); // the other caller is already draining
              }
            } catch (Exception e) {
              log.warn("shutdown did not complete cleanly: {}", e.toString());
            }
            stopped.countDown();
          };
      // The embedded database library stops PostgreSQL from a JVM shutdown hook of its own, and
      // hooks run concurrently: draining from a hook would lose that race and fail in-flight
      // requests. So SIGTERM and SIGINT are taken before the JVM starts shutting down; the
      // hook stays for every other way out.
      for (String name : List.of("TERM", "INT")) {
        try {
          Signal.handle(new Signal(name), sig -> new Thread(shutdown, "waitroom-shutdown").start());
        } catch (IllegalArgumentException unavailable) {
          log.debug("signal {} cannot be handled here; relying on the shutdown hook", name);
        }
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "waitroom-shutdown-hook"));
      stopped.await();
      return 0;
    }
  }

  /** Mints an HS256 human JWT signed with the configured (or generated) secret. */
  @Command(name = "token", description = "Mint a human JWT for local use.")
  static final class Token implements java.util.concurrent.Callable<Integer> {
    @ParentCommand WaitroomCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = "--org",
        required = true,
        description = "Org id, written to the configured org claim (org_id by default).")
    String org;

    @Option(names = "--sub", required = true, description = "User id (the sub claim).")
    String sub;

    @Option(names = "--name", description = "Display name.")
    String name;

    @Option(
        names = "--email",
        description = "E-mail address (the email claim): where notifications and links are sent.")
    String email;

    @Option(
        names = "--role",
        description =
            "Role in the org: admin, approver or viewer, written to the configured role claim"
                + " (waitroom_role by default). Without it: admin for the first human of a new"
                + " org, approver for a new human of an existing one, unchanged for a known one.")
    String role;

    @Option(names = "--ttl", defaultValue = "24h", description = "Lifetime, e.g. 30m, 24h, 7d.")
    String ttl;

    @Option(
        names = "--link",
        description = "Print a dashboard sign-in link (BASE/#token=...) instead of the bare token.")
    boolean link;

    @Option(
        names = "--base",
        description =
            "The dashboard's address for --link (default http://localhost:<WAITROOM_PORT>).")
    String base;

    @Override
    public Integer call() throws Exception {
      Duration lifetime;
      try {
        lifetime = parseTtl(ttl);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      if (role != null && io.waitroom.access.Role.of(role) == null) {
        throw new ParameterException(
            spec.commandLine(), "--role must be admin, approver or viewer, got '" + role + "'");
      }
      ServerConfig config = parent.config();
      if (base != null) {
        try {
          link(base, config.port(), "");
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), e.getMessage());
        }
      }
      String secret = Server.jwtSecret(config);
      JsonObject claims = new JsonObject().put("sub", sub);
      // The claim the server reads the org from, so the token works under a custom claim too.
      putPath(claims, config.orgClaims().get(0), org);
      if (name != null) claims.put("name", name);
      if (email != null) claims.put("email", email);
      if (role != null) putPath(claims, config.access().jwtRoleClaim(), role);
      Vertx vertx = Vertx.vertx();
      String token;
      try {
        token = JwtVerifier.mint(vertx, secret, claims, (int) lifetime.toSeconds());
      } finally {
        vertx.close();
      }
      spec.commandLine()
          .getOut()
          .println(link || base != null ? link(base, config.port(), token) : token);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /**
   * An MCP server on stdio for clients that launch one (Claude Desktop): forwards to the running
   * server's {@code /mcp} with {@code WAITROOM_API_KEY}. Only JSON-RPC is written to stdout.
   */
  @Command(name = "mcp", description = "Serve the Waitroom MCP tools on stdio.")
  static final class Mcp implements java.util.concurrent.Callable<Integer> {
    @ParentCommand WaitroomCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = "--url",
        description = "The Waitroom server (default: API_BASE_URL, else http://localhost:8080).")
    String url;

    @Override
    public Integer call() throws Exception {
      String key = parent.env.get("WAITROOM_API_KEY");
      if (key == null || key.isBlank()) {
        spec.commandLine().getErr().println("waitroom mcp: set WAITROOM_API_KEY to an agent key");
        return 2;
      }
      String base =
          url != null ? url : parent.env.getOrDefault("API_BASE_URL", "http://localhost:8080");
      return new McpStdioBridge(base, key.trim(), System.out, System.err).run(System.in);
    }
  }

  /**
   * The dashboard URL that signs in with the token: it travels in the fragment, which browsers
   * never send to the server (nor in a Referer), and the page removes it from the address bar.
   */
  static String link(String base, int port, String token) {
    String root = base != null ? base.strip() : "http://localhost:" + port;
    if (!root.startsWith("http://") && !root.startsWith("https://")) {
      throw new IllegalArgumentException("--base must start with http:// or https://");
    }
    while (root.endsWith("/")) root = root.substring(0, root.length() - 1);
    return root + "/#token=" + token;
  }

  /** Sets {@code a.b.c} to the value, creating the intermediate objects. */
  static void putPath(JsonObject root, String dottedPath, String value) {
    String[] parts = dottedPath.split("\\.");
    JsonObject o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = o.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      }
      o = next;
    }
    o.put(parts[parts.length - 1], value);
  }

  /** {@code 90} (seconds), {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}; at most a year. */
  static Duration parseTtl(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    String usage = "--ttl must be a positive number with an optional unit s, m, h or d (e.g. 24h)";
    if (t.isEmpty()) throw new IllegalArgumentException(usage);
    char unit = t.charAt(t.length() - 1);
    String digits = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
    long n;
    try {
      n = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(usage);
    }
    if (n <= 0 || n > 366L * 24 * 3600) throw new IllegalArgumentException(usage);
    Duration d =
        switch (unit) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          case 'd' -> Duration.ofDays(n);
          default -> {
            if (!Character.isDigit(unit)) throw new IllegalArgumentException(usage);
            yield Duration.ofSeconds(n);
          }
        };
    if (d.compareTo(Duration.ofDays(366)) > 0) {
      throw new IllegalArgumentException("--ttl must be at most 366d");
    }
    return d;
  }
}
