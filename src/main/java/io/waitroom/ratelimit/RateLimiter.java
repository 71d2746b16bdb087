package io.waitroom.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets per caller (SPEC 10): capacity {@code WAITROOM_RATE_LIMIT_PER_MINUTE}, refilled
 * continuously at capacity per minute, one token per request. One per node (in {@code Deps}).
 *
 * <p>Single node: buckets in memory. With Redis: buckets in Redis, each request one atomic Lua
 * script (EVALSHA, EVAL on {@code NOSCRIPT}) using the Redis clock, so every node shares one bucket
 * per caller. When Redis does not answer within {@link #REDIS_TIMEOUT_MS} or fails, the node falls
 * back to its local bucket (and skips Redis for {@link #REDIS_RETRY_MS}) rather than failing or
 * delaying the request.
 */
public final class RateLimiter {
  private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
  static final long REDIS_TIMEOUT_MS = 500;
  static final long REDIS_RETRY_MS = 2_000;
  static final int MAX_LOCAL_BUCKETS = 100_000;
  static final long EVICTION_INTERVAL_NANOS = 1_000_000_000L;
  static final String KEY_PREFIX = "waitroom:rl:";

  /**
   * KEYS[1] bucket; ARGV[1] capacity, ARGV[2] tokens per millisecond. Returns {allowed (0|1),
   * tokens left (floor), milliseconds until one token is available (0 when allowed)}.
   */
  static final String SCRIPT =
      """
      local cap = tonumber(ARGV[1])
      local rate = tonumber(ARGV[2])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
      local tokens = tonumber(b[1])
      local ts = tonumber(b[2])
      if tokens == nil or ts == nil then
        tokens = cap
        ts = now
      end
      if now > ts then
        tokens = math.min(cap, tokens + (now - ts) * rate)
      end
      local allowed = 0
      local wait = 0
      if tokens >= 1 then
        tokens = tokens - 1
        allowed = 1
      else
        wait = math.ceil((1 - tokens) / rate)
      end
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
      redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 60000)
      return {allowed, math.floor(tokens), wait}
      """;

  static final String SCRIPT_SHA = sha1(SCRIPT);

  /** The verdict for one request. */
  public record Decision(boolean allowed, int limit, long remaining, long retryAfterSeconds) {}

  private final Vertx vertx;
  private final int perMinute;
  private final double perMs;
  private final Redis redis;
  private final Map<String, Bucket> local = new ConcurrentHashMap<>();
  private volatile long redisSkipUntil;
  private final AtomicLong nextEviction = new AtomicLong(System.nanoTime());

  /** {@code redisUrl} null: in-memory buckets only. */
  public RateLimiter(Vertx vertx, int perMinute, String redisUrl) {
    this.vertx = vertx;
    this.perMinute = Math.max(1, perMinute);
    this.perMs = this.perMinute / 60_000.0;
    this.redis =
        redisUrl == null
            ? null
            : Redis.createClient(
                vertx,
                new RedisOptions()
                    .setConnectionString(redisUrl)
                    .setMaxPoolSize(16)
                    .setMaxPoolWaiting(4096));
    if (redis != null) {
      // Load the script up front so the first requests do not pay for NOSCRIPT and EVAL.
      redis
          .send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
          .onFailure(e -> log.info("rate limit script not preloaded: {}", e.getMessage()));
    }
  }

  public int perMinute() {
    return perMinute;
  }

  /** Takes one token from {@code caller}'s bucket. Never fails. */
  public Future<Decision> take(String caller) {
    if (redis == null || System.currentTimeMillis() < redisSkipUntil) {
      return Future.succeededFuture(takeLocal(caller));
    }
    Promise<Decision> result = Promise.promise();
    long timer =
        vertx.setTimer(
            REDIS_TIMEOUT_MS,
            id -> {
              if (result.tryComplete(takeLocal(caller))) redisDown("timeout");
            });
    takeRedis(caller)
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                result.tryComplete(ar.result());
              } else if (result.tryComplete(takeLocal(caller))) {
                redisDown(ar.cause().getMessage());
              }
            });
    return result.future();
  }

  private void redisDown(String why) {
    boolean first = System.currentTimeMillis() >= redisSkipUntil;
    redisSkipUntil = System.currentTimeMillis() + REDIS_RETRY_MS;
    if (first) log.warn("rate limit falls back to local buckets: redis {}", why);
  }

  private Future<Decision> takeRedis(String caller) {
    String key = KEY_PREFIX + caller;
    String cap = String.valueOf(perMinute);
    String rate = Double.toString(perMs);
    return redis
        .send(Request.cmd(Command.EVALSHA).arg(SCRIPT_SHA).arg(1).arg(key).arg(cap).arg(rate))
        .recover(
            e -> {
              if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                return Future.failedFuture(e);
              }
              return redis.send(
                  Request.cmd(Command.EVAL).arg(SCRIPT).arg(1).arg(key).arg(cap).arg(rate));
            })
        .map(this::decision);
  }

  private Decision decision(Response r) {
    boolean allowed = r.get(0).toInteger() == 1;
    long remaining = r.get(1).toLong();
    long waitMs = r.get(2).toLong();
    return new Decision(allowed, perMinute, Math.max(0, remaining), retryAfter(allowed, waitMs));
  }

  Decision takeLocal(String caller) {
    if (local.size() > MAX_LOCAL_BUCKETS) maybeEvictIdle();
    Bucket b = local.computeIfAbsent(caller, k -> new Bucket(perMinute));
    return b.take(perMinute, perMs, System.nanoTime());
  }

  /**
   * At most one scan per {@link #EVICTION_INTERVAL_NANOS}: when every bucket is in use a scan frees
   * nothing, and scanning on every request would cost each one a pass over the whole map.
   */
  private void maybeEvictIdle() {
    long now = System.nanoTime();
    long next = nextEviction.get();
    if (now - next < 0 || !nextEviction.compareAndSet(next, now + EVICTION_INTERVAL_NANOS)) return;
    evictIdle();
  }

  /** A bucket idle for a full refill period is full again: forgetting it changes nothing. */
  private void evictIdle() {
    long now = System.nanoTime();
    long fullAfterNanos = (long) (perMinute / perMs * 1_000_000L);
    local.entrySet().removeIf(e -> e.getValue().idleNanos(now) > fullAfterNanos);
  }

  static long retryAfter(boolean allowed, long waitMs) {
    return allowed ? 0 : Math.max(1, (waitMs + 999) / 1000);
  }

  /** One in-memory bucket. */
  private static final class Bucket {
    private double tokens;
    private long last;

    Bucket(int capacity) {
      this.tokens = capacity;
      this.last = System.nanoTime();
    }

    synchronized Decision take(int capacity, double perMs, long now) {
      double elapsedMs = (now - last) / 1_000_000.0;
      if (elapsedMs > 0) {
        tokens = Math.min(capacity, tokens + elapsedMs * perMs);
        last = now;
      }
      if (tokens >= 1) {
        tokens -= 1;
        return new Decision(true, capacity, (long) Math.floor(tokens), 0);
      }
      long waitMs = (long) Math.ceil((1 - tokens) / perMs);
      return new Decision(false, capacity, 0, retryAfter(false, waitMs));
    }

    synchronized long idleNanos(long now) {
      return now - last;
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
