package io.waitroom.client;

import io.waitroom.client.Events.SubscribeOptions;
import io.waitroom.client.Model.RoomEvent;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A room's event stream. A background thread keeps one connection open; after a drop (reset, server
 * restart, or no byte for the idle timeout) it reconnects with {@code Last-Event-ID}, and the
 * server replays what was missed, so events arrive with no gap and no duplicate. A refusal (401,
 * 403, 404, 400) ends it: the next read throws the {@link WaitroomException}.
 */
public final class EventSubscription implements AutoCloseable, Iterable<RoomEvent> {
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "waitroom-sse-watchdog");
            t.setDaemon(true);
            return t;
          });
  private static final Object END = new Object();

  private final Transport t;
  private final String path;
  private final Map<String, ?> query;
  private final long idleMs;
  private final long firstDelayMs;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile String lastEventId;
  private volatile Connection current;

  EventSubscription(Transport t, String room, SubscribeOptions o) {
    this.t = t;
    this.path = "/v1/rooms/" + Transport.seg(room) + "/events";
    this.query =
        o.types() == null || o.types().isEmpty()
            ? Map.of()
            : Map.of("types", String.join(",", o.types()));
    this.lastEventId = o.lastEventId();
    this.idleMs = o.idleTimeout() == null ? 45_000 : o.idleTimeout().toMillis();
    this.firstDelayMs = o.reconnectDelay() == null ? 1000 : o.reconnectDelay().toMillis();
    Thread reader = new Thread(this::run, "waitroom-sse");
    reader.setDaemon(true);
    reader.start();
  }

  /** The id of the last event received: where a reconnect resumes. */
  public String lastEventId() {
    return lastEventId;
  }

  /** The next event, or null if none arrives within {@code timeout} (or the stream was closed). */
  public RoomEvent next(Duration timeout) {
    try {
      Object o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return unwrap(o);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private RoomEvent unwrap(Object o) {
    if (o == null) return null;
    if (o == END) {
      queue.add(END);
      return null;
    }
    if (o instanceof WaitroomException e) {
      queue.add(e);
      throw e;
    }
    return (RoomEvent) o;
  }

  /** Blocks for each event until the stream is closed. */
  @Override
  public Iterator<RoomEvent> iterator() {
    return new Iterator<>() {
      private RoomEvent next;

      @Override
      public boolean hasNext() {
        if (next != null) return true;
        try {
          next = unwrap(queue.take());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        return next != null;
      }

      @Override
      public RoomEvent next() {
        if (!hasNext()) throw new NoSuchElementException();
        RoomEvent e = next;
        next = null;
        return e;
      }
    };
  }

  @Override
  public void close() {
    closed.complete(null);
    Connection c = current;
    if (c != null) c.drop();
  }

  private void run() {
    long delay = firstDelayMs;
    try {
      while (!closed.isDone()) {
        Long retryAfterMs = null;
        Connection c = new Connection();
        CompletableFuture<HttpResponse<String>> f = null;
        try {
          HttpRequest.Builder b =
              t.builder(t.uri(path, query), false)
                  .header("Accept", "text/event-stream")
                  .timeout(Duration.ofMillis(Math.max(idleMs, 1000)))
                  .GET();
          String resume = lastEventId;
          if (resume != null) b.header("Last-Event-ID", resume);
          f =
              t.http.sendAsync(
                  b.build(),
                  info ->
                      info.statusCode() == 200
                          ? HttpResponse.BodySubscribers.mapping(
                              HttpResponse.BodySubscribers.fromLineSubscriber(c), v -> "")
                          : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8));
          CompletableFuture.anyOf(f, c.ended).get();
          if (c.subscribed) {
            delay = firstDelayMs;
          } else {
            HttpResponse<String> res = f.get();
            WaitroomException err = Transport.error(res, Transport.parse(res.body()));
            if (res.statusCode() == 429) {
              retryAfterMs = (err.retryAfter() == null ? 1 : err.retryAfter()) * 1000L;
            } else if (res.statusCode() < 500) {
              queue.add(err);
              return;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception dropped) {
          // A reset, refused or idle connection: reconnect below.
        } finally {
          c.drop();
          if (f != null) f.cancel(true);
        }
        if (waitClosed(retryAfterMs != null ? retryAfterMs : delay)) return;
        delay = Math.min(delay * 2, 30_000);
      }
    } finally {
      queue.add(END);
    }
  }

  /** Waits {@code ms} unless closed first; true when closed. */
  private boolean waitClosed(long ms) {
    try {
      closed.get(ms, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  /** One connection's lines, parsed as SSE frames; ends on completion, error, idleness or close. */
  private final class Connection implements Flow.Subscriber<String> {
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final List<String> data = new ArrayList<>();
    private String id;
    private volatile long lastByte = System.nanoTime();
    private volatile Flow.Subscription subscription;
    volatile boolean subscribed;
    private ScheduledFuture<?> watchdog;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      subscribed = true;
      current = this;
      if (closed.isDone()) {
        s.cancel();
        ended.complete(null);
        return;
      }
      long every = Math.max(50, idleMs / 4);
      watchdog =
          WATCHDOG.scheduleAtFixedRate(
              () -> {
                if ((System.nanoTime() - lastByte) / 1_000_000 > idleMs) drop();
              },
              every,
              every,
              TimeUnit.MILLISECONDS);
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      lastByte = System.nanoTime();
      if (line.isEmpty()) {
        if (id != null) lastEventId = id;
        if (!data.isEmpty()) {
          try {
            queue.add(Transport.JSON.readValue(String.join("\n", data), RoomEvent.class));
          } catch (Exception e) {
            // not an envelope: skip it
          }
        }
        data.clear();
        id = null;
        return;
      }
      if (line.startsWith(":")) return;
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1);
      if (field.equals("data")) data.add(value);
      else if (field.equals("id")) id = value;
    }

    @Override
    public void onError(Throwable throwable) {
      finish();
    }

    @Override
    public void onComplete() {
      finish();
    }

    void drop() {
      Flow.Subscription s = subscription;
      if (s != null) s.cancel();
      finish();
    }

    private void finish() {
      if (watchdog != null) watchdog.cancel(false);
      ended.complete(null);
    }
  }
}
