package io.waitroom.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.db.DatabaseUnavailable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of SSE and WebSocket for one HTTP verticle instance (so everything here runs on one
 * event loop and needs no locks).
 *
 * <p>Delivery treats the event bus and Redis as a doorbell and {@code room_events} as the truth.
 * Each room with at least one subscriber has a {@link Feed}: when rung (a local commit, a message
 * from another node, the periodic safety ring, a Redis reconnect) it reads {@code id > last} from
 * the database, one query at a time (rings during a read are coalesced into one more read), and
 * offers the rows in id order to the room's subscribers. {@link EventLog#after} reads only below
 * the commit horizon, so {@code id > last} never skips an event, on any node; a read that finds
 * committed events held back behind the horizon reads again after {@link #HELD_BACK_MS}.
 */
public final class RoomStreams {
  private static final Logger log = LoggerFactory.getLogger(RoomStreams.class);

  /** Rows per feed read; a full page is followed by another read at once. */
  static final int FEED_PAGE = 500;

  /** Rows per replay read; small, since a replay page is written before the queue is checked. */
  static final int REPLAY_PAGE = 100;

  /** The safety net: every feed re-reads this often even if no doorbell rang. */
  static final long SAFETY_RING_MS = 3_000;

  /** How soon a read that found events held back behind the commit horizon looks again. */
  static final long HELD_BACK_MS = 5;

  /** How soon a replay that found the database unreachable tries again. */
  static final long UNAVAILABLE_RETRY_MS = 1_000;

  /** How long a replay waits for a full write queue to drain before giving up on the client. */
  static final long REPLAY_DRAIN_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final Deps deps;
  private final StreamMetrics metrics;
  private final Map<String, Feed> feeds = new HashMap<>();
  private final Set<Subscriber> all = new LinkedHashSet<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long pingTimer = -1;
  private long safetyTimer = -1;
  private boolean closing;

  public RoomStreams(Vertx vertx, Deps deps) {
    this.vertx = vertx;
    this.deps = deps;
    this.metrics = deps.streams();
  }

  /** Registers the doorbells and timers; call from the owning verticle's start. */
  public Future<Void> start() {
    var bus = vertx.eventBus();
    consumers.add(bus.<RoomEvent>consumer(Addresses.ROOM_EVENTS, m -> ring(m.body())));
    consumers.add(bus.<RoomEvent>consumer(Addresses.ROOM_EVENTS_REMOTE, m -> ring(m.body())));
    consumers.add(bus.consumer(Addresses.ROOM_STREAMS_RESYNC, m -> ringAll()));
    pingTimer = vertx.setPeriodic(deps.config().streamPingMs(), id -> pingAll());
    safetyTimer = vertx.setPeriodic(SAFETY_RING_MS, id -> ringAll());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * Adds a subscriber to its room's feed. Without {@code resumeAfter} it starts live: it gets every
   * event committed after this call. With it, it first replays {@code id > resumeAfter} from the
   * database and then joins the live feed with no gap and no duplicate.
   *
   * @param roomMax the newest event id of the subscriber's room (or org), read before this call
   */
  void subscribe(Subscriber s, long roomMax, Long resumeAfter) {
    if (closing) {
      s.shutdown();
      return;
    }
    Feed feed = feeds.computeIfAbsent(s.scope.key(), k -> new Feed(s.scope, roomMax));
    feed.subscribers.add(s);
    all.add(s);
    metrics.opened(s.webSocket);
    if (resumeAfter == null) {
      // Anything committed from now on has an id above both of these.
      s.lastSeen = Math.max(roomMax, feed.lastId);
      s.live = true;
    } else {
      s.lastSeen = resumeAfter;
      s.live = false;
      replay(s);
    }
  }

  /** The connection went away (client closed, cut off, or shutdown). Idempotent. */
  void unsubscribe(Subscriber s) {
    s.closed = true;
    if (!all.remove(s)) return;
    metrics.closed(s.webSocket);
    Feed feed = feeds.get(s.scope.key());
    if (feed != null) {
      feed.subscribers.remove(s);
      if (feed.subscribers.isEmpty() && !feed.reading) feeds.remove(s.scope.key());
    }
  }

  /**
   * Reads {@code id > lastSeen} page by page and writes it, pacing on the write queue. It ends when
   * a page comes back short and the feed has offered nothing newer meanwhile; switching to live
   * then happens on this event loop between two feed deliveries, so nothing falls in between.
   */
  private void replay(Subscriber s) {
    s.scope
        .after(deps.pool(), s.lastSeen, REPLAY_PAGE)
        .onComplete(
            ar -> {
              if (s.closed) return;
              if (ar.failed() && DatabaseUnavailable.is(ar.cause())) {
                // A database restart: the stream stays open and the replay picks up where it
                // stopped once the database answers again.
                DatabaseUnavailable.report("stream replay " + s.scope, ar.cause());
                vertx.setTimer(
                    UNAVAILABLE_RETRY_MS,
                    id -> {
                      if (!s.closed) replay(s);
                    });
                return;
              }
              if (ar.failed()) {
                log.warn(
                    "stream replay failed {} after={}: {}",
                    s.scope,
                    s.lastSeen,
                    ar.cause().getMessage());
                s.cutOff();
                unsubscribe(s);
                return;
              }
              EventLog.Page page = ar.result();
              for (RoomEvent e : page.events()) s.deliver(e);
              if (page.heldBack()) {
                vertx.setTimer(
                    HELD_BACK_MS,
                    id -> {
                      if (!s.closed) replay(s);
                    });
                return;
              }
              if (!page.full() && s.offeredDuringReplay <= s.lastSeen) {
                s.live = true;
                return;
              }
              if (!s.writeQueueFull()) {
                replay(s);
                return;
              }
              long timer =
                  vertx.setTimer(
                      REPLAY_DRAIN_TIMEOUT_MS,
                      id -> {
                        if (s.closed) return;
                        metrics.slowConsumer();
                        s.cutOff();
                        unsubscribe(s);
                      });
              s.onDrain(
                  () -> {
                    vertx.cancelTimer(timer);
                    s.onDrain(() -> {});
                    if (!s.closed) replay(s);
                  });
            });
  }

  /** An event committed: its room's feed and its org's feed look again. */
  private void ring(RoomEvent e) {
    Feed feed = feeds.get(e.roomId());
    if (feed != null) feed.ring();
    Feed org = feeds.get(StreamScope.orgKey(e.orgId()));
    if (org != null) org.ring();
  }

  private void ringAll() {
    for (Feed feed : List.copyOf(feeds.values())) feed.ring();
  }

  private void pingAll() {
    for (Subscriber s : List.copyOf(all)) {
      if (s.closed) continue;
      if (s.live && s.writeQueueFull()) {
        cutOffSlow(s);
      } else {
        s.ping();
      }
    }
  }

  private void cutOffSlow(Subscriber s) {
    log.info(
        "slow consumer cut off {} transport={} last_id={}",
        s.scope,
        s.webSocket ? "ws" : "sse",
        s.lastSeen);
    metrics.slowConsumer();
    s.cutOff();
    unsubscribe(s);
  }

  /** Ends every stream with a final word (SSE {@code : shutdown}, WS close 1001). */
  public Future<Void> close() {
    closing = true;
    if (pingTimer >= 0) vertx.cancelTimer(pingTimer);
    if (safetyTimer >= 0) vertx.cancelTimer(safetyTimer);
    for (Subscriber s : List.copyOf(all)) {
      s.shutdown();
      unsubscribe(s);
    }
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  int feedCount() {
    return feeds.size();
  }

  /** One room's (or one org's) live reader on this event loop. */
  private final class Feed {
    final StreamScope scope;
    final Set<Subscriber> subscribers = new LinkedHashSet<>();
    long lastId;
    boolean reading;
    boolean rungWhileReading;
    boolean retryScheduled;

    Feed(StreamScope scope, long startAfter) {
      this.scope = scope;
      this.lastId = startAfter;
    }

    void ring() {
      if (reading) {
        rungWhileReading = true;
        return;
      }
      read();
    }

    private void read() {
      reading = true;
      rungWhileReading = false;
      scope
          .after(deps.pool(), lastId, FEED_PAGE)
          .onComplete(
              ar -> {
                reading = false;
                if (ar.failed()) {
                  // The safety ring retries in a few seconds; subscribers lose nothing.
                  DatabaseUnavailable.warn(log, "stream feed read " + scope, ar.cause());
                } else {
                  for (RoomEvent e : ar.result().events()) {
                    lastId = e.id();
                    metrics.delivered(e);
                    for (Subscriber s : List.copyOf(subscribers)) {
                      if (!s.offer(e)) {
                        if (s.closed) unsubscribe(s);
                        else cutOffSlow(s);
                      }
                    }
                  }
                }
                if (subscribers.isEmpty()) {
                  if (feeds.get(scope.key()) == this) feeds.remove(scope.key());
                  return;
                }
                boolean full = ar.succeeded() && ar.result().full();
                if (rungWhileReading || full) {
                  read();
                } else if (!retryScheduled
                    && (ar.succeeded()
                        ? ar.result().heldBack()
                        : DatabaseUnavailable.is(ar.cause()))) {
                  retryScheduled = true;
                  vertx.setTimer(
                      ar.succeeded() ? HELD_BACK_MS : UNAVAILABLE_RETRY_MS,
                      id -> {
                        retryScheduled = false;
                        if (feeds.get(scope.key()) == this) ring();
                      });
                }
              });
    }
  }
}
