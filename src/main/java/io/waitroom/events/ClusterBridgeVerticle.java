package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.util.Ids;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the event buses of several nodes through one Redis pub/sub channel. Deployed only when
 * {@code WAITROOM_REDIS_URL} is set.
 *
 * <p>Out: every local {@code ROOM_EVENTS} and {@code POLICY_INVALIDATE} message is published as
 * JSON carrying this node's id. In: messages of other nodes are re-published locally on {@code
 * ROOM_EVENTS_REMOTE} / {@code POLICY_INVALIDATE_REMOTE} (never on the addresses this relays, so
 * nothing loops), and this node's own messages are skipped, so each node delivers each event once.
 *
 * <p>Redis is a doorbell, never the truth: a failed publish is logged and dropped, the subscription
 * reconnects with backoff, and after each (re)connect, and every few seconds while it is down,
 * every stream re-reads {@code room_events} and every long-poll waiter re-checks ({@code
 * ROOM_STREAMS_RESYNC}). API calls never wait for Redis.
 */
public final class ClusterBridgeVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ClusterBridgeVerticle.class);
  public static final String CHANNEL = "waitroom:bus";
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5_000;

  /** How often everything re-reads while the subscription is down (like the streams' net). */
  static final long OUTAGE_RESYNC_MS = 3_000;

  /**
   * Each node publishes a heartbeat this often and expects to hear it back on its subscription; a
   * subscription silent for {@link #HEARTBEAT_MISSED} beats is treated as lost. A NAT or firewall
   * may drop an idle connection without a FIN, and a subscriber never writes, so nothing else would
   * notice (the traffic also keeps such middleboxes from dropping it in the first place).
   */
  static final long HEARTBEAT_MS = 5_000;

  static final int HEARTBEAT_MISSED = 3;

  static final long SUBSCRIBE_TIMEOUT_MS = 10_000;

  private final Deps deps;
  private final String nodeId = Ids.next("node_");
  private Redis publisher;
  private Redis subscriberClient;
  private RedisConnection subscription;
  private long backoffMs = MIN_BACKOFF_MS;
  private int failures;
  private boolean stopped;
  private boolean publishFailing;
  private long lastHeard;

  public ClusterBridgeVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    String url = deps.config().redisUrl();
    publisher =
        Redis.createClient(
            vertx,
            new RedisOptions().setConnectionString(url).setMaxPoolSize(4).setMaxPoolWaiting(2048));
    subscriberClient =
        Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(1));
    var bus = vertx.eventBus();
    bus.<RoomEvent>consumer(
        Addresses.ROOM_EVENTS, m -> relay(new JsonObject().put("event", m.body().toJson())));
    bus.<String>consumer(
        Addresses.POLICY_INVALIDATE, m -> relay(new JsonObject().put("policy_room_id", m.body())));
    bus.<String>consumer(
        Addresses.AGENT_INVALIDATE, m -> relay(new JsonObject().put("agent_id", m.body())));
    // While the subscription is down, events of other nodes ring no doorbell here. Streams have
    // their own safety re-read; long-poll waiters do not, so ring everyone now and then: they
    // re-read the database (a wake-up is only a hint) instead of sitting out their whole wait.
    vertx.setPeriodic(
        OUTAGE_RESYNC_MS,
        id -> {
          if (!stopped && subscription == null) {
            vertx.eventBus().publish(Addresses.ROOM_STREAMS_RESYNC, "");
          }
        });
    vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat());
    // Start without waiting for Redis: a node whose Redis is down still serves (single-node
    // behaviour) and joins the others once the subscription is up.
    subscribe();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    RedisConnection sub = subscription;
    subscription = null;
    Future<Void> closeSub = sub == null ? Future.succeededFuture() : sub.close();
    return closeSub
        .eventually(() -> publisher.close())
        .eventually(() -> subscriberClient.close())
        .recover(e -> Future.succeededFuture());
  }

  public String nodeId() {
    return nodeId;
  }

  private void relay(JsonObject message) {
    message.put("node", nodeId);
    publisher
        .send(Request.cmd(Command.PUBLISH).arg(CHANNEL).arg(message.encode()))
        .onSuccess(
            r -> {
              if (publishFailing) {
                publishFailing = false;
                log.info("redis publish recovered node_id={}", nodeId);
              }
            })
        .onFailure(
            e -> {
              // Other nodes catch up through their safety re-reads of room_events.
              if (!publishFailing) {
                publishFailing = true;
                log.warn("redis publish failed node_id={}: {}", nodeId, e.getMessage());
              }
            });
  }

  private void subscribe() {
    if (stopped) return;
    Future<RedisConnection> attempt =
        subscriberClient
            .connect()
            .compose(
                conn -> {
                  conn.handler(this::onMessage);
                  conn.exceptionHandler(e -> lost(conn, e));
                  conn.endHandler(v -> lost(conn, "closed"));
                  return conn.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL))
                      .map(conn)
                      .onFailure(e -> conn.close());
                });
    // A Redis that accepts the connection but never answers would hold the attempt forever.
    attempt
        .timeout(SUBSCRIBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onFailure(e -> attempt.onSuccess(late -> late.close()))
        .onComplete(
            ar -> {
              if (stopped) {
                if (ar.succeeded()) ar.result().close();
                return;
              }
              if (ar.failed()) {
                // The first failure, then about once a minute while Redis stays away.
                if (++failures == 1 || failures % 12 == 0) {
                  log.warn(
                      "redis subscribe failed node_id={} attempts={} retry_in_ms={}: {}",
                      nodeId,
                      failures,
                      backoffMs,
                      ar.cause().getMessage());
                }
                retryLater();
                return;
              }
              subscription = ar.result();
              lastHeard = System.nanoTime();
              backoffMs = MIN_BACKOFF_MS;
              failures = 0;
              log.info("redis bridge subscribed node_id={} channel={}", nodeId, CHANNEL);
              // Whatever other nodes did while we were not listening is in room_events.
              vertx.eventBus().publish(Addresses.ROOM_STREAMS_RESYNC, "");
            });
  }

  /** Publishes this node's heartbeat, and gives up on a subscription that stopped hearing it. */
  private void heartbeat() {
    RedisConnection sub = subscription;
    if (stopped || sub == null) return;
    long silentMs = (System.nanoTime() - lastHeard) / 1_000_000;
    if (silentMs > HEARTBEAT_MS * HEARTBEAT_MISSED) {
      lost(sub, "no heartbeat for " + silentMs + " ms");
      return;
    }
    relay(new JsonObject().put("heartbeat", true));
  }

  private void lost(RedisConnection conn, Throwable e) {
    lost(conn, e == null ? "closed" : e.getMessage());
  }

  private void lost(RedisConnection conn, String why) {
    if (stopped || conn != subscription) return;
    subscription = null;
    log.warn("redis subscription lost node_id={}: {}", nodeId, why);
    conn.close();
    retryLater();
  }

  private void retryLater() {
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> subscribe());
  }

  private void onMessage(Response r) {
    boolean array = r != null && (r.type() == ResponseType.PUSH || r.type() == ResponseType.MULTI);
    if (!array || r.size() != 3 || !"message".equals(r.get(0).toString())) {
      return; // subscribe confirmations and anything else
    }
    JsonObject m;
    try {
      m = new JsonObject(r.get(2).toString());
    } catch (RuntimeException e) {
      log.warn("redis bridge ignored a malformed message: {}", e.getMessage());
      return;
    }
    // Any message proves the subscription alive; this node's own are not relayed back.
    lastHeard = System.nanoTime();
    if (nodeId.equals(m.getString("node"))) return;
    var bus = vertx.eventBus();
    JsonObject event = m.getJsonObject("event");
    if (event != null) {
      bus.publish(Addresses.ROOM_EVENTS_REMOTE, RoomEvent.fromJson(event));
    }
    String policyRoom = m.getString("policy_room_id");
    if (policyRoom != null) bus.publish(Addresses.POLICY_INVALIDATE_REMOTE, policyRoom);
    String agent = m.getString("agent_id");
    if (agent != null) bus.publish(Addresses.AGENT_INVALIDATE_REMOTE, agent);
  }
}
