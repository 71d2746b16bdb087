package io.waitroom;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.waitroom.auth.AgentKeyCache;
import io.waitroom.auth.JwtVerifier;
import io.waitroom.config.ServerConfig;
import io.waitroom.events.EventWaiters;
import io.waitroom.events.StreamMetrics;
import io.waitroom.policy.RoomPolicies;
import io.waitroom.push.PushKeys;
import io.waitroom.ratelimit.RateLimiter;
import io.waitroom.receipts.Receipts;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every verticle and route needs, built once per server in {@link Server}.
 *
 * @param waiters long-poll waits for room events about one object (node-wide, thread-safe)
 * @param rateLimiter per-caller token buckets (in memory, or shared through Redis)
 * @param streams node-wide gauges and counters of the SSE and WebSocket streams
 * @param push the VAPID keys and the Web Push request builder
 * @param agentKeys the node's cache of claimed agents' keys (invalidated across nodes)
 * @param receipts the node's receipt signer (the shared Ed25519 keys, see receipts/)
 */
public record Deps(
    Vertx vertx,
    Pool pool,
    ServerConfig config,
    JwtVerifier jwt,
    String metricsRegistry,
    AtomicBoolean draining,
    EventWaiters waiters,
    RateLimiter rateLimiter,
    StreamMetrics streams,
    PushKeys push,
    AgentKeyCache agentKeys,
    RoomPolicies policies,
    Receipts receipts) {}
