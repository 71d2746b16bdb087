package io.waitroom.auth;

import io.vertx.core.Vertx;
import io.waitroom.bus.Addresses;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's cache of claimed agents' key rows by key prefix (issue 15), so a request does not pay
 * a query to learn who it is. The key itself is still checked against the cached hash on every
 * request.
 *
 * <p>Correctness: only claimed agents are cached (an unclaimed one changes when it is claimed), an
 * entry lives at most {@link #TTL_MS}, and a change to an agent's key or scopes publishes its id on
 * {@link Addresses#AGENT_INVALIDATE}, which drops the entry on this node at once and, through the
 * Redis bridge ({@code events/ClusterBridgeVerticle}), on every other node. Without Redis there is
 * one node. If Redis loses an invalidation, the TTL bounds how long another node keeps the entry.
 */
public final class AgentKeyCache {
  /** The longest an entry is used without a fresh read. */
  public static final long TTL_MS = 5_000;

  private static final int MAX = 100_000;

  /** A claimed agent's row, as {@code AuthSql.AGENT_BY_PREFIX} reads it. */
  record Entry(
      String id, String orgId, String name, List<String> scopes, byte[] hash, long bornNanos) {
    boolean fresh(long now) {
      return now - bornNanos < TTL_MS * 1_000_000;
    }
  }

  private final Map<String, Entry> byPrefix = new ConcurrentHashMap<>();
  // Bumped by every invalidation: a read that started before one must not fill the cache.
  private final AtomicLong generation = new AtomicLong();

  /** One per node; listens for invalidations from this node and (via the bridge) others. */
  public AgentKeyCache(Vertx vertx) {
    var bus = vertx.eventBus();
    bus.<String>consumer(Addresses.AGENT_INVALIDATE, m -> invalidate(m.body()));
    bus.<String>consumer(Addresses.AGENT_INVALIDATE_REMOTE, m -> invalidate(m.body()));
  }

  /**
   * Announces that an agent's key or scopes changed: call it after the change has committed, on the
   * node that made it. Every node drops the agent's entries.
   */
  public static void changed(Vertx vertx, String agentId) {
    vertx.eventBus().publish(Addresses.AGENT_INVALIDATE, agentId);
  }

  Entry get(String prefix) {
    Entry e = byPrefix.get(prefix);
    if (e == null) return null;
    if (!e.fresh(System.nanoTime())) {
      byPrefix.remove(prefix, e);
      return null;
    }
    return e;
  }

  /** Take it before reading the row; {@link #put} refuses the row if an invalidation came since. */
  long generation() {
    return generation.get();
  }

  void put(String prefix, Entry e, long readSince) {
    if (e.orgId() == null || generation.get() != readSince) return;
    if (byPrefix.size() >= MAX) byPrefix.clear();
    byPrefix.put(prefix, e);
  }

  void invalidate(String agentId) {
    generation.incrementAndGet();
    byPrefix.values().removeIf(e -> e.id().equals(agentId));
  }
}
