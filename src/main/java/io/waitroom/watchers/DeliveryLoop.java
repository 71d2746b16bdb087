package io.waitroom.watchers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.waitroom.db.DatabaseUnavailable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of a durable, leased outbound queue, shared by webhook deliveries ({@link
 * WebhookDelivery}) and Web Push messages ({@code push.PushVerticle}): claims due rows ({@code
 * claim(capacity)}, one statement that bumps the attempt and sets a lease of {@value
 * #LEASE_SECONDS} s under {@code SKIP LOCKED}), runs at most {@code maxInFlight} attempts at once,
 * and claims again whenever one finishes while more may be due. Failures are retried after about 5
 * s, 30 s, 2 min, 10 min and 45 min (times {@code WAITROOM_WEBHOOK_RETRY_SCALE}); after the sixth
 * attempt the row is given up. Runs on one event loop; holds no state a crash could lose (a dead
 * node's leases simply expire).
 */
public final class DeliveryLoop {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);

  /** Longer than any attempt can take (DNS and HTTP are both capped at 5 s). */
  public static final double LEASE_SECONDS = 60;

  static final long[] RETRY_SECONDS = {5, 30, 120, 600, 2700};
  static final int MAX_ATTEMPTS = RETRY_SECONDS.length + 1;

  private final Vertx vertx;
  private final String name;
  private final int maxInFlight;
  private final long pollMs;
  private final Function<Integer, Future<RowSet<Row>>> claim;
  private final Function<Row, Future<Void>> attempt;
  private boolean claiming;
  private boolean again;
  private boolean stopped;
  private int inFlight;
  private Runnable whenIdle = () -> {};

  /**
   * @param name for log lines ({@code webhook}, {@code push})
   * @param pollMs the owner's poll period: a retry due sooner gets its own wake-up
   * @param claim claims up to the given number of due rows
   * @param attempt sends one claimed row and records the outcome
   */
  public DeliveryLoop(
      Vertx vertx,
      String name,
      int maxInFlight,
      long pollMs,
      Function<Integer, Future<RowSet<Row>>> claim,
      Function<Row, Future<Void>> attempt) {
    this.vertx = vertx;
    this.name = name;
    this.maxInFlight = maxInFlight;
    this.pollMs = pollMs;
    this.claim = claim;
    this.attempt = attempt;
  }

  /** The delay before attempt {@code attempt + 1}, or -1 when {@code attempt} was the last. */
  public static double retryDelaySeconds(int attempt, double scale) {
    if (attempt < 1 || attempt >= MAX_ATTEMPTS) return -1;
    return RETRY_SECONDS[attempt - 1] * scale;
  }

  public boolean idle() {
    return inFlight == 0 && !claiming;
  }

  /** Claims nothing more; attempts in flight finish and are recorded, then {@code idle} runs. */
  public void stop(Runnable idle) {
    stopped = true;
    whenIdle = idle;
  }

  /** Claims and sends what is due, as far as there is room in flight. */
  public void wake() {
    if (stopped) return;
    int capacity = maxInFlight - inFlight;
    if (claiming || capacity <= 0) {
      again = true;
      return;
    }
    claiming = true;
    again = false;
    claim
        .apply(capacity)
        .onComplete(
            ar -> {
              claiming = false;
              if (ar.failed()) {
                DatabaseUnavailable.warn(log, name + " claim", ar.cause());
                settled();
                return;
              }
              int n = 0;
              for (Row r : ar.result()) {
                n++;
                inFlight++;
                attempt
                    .apply(r)
                    .onComplete(
                        done -> {
                          if (done.failed()) {
                            DatabaseUnavailable.warn(log, name + " attempt record", done.cause());
                          }
                          inFlight--;
                          settled();
                          // Refill in batches, once half the slots are free: one claim
                          // statement per few sends, not one per finished send.
                          if (again && inFlight <= maxInFlight / 2) wake();
                        });
              }
              if (n == capacity) again = true;
              settled();
              if (again && inFlight < maxInFlight) vertx.runOnContext(v -> wake());
            });
  }

  /**
   * Called once an attempt's outcome is recorded with a retry due in {@code delaySeconds}
   * (negative: none): a retry due before the next poll gets its own wake-up.
   */
  public void retryIn(double delaySeconds) {
    long ms = (long) (delaySeconds * 1000);
    if (delaySeconds >= 0 && ms < pollMs && !stopped) {
      vertx.setTimer(Math.max(1, ms + 5), t -> wake());
    }
  }

  private void settled() {
    if (idle()) whenIdle.run();
  }
}
