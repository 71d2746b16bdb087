package io.waitroom.config;

import io.waitroom.access.AccessSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the server reads from its environment, read once at start-up: the defaults file
 * shipped in the jar (a copy of {@code conf/waitroom.properties}), then {@code
 * conf/waitroom.properties} in the working directory if present, then {@code WAITROOM_*}
 * environment variables.
 */
public record ServerConfig(
    int port,
    String host,
    Path dataDir,
    String databaseUrl,
    String redisUrl,
    String jwtSecret,
    String jwksUrl,
    String jwtPublicKey,
    List<String> orgClaims,
    int rateLimitPerMinute,
    boolean webhookAllowPrivate,
    List<String> corsOrigins,
    List<String> allowedHosts,
    int httpInstances,
    int dbPoolSize,
    long sweepIntervalMs,
    int eventRetentionDays,
    int timeoutUnitSeconds,
    double webhookRetryScale,
    int watcherPollMs,
    long streamPingMs,
    int streamQueueBytes,
    int httpIdleTimeoutSeconds,
    boolean embeddedRelaxedDurability,
    String vapidPublicKey,
    String vapidPrivateKey,
    String vapidSubject,
    String smtpUrl,
    String mailFrom,
    String publicUrlSetting,
    String signingKey,
    long auditSealIntervalMs,
    String secretsKey,
    String slackApiUrl,
    AccessSettings access) {

  public static ServerConfig fromEnvironment() {
    return from(System.getenv());
  }

  /** Defaults, then the working directory's conf file, then the given overrides. */
  public static ServerConfig from(Map<String, String> overrides) {
    Map<String, String> v = new HashMap<>();
    try (InputStream in = ServerConfig.class.getResourceAsStream("/waitroom.properties")) {
      if (in != null) putAll(v, in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in defaults", e);
    }
    Path local = Path.of("conf", "waitroom.properties");
    if (Files.isRegularFile(local)) {
      try (InputStream in = Files.newInputStream(local)) {
        putAll(v, in);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + local, e);
      }
    }
    overrides.forEach(
        (k, val) -> {
          if (k.startsWith("WAITROOM_")) v.put(k, val);
        });
    return fromMap(v);
  }

  private static void putAll(Map<String, String> into, InputStream in) throws IOException {
    Properties p = new Properties();
    try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    p.forEach((k, val) -> into.put(k.toString(), val.toString()));
  }

  private static ServerConfig fromMap(Map<String, String> v) {
    String orgClaim = blankToNull(v.get("WAITROOM_JWT_ORG_CLAIM"));
    return new ServerConfig(
        intOf(v, "WAITROOM_PORT", 8080),
        v.getOrDefault("WAITROOM_HOST", "0.0.0.0"),
        Path.of(v.getOrDefault("WAITROOM_DATA_DIR", "./data")),
        blankToNull(v.get("WAITROOM_DATABASE_URL")),
        blankToNull(v.get("WAITROOM_REDIS_URL")),
        blankToNull(v.get("WAITROOM_JWT_SECRET")),
        blankToNull(v.get("WAITROOM_JWT_JWKS_URL")),
        blankToNull(v.get("WAITROOM_JWT_PUBLIC_KEY")),
        orgClaim == null ? List.of("org_id", "app_metadata.org_id") : List.of(orgClaim),
        intOf(v, "WAITROOM_RATE_LIMIT_PER_MINUTE", 600),
        Boolean.parseBoolean(v.getOrDefault("WAITROOM_WEBHOOK_ALLOW_PRIVATE", "false").trim()),
        listOf(v.get("WAITROOM_CORS_ORIGINS")),
        listOf(v.get("WAITROOM_ALLOWED_HOSTS")),
        intOf(v, "WAITROOM_HTTP_INSTANCES", 0),
        intOf(v, "WAITROOM_DB_POOL_SIZE", 16),
        intOf(v, "WAITROOM_SWEEP_INTERVAL_MS", 1000),
        intOf(v, "WAITROOM_EVENT_RETENTION_DAYS", 7),
        intOf(v, "WAITROOM_TIMEOUT_UNIT_SECONDS", 60),
        doubleOf(v, "WAITROOM_WEBHOOK_RETRY_SCALE", 1.0),
        intOf(v, "WAITROOM_WATCHER_POLL_MS", 1000),
        intOf(v, "WAITROOM_STREAM_PING_MS", 15_000),
        intOf(v, "WAITROOM_STREAM_QUEUE_BYTES", 256 * 1024),
        intOf(v, "WAITROOM_HTTP_IDLE_TIMEOUT_SECONDS", 120),
        relaxedDurability(v.get("WAITROOM_EMBEDDED_DURABILITY")),
        blankToNull(v.get("WAITROOM_VAPID_PUBLIC_KEY")),
        blankToNull(v.get("WAITROOM_VAPID_PRIVATE_KEY")),
        v.getOrDefault("WAITROOM_VAPID_SUBJECT", "mailto:admin@localhost").trim(),
        blankToNull(v.get("WAITROOM_SMTP_URL")),
        blankToNull(v.get("WAITROOM_MAIL_FROM")),
        blankToNull(v.get("WAITROOM_PUBLIC_URL")),
        blankToNull(v.get("WAITROOM_SIGNING_KEY")),
        intOf(v, "WAITROOM_AUDIT_SEAL_INTERVAL_MS", 250),
        blankToNull(v.get("WAITROOM_SECRETS_KEY")),
        stripSlash(
            java.util.Objects.requireNonNullElse(
                blankToNull(v.get("WAITROOM_SLACK_API_URL")), "https://slack.com/api")),
        AccessSettings.from(v));
  }

  /** The number of HTTP verticle instances: the configured value, or one per core. */
  public int effectiveHttpInstances() {
    return httpInstances > 0 ? httpInstances : Runtime.getRuntime().availableProcessors();
  }

  /**
   * Vert.x event loops: one per core, or one per HTTP instance when there are more, instead of
   * Vert.x's two per core. The background verticles (sweepers, watcher dispatch, push) share the
   * HTTP loops; with twice as many loops as cores, they were threads of their own competing for the
   * same cores, and every hop between them a wake-up (issue 15: create, approve and status 2-10%
   * faster with one loop per core, bench/run --only server).
   */
  public int eventLoops() {
    return Math.max(effectiveHttpInstances(), Runtime.getRuntime().availableProcessors());
  }

  /**
   * Seconds without a byte either way after which an HTTP connection is closed (0: never), kept
   * above twice the stream keep-alive interval so pinged streams are never cut.
   */
  public int effectiveHttpIdleTimeoutSeconds() {
    if (httpIdleTimeoutSeconds <= 0) return 0;
    return (int) Math.max(httpIdleTimeoutSeconds, (2 * streamPingMs + 999) / 1000);
  }

  /**
   * The base of every link the server sends out (e-mail, Web Push, Slack): {@code
   * WAITROOM_PUBLIC_URL} without a trailing slash, else {@code http://localhost:<port>}.
   */
  public String publicUrl() {
    String base = publicUrlSetting == null ? "http://localhost:" + port : publicUrlSetting.trim();
    while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
    return base;
  }

  /** Whether the server's public URL is https: then its cookies are {@code Secure}. */
  public boolean secureCookies() {
    return publicUrl().startsWith("https://");
  }

  /** Whether e-mail notifications are on ({@code WAITROOM_SMTP_URL} is set). */
  public boolean mailEnabled() {
    return smtpUrl != null;
  }

  /**
   * The {@code Host} values requests may carry (DNS-rebinding protection): {@code
   * WAITROOM_ALLOWED_HOSTS} when set; else, on a loopback bind address, {@code localhost}, {@code
   * 127.0.0.1} and {@code [::1]} (any port); else empty, meaning any host. An entry without a port
   * allows any port; {@code *} (or an empty list) allows any host.
   */
  public List<String> effectiveAllowedHosts() {
    if (allowedHosts.contains("*")) return List.of();
    if (!allowedHosts.isEmpty()) {
      // The address the MCP tools call the API on stays allowed: no DNS-rebinding page can send
      // an IP address as its Host.
      String self = selfAddress().contains(":") ? "[" + selfAddress() + "]" : selfAddress();
      List<String> hosts = new java.util.ArrayList<>(allowedHosts);
      hosts.add(self + ":" + port);
      return List.copyOf(hosts);
    }
    if (!loopback(host)) return List.of();
    // Any port: a local proxy or port forward changes it, and no DNS-rebinding page can send a
    // loopback name as its Host, whatever the port.
    return List.of("localhost", "127.0.0.1", "[::1]");
  }

  /** Where this node reaches its own API: the bind address, or loopback for a wildcard bind. */
  public String selfAddress() {
    String bind = host == null ? "" : host.trim();
    return bind.isEmpty() || "0.0.0.0".equals(bind) || "::".equals(bind) ? "127.0.0.1" : bind;
  }

  /** A loopback bind address, told from its spelling (no name lookup). */
  static boolean loopback(String host) {
    if (host == null) return false;
    String h = host.trim().toLowerCase(java.util.Locale.ROOT);
    return h.equals("localhost")
        || h.startsWith("127.")
        || h.equals("::1")
        || h.equals("[::1]")
        || h.equals("0:0:0:0:0:0:0:1");
  }

  public boolean embeddedDatabase() {
    return databaseUrl == null;
  }

  /** {@code durable} (the default) or {@code relaxed}; anything else stops the start. */
  private static boolean relaxedDurability(String s) {
    String mode = blankToNull(s) == null ? "durable" : s.trim();
    return switch (mode) {
      case "durable" -> false;
      case "relaxed" -> true;
      default ->
          throw new IllegalArgumentException(
              "WAITROOM_EMBEDDED_DURABILITY must be 'durable' or 'relaxed', got '" + s + "'");
    };
  }

  private static int intOf(Map<String, String> v, String key, int dflt) {
    String s = blankToNull(v.get(key));
    if (s == null) return dflt;
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'");
    }
  }

  private static double doubleOf(Map<String, String> v, String key, double dflt) {
    String s = blankToNull(v.get(key));
    if (s == null) return dflt;
    try {
      double d = Double.parseDouble(s.trim());
      if (!(d >= 0) || Double.isInfinite(d)) throw new NumberFormatException();
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a non-negative number, got '" + s + "'");
    }
  }

  private static List<String> listOf(String s) {
    if (blankToNull(s) == null) return List.of();
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  private static String stripSlash(String s) {
    String t = s.trim();
    while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
    return t;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
