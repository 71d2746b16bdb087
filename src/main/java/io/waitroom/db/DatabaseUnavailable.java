package io.waitroom.db;

import io.netty.channel.unix.Errors;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import io.waitroom.errors.ApiException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures that mean "the database cannot be reached right now" (a restart, a fail-over, a network
 * cut), as opposed to a bug: a connection lost, refused or timed out, or PostgreSQL saying it is
 * shutting down or starting up. The API answers them {@code 503 SERVICE_UNAVAILABLE} with {@code
 * Retry-After}, and they are logged as one WARN line per second at most, with a count, instead of
 * an ERROR per request.
 */
public final class DatabaseUnavailable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailable.class);

  /** What {@code Retry-After} says: a restart of PostgreSQL takes a few seconds. */
  public static final int RETRY_AFTER_SECONDS = 1;

  /**
   * SQLSTATEs of an unreachable database: admin_shutdown, crash_shutdown, cannot_connect_now
   * (starting up or shutting down), too_many_connections; class 08 is checked separately.
   */
  private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "53300");

  private static final long LOG_EVERY_NANOS = 1_000_000_000L;
  private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private static final AtomicLong unlogged = new AtomicLong();

  private DatabaseUnavailable() {}

  /** Whether {@code t} (or a cause of it) says the database is out of reach. */
  public static boolean is(Throwable t) {
    for (Throwable c = t, prev = null; c != null && c != prev; prev = c, c = c.getCause()) {
      if (c instanceof ClosedConnectionException
          || c instanceof ConnectException
          || c instanceof SocketException
          || c instanceof Errors.NativeIoException
          || c instanceof ClosedChannelException
          || c instanceof TimeoutException) {
        return true;
      }
      if (c instanceof DatabaseException d && d.getSqlState() != null) {
        String s = d.getSqlState();
        if (s.startsWith("08") || STATES.contains(s)) return true;
      }
    }
    return false;
  }

  /** The API's answer: 503 with the envelope; {@code details.retryAfter} becomes the header. */
  public static ApiException error() {
    return new ApiException(
        503,
        "SERVICE_UNAVAILABLE",
        "the database is unavailable; retry in a moment (a retry with the same Idempotency-Key is"
            + " safe)",
        new JsonObject().put("retryAfter", RETRY_AFTER_SECONDS));
  }

  /**
   * Logs {@code t} at WARN, at most once a second node-wide; the line says how many failures it
   * stands for. {@code where} names the caller (a request id, a verticle).
   */
  public static void report(String where, Throwable t) {
    unlogged.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLogged.get();
    if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) return;
    long count = unlogged.getAndSet(0);
    log.warn(
        "database unavailable count={} last={} cause={}",
        count,
        where,
        String.valueOf(rootMessage(t)));
  }

  /**
   * For background work (sweeps, dispatch, feeds): an unreachable database goes to {@link #report},
   * anything else is a WARN line of its own, {@code "<what> failed: <message>"}.
   */
  public static void warn(Logger log, String what, Throwable t) {
    if (is(t)) report(what, t);
    else log.warn("{} failed: {}", what, t.getMessage());
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
