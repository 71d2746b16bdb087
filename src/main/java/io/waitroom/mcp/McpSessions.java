package io.waitroom.mcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import io.waitroom.errors.ApiException;
import io.waitroom.util.Ids;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * This node's MCP sessions, bounded in number (per node and per agent) and in idle time, plus the
 * MCP metrics: {@code waitroom_mcp_sessions_open{transport}} and {@code
 * waitroom_mcp_tool_calls_total{tool,outcome}}. Sessions live in memory: a session id this node
 * does not know (another node behind the load balancer, a restart, an expiry) is answered with the
 * spec's 404, on which clients start a new session.
 */
final class McpSessions {
  static final int MAX_SESSIONS = 10_000;
  static final int MAX_SESSIONS_PER_AGENT = 50;
  static final long IDLE_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(30);
  private static final long SWEEP_MS = TimeUnit.MINUTES.toMillis(1);

  private final Map<String, McpSession> sessions = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  McpSessions(Vertx vertx, String metricsRegistry) {
    MeterRegistry r = metricsRegistry == null ? null : BackendRegistries.getNow(metricsRegistry);
    registry = r == null ? new SimpleMeterRegistry() : r;
    for (McpSession.Transport t : McpSession.Transport.values()) {
      Gauge.builder("waitroom.mcp.sessions.open", () -> count(t))
          .description("Open MCP sessions on this node")
          .tag("transport", t.tag)
          .register(registry);
    }
    vertx.setPeriodic(SWEEP_MS, id -> expireIdle());
  }

  /**
   * A new session for the agent. Past the per-agent bound the agent's least recently used session
   * is closed; past the node bound the least recently used idle session anywhere, else 503.
   */
  McpSession open(String agentId, McpSession.Transport transport) {
    long mine = sessions.values().stream().filter(s -> s.agentId.equals(agentId)).count();
    if (mine >= MAX_SESSIONS_PER_AGENT) {
      oldest(s -> s.agentId.equals(agentId)).ifPresent(this::close);
    }
    if (sessions.size() >= MAX_SESSIONS) {
      Optional<McpSession> victim = oldest(McpSession::idle);
      if (victim.isEmpty()) {
        throw new ApiException(
            503,
            "SERVICE_UNAVAILABLE",
            "too many MCP sessions on this server; retry later",
            new JsonObject().put("retryAfter", 5));
      }
      close(victim.get());
    }
    McpSession s = new McpSession(Ids.secret("mcps_", 32), agentId, transport);
    sessions.put(s.id, s);
    return s;
  }

  /** The session, if it exists here and belongs to this agent (another's is "not found"). */
  McpSession find(String id, String agentId) {
    McpSession s = id == null ? null : sessions.get(id);
    if (s == null || s.closed() || !s.agentId.equals(agentId)) return null;
    s.touch();
    return s;
  }

  void close(McpSession s) {
    sessions.remove(s.id, s);
    s.close();
  }

  int size() {
    return sessions.size();
  }

  /** Counts one tool call; unknown tool names share one tag so the label set stays bounded. */
  void toolCalled(String tool, String outcome) {
    String t = McpTools.NAMES.contains(tool) ? tool : "unknown";
    Counter.builder("waitroom.mcp.tool.calls")
        .description("MCP tool calls by tool and outcome")
        .tag("tool", t)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  private int count(McpSession.Transport t) {
    int n = 0;
    for (McpSession s : sessions.values()) if (s.transport == t) n++;
    return n;
  }

  private Optional<McpSession> oldest(java.util.function.Predicate<McpSession> which) {
    return sessions.values().stream()
        .filter(which)
        .min(Comparator.comparingLong(s -> s.lastSeenNanos));
  }

  private void expireIdle() {
    long now = System.nanoTime();
    for (McpSession s : sessions.values()) {
      if (s.idle() && now - s.lastSeenNanos > TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS)) {
        close(s);
      } else {
        s.evictStreams();
      }
    }
  }
}
